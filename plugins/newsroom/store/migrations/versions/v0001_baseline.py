"""Baseline: the schema of the last release before Alembic (cfbda80), tables, indexes and the search index.

Written out here, not read from ``newsroom.store.tables``: the models will change, this revision must
not. Every table and index is created only if missing, so that the same revision also completes a
database made before Alembic (``newsroom.store.schema`` first reshapes its older tables in place:
``newsroom.store.migrations.legacy``); on an empty database it creates everything.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from newsroom.store.search_tables import create_search_index

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        if_not_exists=True,
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("image_alt", sa.Text(), nullable=False),
        sa.Column("published", sa.DateTime(), nullable=False),
        sa.Column("modified", sa.DateTime(), nullable=False),
        sa.Column("visible_from", sa.DateTime(), nullable=True),
        sa.Column("went_live_at", sa.DateTime(), nullable=True),
        sa.Column("taken_down_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path"),
        if_not_exists=True,
    )
    op.create_index("ix_articles_published", "articles", ["published"], unique=False, if_not_exists=True)
    op.create_index("ix_articles_section", "articles", ["section"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_articles_taken_down",
        "articles",
        ["taken_down_at"],
        unique=False,
        sqlite_where=sa.text("taken_down_at IS NOT NULL"),
        postgresql_where=sa.text("taken_down_at IS NOT NULL"),
        if_not_exists=True,
    )
    op.create_index("ix_articles_visible_from", "articles", ["visible_from"], unique=False, if_not_exists=True)
    op.create_table(
        "backfill_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
        if_not_exists=True,
    )
    op.create_table(
        "backfill_pending",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_backfill_pending_day", "backfill_pending", ["day"], unique=False, if_not_exists=True)
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("remote_id", sa.Text(), nullable=True),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "version", "channel", name="uq_delivery"),
        if_not_exists=True,
    )
    op.create_index("ix_deliveries_article_id", "deliveries", ["article_id"], unique=False, if_not_exists=True)
    op.create_index("ix_deliveries_channel", "deliveries", ["channel"], unique=False, if_not_exists=True)
    op.create_index("ix_deliveries_state", "deliveries", ["state"], unique=False, if_not_exists=True)
    op.create_table(
        "digest_editions",
        sa.Column("digest_date", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("content_md5", sa.String(length=32), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("page_published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("digest_date"),
        if_not_exists=True,
    )
    op.create_table(
        "digest_recipients",
        sa.Column("digest_date", sa.String(length=10), nullable=False),
        sa.Column("list_name", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=400), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("digest_date", "list_name", "email"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_digest_recipients_state",
        "digest_recipients",
        ["digest_date", "list_name", "state"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "digest_sends",
        sa.Column("digest_date", sa.String(length=10), nullable=False),
        sa.Column("list_name", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("content_md5", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("digest_date", "list_name"),
        if_not_exists=True,
    )
    op.create_index("ix_digest_sends_state", "digest_sends", ["state"], unique=False, if_not_exists=True)
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_events_article_id", "events", ["article_id"], unique=False, if_not_exists=True)
    op.create_table(
        "locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "objects",
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        if_not_exists=True,
    )
    op.create_index("ix_objects_article_id", "objects", ["article_id"], unique=False, if_not_exists=True)
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("report_path", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_quarantine_article_id", "quarantine", ["article_id"], unique=False, if_not_exists=True)
    op.create_table(
        "tag_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("key", "slug"),
        if_not_exists=True,
    )
    op.create_table(
        "tag_registry",
        sa.Column("slug", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=True),
        sa.Column("target_name", sa.Text(), nullable=True),
        sa.Column("target_kind", sa.String(length=32), nullable=True),
        sa.Column("first_published", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("slug"),
        if_not_exists=True,
    )
    op.create_index("ix_tag_registry_status", "tag_registry", ["status"], unique=False, if_not_exists=True)
    op.create_table(
        "takedowns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("removed_keys", sa.JSON(), nullable=False),
        sa.Column("restored_at", sa.DateTime(), nullable=True),
        sa.Column("restored_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_takedowns_article_id", "takedowns", ["article_id"], unique=False, if_not_exists=True)
    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("tag", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("published", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("article_id", "tag"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_article_tags_tag_published",
        "article_tags",
        ["tag", "published", "article_id"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "enrichments",
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("enriched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("article_id"),
        if_not_exists=True,
    )
    op.create_table(
        "entity_candidates",
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("article_id", "key"),
        if_not_exists=True,
    )
    op.create_index("ix_entity_candidates_key", "entity_candidates", ["key"], unique=False, if_not_exists=True)
    op.create_table(
        "related",
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("article_id", "rank"),
        if_not_exists=True,
    )
    op.create_index("ix_related_related_id", "related", ["related_id"], unique=False, if_not_exists=True)
    op.create_table(
        "sidebar",
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("article_id", "rank"),
        if_not_exists=True,
    )
    op.create_index("ix_sidebar_item_id", "sidebar", ["item_id"], unique=False, if_not_exists=True)
    op.create_table(
        "versions",
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("archived_path", sa.Text(), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("article_id", "version"),
        if_not_exists=True,
    )
    # the full-text index: SQLite FTS5 (with its key and token-count tables), or PostgreSQL's tsvector + GIN
    create_search_index(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("nothing comes before the baseline: restore a backup of the state database instead")
