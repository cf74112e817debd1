"""The state database's schema: articles, their versions, tags, quarantine, published objects, ledgers.

Datetimes are stored as naive UTC and come back aware (:class:`UTCDateTime`).
Only the store touches this schema: ``newsroom.store.engine`` opens and upgrades
a database, the sub-repositories of ``newsroom.store.repository.Store`` read and
write it and hand typed records (``newsroom.models``) to their callers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC out; stored naive UTC so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class ArticleRow(Base):
    """The current version of each article, with what listings need as columns."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512), unique=True)
    section: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    image_alt: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    modified: Mapped[datetime] = mapped_column(UTCDateTime)
    visible_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    went_live_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    taken_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="filed")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    # the few taken-down articles, found without a scan; partial, so that the live filter
    # ("taken_down_at IS NULL", true of nearly every row) is never planned through it
    __table_args__ = (
        Index(
            "ix_articles_taken_down",
            "taken_down_at",
            sqlite_where=text("taken_down_at IS NOT NULL"),
            postgresql_where=text("taken_down_at IS NOT NULL"),
        ),
    )


class VersionRow(Base):
    """Every accepted version of every article, as filed (never rewritten)."""

    __tablename__ = "versions"

    article_id: Mapped[str] = mapped_column(String(128), ForeignKey("articles.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(Text)
    archived_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class TagRow(Base):
    """Canonical tags of an article's current version (from enrich).

    ``published`` is a copy of the article's, kept equal by the store (set with
    the tags, updated with every version): a tag listing, newest first, is then
    a range of the ``(tag, published, article_id)`` index instead of a join and
    a sort of every article with the tag.
    """

    __tablename__ = "article_tags"

    article_id: Mapped[str] = mapped_column(String(128), ForeignKey("articles.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), default="topic")
    published: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_article_tags_tag_published", "tag", "published", "article_id"),)


class TagRegistryRow(Base):
    """A tag enrichment created for an entity the taxonomy does not know, and its review state
    (``newsroom.store.tag_registry`` documents the states)."""

    __tablename__ = "tag_registry"

    slug: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    target: Mapped[str | None] = mapped_column(String(128), nullable=True)
    target_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    target_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    first_published: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TagKeyRow(Base):
    """A name (``n:``) or a person's surname (``s:``), folded, that leads to a created tag."""

    __tablename__ = "tag_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    slug: Mapped[str] = mapped_column(String(128), primary_key=True)


class RelatedRow(Base):
    """The related links chosen for an article, in order (from enrich).

    ``kind``: ``story`` for an earlier article on the same story (the text matches;
    it shows this one back as "Sur le même sujet"), ``more`` for one that only
    shares people, places or the section (filling "À lire aussi" up to five).
    """

    __tablename__ = "related"

    article_id: Mapped[str] = mapped_column(String(128), ForeignKey("articles.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    related_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="story")


class SidebarRow(Base):
    """The sidebar of an article's page: the latest articles of its country (or section) when it
    was enriched, in order."""

    __tablename__ = "sidebar"

    article_id: Mapped[str] = mapped_column(String(128), ForeignKey("articles.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(128), index=True)


class EnrichmentRow(Base):
    """What enrichment found for an article's current version, beyond its tags."""

    __tablename__ = "enrichments"

    article_id: Mapped[str] = mapped_column(String(128), ForeignKey("articles.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON)
    enriched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CandidateRow(Base):
    """An entity the taxonomy did not know, seen in an article (written by versions before created
    tags and their registry, ``TagRegistryRow``; no longer written: an article's rows go when it is
    enriched again)."""

    __tablename__ = "entity_candidates"

    article_id: Mapped[str] = mapped_column(String(128), ForeignKey("articles.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_entity_candidates_key", "key"),)


class DeliveryRow(Base):
    """The delivery ledger: one row per (article, version, channel), claimed before sending.

    States: pending -> sending -> sent; a retryable error puts it back to
    pending with ``next_attempt_at``; failed (a 4xx, or out of attempts);
    skipped (not to be sent: a correction, an archival article, a disabled
    route); unknown (the outcome could not be known and resending could post
    twice: a person must look).
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    remote_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (UniqueConstraint("article_id", "version", "channel", name="uq_delivery"),)


class TakedownRow(Base):
    """Who took an article down, when and why; ``restored_at`` once an editor restores it."""

    __tablename__ = "takedowns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    removed_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    restored_by: Mapped[str | None] = mapped_column(Text, nullable=True)


class DigestEditionRow(Base):
    """One digest date: what was built, and when its web page was published."""

    __tablename__ = "digest_editions"

    digest_date: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, site time zone
    subject: Mapped[str] = mapped_column(Text)
    articles: Mapped[int] = mapped_column(Integer, default=0)
    article_ids: Mapped[list[str]] = mapped_column(JSON)
    content_md5: Mapped[str] = mapped_column(String(32))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    page_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DigestSendRow(Base):
    """One (date, list): pending, sending, sent (final), empty or held (with the reason)."""

    __tablename__ = "digest_sends"

    digest_date: Mapped[str] = mapped_column(String(10), primary_key=True)
    list_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    content_md5: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DigestRecipientRow(Base):
    """One (date, list, recipient): when it was sent, under which Message-ID, or why not."""

    __tablename__ = "digest_recipients"

    digest_date: Mapped[str] = mapped_column(String(10), primary_key=True)
    list_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(400), nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_digest_recipients_state", "digest_date", "list_name", "state"),)


class QuarantineRow(Base):
    """A filing that was refused: where the original is kept, and why."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file: Mapped[str] = mapped_column(Text)
    stored_path: Mapped[str] = mapped_column(Text)
    report_path: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    article_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ObjectRow(Base):
    """What is in the bucket, as we last uploaded it: the publish diff compares with this."""

    __tablename__ = "objects"

    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    article_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BackfillDayRow(Base):
    """A backfilled day: what its pages were rendered with, so a rerun with nothing new renders nothing."""

    __tablename__ = "backfill_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    fingerprint: Mapped[str] = mapped_column(String(64))  # templates, static files, site config, render code
    articles: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BackfillPendingRow(Base):
    """What backfill batches published whose listings, tag pages, feeds and sitemaps are still to
    render: an article id or a tag slug. Any later listings run takes them all, so when listings
    trail the batches (a backfill runs several days at once) one run renders for several days."""

    __tablename__ = "backfill_pending"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[str] = mapped_column(String(10), index=True)  # the batch's day, YYYY-MM-DD
    kind: Mapped[str] = mapped_column(String(8))  # "article" or "tag"
    value: Mapped[str] = mapped_column(String(256))


class EventRow(Base):
    """The article's timeline for ``newsroom status``: filed, rendered, published..."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")


class LockRow(Base):
    """Who holds a run lock (the lock itself is PostgreSQL's advisory lock or a file lock): for the waiter's message."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertRow(Base):
    """An alert the watchdog sent (newsroom.phases.watchdog): each problem is told once."""

    __tablename__ = "alerts"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
