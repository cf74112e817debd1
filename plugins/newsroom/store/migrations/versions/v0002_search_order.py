"""The search index in publication order: SQLite's FTS5 rowids follow ``published`` (issue 16).

"Published before" becomes a rowid bound FTS5 skips on, so a related-links query for an old article
reads only the matches before it. The index is rebuilt from its own stored text, in that order, and
triggers on ``articles`` keep it so (``newsroom.store.search_order.order_search_index``: the DDL, written
once there). PostgreSQL's index is unchanged.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from newsroom.store.search_order import order_search_index

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    order_search_index(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("restore a backup of the state database made before 0002 instead")
