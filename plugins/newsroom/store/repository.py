"""The store's API: what the phases read and write, in plain values.

Called by ``newsroom.pipeline`` (one function per DAG task) and the CLI.
Each method is one short transaction, so a task retried after a crash sees
a consistent state and re-running it changes nothing already recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from newsroom.models import Article
from newsroom.store.db import (
    ArticleRow,
    BackfillDayRow,
    BackfillPendingRow,
    CandidateRow,
    EnrichmentRow,
    EventRow,
    ObjectRow,
    QuarantineRow,
    RelatedRow,
    SidebarRow,
    TagRow,
    TakedownRow,
    UTCDateTime,
    VersionRow,
    make_engine,
)
from newsroom.store.search import SearchIndex
from newsroom.store.tag_registry import TagRegistry

BACKFILL = "backfill"  # the status of an archive article between its backfill's ingest and publish


def utcnow() -> datetime:
    return datetime.now(UTC)


def content_hash(article: Article) -> str:
    """Identity of a version: the same article filed twice is not a new version."""
    payload = article.model_dump_json(exclude={"notes"})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class TakenDownError(Exception):
    """A taken-down article was filed again: refused until an editor restores it."""

    def __init__(self, article_id: str, at: datetime) -> None:
        super().__init__(
            f"article {article_id!r} was taken down on {at:%Y-%m-%d %H:%M} UTC; "
            f"restore it first with `newsroom restore {article_id}`"
        )
        self.article_id = article_id


@dataclass(frozen=True)
class Filed:
    article_id: str
    version: int
    changed: bool
    path: str


@dataclass(frozen=True)
class Listed:
    """What a listing (home, section, tag page) shows of an article."""

    id: str
    title: str
    path: str
    section: str
    published: datetime
    modified: datetime
    summary: str
    image_url: str | None
    image_alt: str


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    kind: str = "topic"


@dataclass(frozen=True)
class StoredObject:
    key: str
    md5: str
    size: int
    content_type: str
    kind: str
    article_id: str | None


_LISTED_COLUMNS = (
    ArticleRow.id,
    ArticleRow.title,
    ArticleRow.path,
    ArticleRow.section,
    ArticleRow.published,
    ArticleRow.modified,
    ArticleRow.summary,
    ArticleRow.image_url,
    ArticleRow.image_alt,
)


def _aggregate_stamp(value: Any) -> datetime:
    """An aggregate (max) of a stored datetime, aware UTC: SQLite returns it as text, PostgreSQL naive."""
    naive = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    stamp = UTCDateTime().process_result_value(naive.replace(tzinfo=None), None)
    assert stamp is not None
    return stamp


def _listing_query(columns: Sequence[Any], now: datetime, sections: Sequence[str] | None, tag: str | None) -> Any:
    """Live articles (of these sections, with this tag), newest first, ties broken by id."""
    query = select(*columns).where(_live(now))
    if sections is not None:
        query = query.where(ArticleRow.section.in_(list(sections)))
    if tag is not None:
        query = query.join(TagRow, TagRow.article_id == ArticleRow.id).where(TagRow.tag == tag)
        return query.order_by(*_tag_order(TagRow))
    return query.order_by(ArticleRow.published.desc(), ArticleRow.id.desc())


def _tag_order(rows: Any) -> tuple[Any, ...]:
    """A listing's order (newest first, ties by id) read from the tag rows' copy of the dates:
    a walk down the tag's range of the (tag, published, article_id) index, no sort."""
    return rows.published.desc(), rows.article_id.desc()


def _live(now: datetime) -> Any:
    return and_(
        ArticleRow.taken_down_at.is_(None),
        or_(ArticleRow.visible_from.is_(None), ArticleRow.visible_from <= now),
    )


def _hidden_ids(session: Session, now: datetime) -> set[str]:
    """The articles :func:`_live` leaves out: taken down, or not visible yet.

    Few rows, read through two indexes (one query each: together, an OR, the
    database would scan the table).
    """
    hidden = set(session.scalars(select(ArticleRow.id).where(ArticleRow.taken_down_at.is_not(None))))
    hidden.update(session.scalars(select(ArticleRow.id).where(ArticleRow.visible_from > now)))
    return hidden


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(_engine(url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # -- filing ---------------------------------------------------------------
    def record_version(
        self,
        article: Article,
        *,
        source_file: str,
        archived_path: str | None,
        tz: ZoneInfo,
        now: datetime | None = None,
        status: str = "filed",
    ) -> Filed:
        """Store a new version, or nothing if this exact content is already current.

        ``status`` "backfill" marks an archive article that its backfill batch
        publishes itself: the live pipeline's :meth:`due` leaves it alone.
        """
        now = now or utcnow()
        digest = content_hash(article)
        with self.session() as session:
            row = session.get(ArticleRow, article.id, with_for_update=True)
            if row is not None and row.taken_down_at is not None:
                raise TakenDownError(article.id, row.taken_down_at)
            if row is not None and row.content_hash == digest:
                return Filed(article.id, row.version, False, row.path)
            published = article.published or article.publish_at or (row.published if row else now)
            if row is not None and row.published != published:  # the tag rows' copy moves with it
                session.execute(update(TagRow).where(TagRow.article_id == article.id).values(published=published))
            visible = [d for d in (article.publish_at, article.embargo_until) if d is not None]
            visible_from = max(visible) if visible else None
            version = row.version + 1 if row else 1
            modified = article.updated or (published if version == 1 else now)
            data = article.model_dump(mode="json")
            if row is None:
                path = self._free_path(session, article, published.astimezone(tz))
                row = ArticleRow(id=article.id, path=path, filed_at=now, went_live_at=None, taken_down_at=None)
                session.add(row)
            row.version = version
            row.content_hash = digest
            row.slug = article.slug
            row.section = article.section
            row.title = article.title
            row.summary = article.summary
            row.image_url = article.image.url if article.image else None
            row.image_alt = article.image.alt if article.image else ""
            row.published = published
            row.modified = max(modified, published)
            row.visible_from = visible_from
            row.status = status
            row.data = data
            session.add(
                VersionRow(
                    article_id=article.id,
                    version=version,
                    content_hash=digest,
                    source_file=source_file,
                    archived_path=archived_path,
                    filed_at=now,
                    data=data,
                )
            )
            detail = f"version {version} from {source_file}"
            if article.notes:
                detail += " (" + "; ".join(article.notes) + ")"
            session.add(EventRow(article_id=article.id, at=now, kind="filed", detail=detail))
            return Filed(article.id, version, True, row.path)

    @staticmethod
    def _free_path(session: Session, article: Article, local: datetime) -> str:
        """The article's key, frozen at first filing: yyyy/mm/dd/slug.html."""
        path = f"{local:%Y/%m/%d}/{article.slug}.html"
        taken = session.scalar(select(ArticleRow.id).where(ArticleRow.path == path))
        if taken is not None and taken != article.id:
            suffix = hashlib.sha1(article.id.encode("utf-8")).hexdigest()[:6]
            path = f"{local:%Y/%m/%d}/{article.slug}-{suffix}.html"
        return path

    def record_quarantine(
        self,
        *,
        file: str,
        stored_path: str,
        report_path: str,
        problems: list[dict[str, str]],
        article_id: str | None,
        digest: str,
        now: datetime | None = None,
    ) -> None:
        now = now or utcnow()
        with self.session() as session:
            known = session.scalar(
                select(QuarantineRow.id).where(QuarantineRow.file == file, QuarantineRow.content_hash == digest)
            )
            if known is not None:
                return  # the same bytes refused again: one report is enough
            session.add(
                QuarantineRow(
                    file=file,
                    stored_path=stored_path,
                    report_path=report_path,
                    field=problems[0]["field"],
                    reason=problems[0]["reason"],
                    problems=problems,
                    article_id=article_id,
                    content_hash=digest,
                    at=now,
                )
            )
            if article_id:
                reason = "; ".join(f"{p['field']}: {p['reason']}" for p in problems)
                session.add(EventRow(article_id=article_id, at=now, kind="quarantined", detail=f"{file}: {reason}"))

    # -- takedown -------------------------------------------------------------
    def take_down(self, article_id: str, *, reason: str, by: str, now: datetime) -> bool:
        """Mark the article taken down (False if it already is); every surface drops it from now on."""
        with self.session() as session:
            row = session.get(ArticleRow, article_id, with_for_update=True)
            if row is None:
                raise KeyError(article_id)
            if row.taken_down_at is not None:
                return False
            row.taken_down_at = now
            row.status = "taken_down"
            session.add(TakedownRow(article_id=article_id, at=now, by=by, reason=reason, removed_keys=[]))
            session.add(EventRow(article_id=article_id, at=now, kind="taken_down", detail=f"by {by}: {reason}"))
            return True

    def record_removed(self, article_id: str, keys: Sequence[str]) -> None:
        with self.session() as session:
            row = session.scalars(
                select(TakedownRow).where(TakedownRow.article_id == article_id).order_by(TakedownRow.id.desc())
            ).first()
            if row is not None:
                row.removed_keys = sorted(set(row.removed_keys) | set(keys))

    def restore(self, article_id: str, *, by: str, now: datetime) -> bool:
        """Undo a takedown: the article goes live again on the next run (not re-announced)."""
        with self.session() as session:
            row = session.get(ArticleRow, article_id, with_for_update=True)
            if row is None:
                raise KeyError(article_id)
            if row.taken_down_at is None:
                return False
            row.taken_down_at = None
            row.went_live_at = None
            row.status = "filed"
            takedown = session.scalars(
                select(TakedownRow).where(TakedownRow.article_id == article_id).order_by(TakedownRow.id.desc())
            ).first()
            if takedown is not None:
                takedown.restored_at, takedown.restored_by = now, by
            session.add(EventRow(article_id=article_id, at=now, kind="restored", detail=f"by {by}"))
            return True

    def takedown_of(self, article_id: str) -> dict[str, Any] | None:
        with self.session() as session:
            row = session.scalars(
                select(TakedownRow)
                .where(TakedownRow.article_id == article_id, TakedownRow.restored_at.is_(None))
                .order_by(TakedownRow.id.desc())
            ).first()
            return None if row is None else {"at": row.at, "by": row.by, "reason": row.reason}

    def upcoming(self, now: datetime, until: datetime) -> list[ArticleRow]:
        """Articles that go live (publish_at / embargo) between now and ``until``."""
        with self.session() as session:
            query = (
                select(ArticleRow)
                .where(
                    ArticleRow.taken_down_at.is_(None),
                    ArticleRow.visible_from > now,
                    ArticleRow.visible_from <= until,
                )
                .order_by(ArticleRow.visible_from, ArticleRow.id)
            )
            return list(session.scalars(query))

    # -- reading --------------------------------------------------------------
    def article(self, article_id: str) -> Article | None:
        with self.session() as session:
            row = session.get(ArticleRow, article_id)
            return Article.model_validate(row.data) if row else None

    def rows(self, ids: Iterable[str]) -> dict[str, ArticleRow]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, ArticleRow] = {}
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                for row in session.scalars(select(ArticleRow).where(ArticleRow.id.in_(chunk))):
                    found[row.id] = row
        return found

    def all_ids(self) -> list[str]:
        with self.session() as session:
            return list(session.scalars(select(ArticleRow.id).order_by(ArticleRow.id)))

    def live_ids(self, ids: Iterable[str], now: datetime) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        live: set[str] = set()
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                live.update(session.scalars(select(ArticleRow.id).where(ArticleRow.id.in_(chunk), _live(now))))
        return live

    def listing(
        self,
        now: datetime,
        *,
        sections: Sequence[str] | None = None,
        tag: str | None = None,
        limit: int | None = None,
        since: datetime | None = None,
        path_prefix: str | None = None,
    ) -> list[Listed]:
        """Live articles, newest first (ties broken by id, so the order is stable); of these
        sections, with this tag, published since ``since``, their path starting with ``path_prefix``."""
        query = _listing_query(_LISTED_COLUMNS, now, sections, tag)
        if since is not None:
            query = query.where(ArticleRow.published >= since)
        if path_prefix is not None:
            query = query.where(func.substr(ArticleRow.path, 1, len(path_prefix)) == path_prefix)
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            return [Listed(*row) for row in session.execute(query)]

    def newest_by_path_prefix(self, now: datetime, length: int) -> dict[str, datetime]:
        """The newest ``modified`` of the live articles, by the first ``length`` characters of
        their path (``yyyy/mm/`` for length 8: by month), grouped in the database."""
        prefix = func.substr(ArticleRow.path, 1, length)
        query = select(prefix, func.max(ArticleRow.modified)).where(_live(now)).group_by(prefix)
        with self.session() as session:
            return {str(key): _aggregate_stamp(newest) for key, newest in session.execute(query)}

    def listing_ids(self, now: datetime, *, sections: Sequence[str] | None = None, tag: str | None = None) -> list[str]:
        """The ids of :meth:`listing`, in its order: a listing's length and order, without reading its rows.

        A tag's comes from its range of the tag index alone, less the few articles not live
        (instead of looking up every article of the tag, which grows with the archive).
        """
        with self.session() as session:
            if tag is None or sections is not None:
                return list(session.scalars(_listing_query((ArticleRow.id,), now, sections, tag)))
            hidden = _hidden_ids(session, now)
            tagged = select(TagRow.article_id).where(TagRow.tag == tag).order_by(*_tag_order(TagRow))
            return [article_id for article_id in session.scalars(tagged) if article_id not in hidden]

    def listed(self, ids: Iterable[str]) -> dict[str, Listed]:
        """What listings show of these articles, by id (ids not found are left out)."""
        found: dict[str, Listed] = {}
        with self.session() as session:
            for chunk in _chunks(list(dict.fromkeys(ids)), 500):
                found.update(
                    (row[0], Listed(*row))
                    for row in session.execute(select(*_LISTED_COLUMNS).where(ArticleRow.id.in_(chunk)))
                )
        return found

    def recently_live(self, since: datetime, now: datetime) -> list[ArticleRow]:
        """Articles live now whose page went live since ``since`` (what distribution may announce)."""
        with self.session() as session:
            query = (
                select(ArticleRow)
                .where(ArticleRow.went_live_at >= since, ArticleRow.went_live_at <= now, _live(now))
                .order_by(ArticleRow.went_live_at, ArticleRow.id)
            )
            return list(session.scalars(query))

    def due(self, now: datetime) -> list[str]:
        """Articles whose time has come but that never went live (publish_at, embargo)."""
        with self.session() as session:
            query = select(ArticleRow.id).where(
                ArticleRow.went_live_at.is_(None), ArticleRow.status != BACKFILL, _live(now)
            )
            return list(session.scalars(query.order_by(ArticleRow.id)))

    def mark(self, ids: Iterable[str], status: str, now: datetime, detail: str = "") -> None:
        """Advance articles' status and timeline; the first 'published' also sets went_live_at."""
        wanted = list(dict.fromkeys(ids))
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                for row in session.scalars(select(ArticleRow).where(ArticleRow.id.in_(chunk))):
                    row.status = status
                    visible = row.visible_from is None or row.visible_from <= now
                    if status == "published" and row.went_live_at is None and visible:
                        row.went_live_at = now
                    session.add(EventRow(article_id=row.id, at=now, kind=status, detail=detail))

    def mark_backfilled(self, ids: Iterable[str], now: datetime, detail: str = "") -> None:
        """Archive articles published by a backfill: they went live when first published, long ago.

        So ``went_live_at`` is their publication date, and the social planner
        (which looks at articles that went live in the last days) never sees them.
        """
        wanted = list(dict.fromkeys(ids))
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                query = select(ArticleRow).where(ArticleRow.id.in_(chunk), ArticleRow.status != "published")
                for row in session.scalars(query):  # a rerun changes nothing, adds no event
                    row.status = "published"
                    if row.went_live_at is None:
                        row.went_live_at = min(row.published, now)
                    session.add(EventRow(article_id=row.id, at=now, kind="published", detail=detail))

    def backfilled_with(self, day: str) -> str | None:
        """The render fingerprint the day's backfill last completed with (None: never completed)."""
        with self.session() as session:
            row = session.get(BackfillDayRow, day)
            return row.fingerprint if row is not None else None

    def record_backfilled(self, day: str, fingerprint: str, articles: int, now: datetime) -> None:
        with self.session() as session:
            row = session.get(BackfillDayRow, day, with_for_update=True)
            if row is None:
                row = BackfillDayRow(day=day)
                session.add(row)
            row.fingerprint, row.articles, row.done_at = fingerprint, articles, now

    def add_backfill_pending(self, day: str, ids: Iterable[str], tags: Iterable[str]) -> None:
        """Articles and tags a backfill batch of ``day`` published, for a listings run to render."""
        rows = [("article", i) for i in dict.fromkeys(ids)] + [("tag", t) for t in dict.fromkeys(tags)]
        with self.session() as session:
            session.add_all(BackfillPendingRow(day=day, kind=kind, value=value) for kind, value in rows)

    def backfill_pending(self) -> list[tuple[int, str, str, str]]:
        """Everything pending, oldest first: (row id, day, kind, value)."""
        with self.session() as session:
            rows = session.scalars(select(BackfillPendingRow).order_by(BackfillPendingRow.id))
            return [(r.id, r.day, r.kind, r.value) for r in rows]

    def clear_backfill_pending(self, row_ids: Sequence[int]) -> None:
        with self.session() as session:
            for start in range(0, len(row_ids), 500):
                chunk = list(row_ids[start : start + 500])
                session.execute(delete(BackfillPendingRow).where(BackfillPendingRow.id.in_(chunk)))

    def unenriched(self, ids: Iterable[str]) -> list[str]:
        """Those of ``ids`` that enrichment has not seen yet (a batch killed between ingest and enrich)."""
        wanted = list(dict.fromkeys(ids))
        done: set[str] = set()
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                done.update(
                    session.scalars(select(EnrichmentRow.article_id).where(EnrichmentRow.article_id.in_(chunk)))
                )
        return [i for i in wanted if i not in done]

    # -- enrichment -----------------------------------------------------------
    def tags_of(self, ids: Iterable[str]) -> dict[str, list[Tag]]:
        wanted = list(dict.fromkeys(ids))
        result: dict[str, list[Tag]] = {i: [] for i in wanted}
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                query = (
                    select(TagRow.article_id, TagRow.tag, TagRow.name, TagRow.kind)
                    .where(TagRow.article_id.in_(chunk))
                    .order_by(TagRow.article_id, TagRow.tag)
                )
                for article_id, tag, name, kind in session.execute(query):  # rows, not ORM objects: 5x faster
                    result[article_id].append(Tag(tag, name, kind))
        return result

    def tag_first_page_lastmod(self, now: datetime, size: int) -> dict[str, datetime]:
        """For each tag in use: the newest ``modified`` among the ``size`` newest live articles it lists.

        One query: for each tag, the first ``size`` live rows of its range of the
        (tag, published, article_id) index, so the cost follows the number of tags,
        not the number of tagged articles.
        """
        tags = select(TagRow.tag).distinct().subquery("tags")
        member = aliased(TagRow, name="member")
        first_page = (
            select(ArticleRow.modified.label("modified"))
            .join(member, member.article_id == ArticleRow.id)
            .where(member.tag == tags.c.tag, _live(now))
            .order_by(*_tag_order(member))
            .limit(size)
            .correlate(tags)
            .subquery("first_page")
        )
        query = select(tags.c.tag, select(func.max(first_page.c.modified)).scalar_subquery())
        with self.session() as session:
            return {str(tag): _aggregate_stamp(newest) for tag, newest in session.execute(query) if newest is not None}

    def tag_names(self, slugs: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(slugs))
        names: dict[str, str] = {}
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                query = select(TagRow.tag, func.min(TagRow.name)).where(TagRow.tag.in_(chunk)).group_by(TagRow.tag)
                for slug, name in session.execute(query):
                    names[slug] = name
        return names

    @property
    def search(self) -> SearchIndex:
        return SearchIndex(self.engine)

    @property
    def registry(self) -> TagRegistry:
        return TagRegistry(self.engine)

    def save_enrichment(
        self,
        article_id: str,
        *,
        tags: Sequence[Tag],
        language: str,
        topics: Sequence[str],
        keywords: Sequence[str],
        notes: Sequence[str],
        now: datetime,
    ) -> None:
        """Tags, topics and keywords of one article, replacing the previous ones."""
        with self.session() as session:
            session.execute(delete(TagRow).where(TagRow.article_id == article_id))
            published = session.scalar(select(ArticleRow.published).where(ArticleRow.id == article_id))
            for tag in dict((t.slug, t) for t in tags).values():
                session.add(
                    TagRow(article_id=article_id, tag=tag.slug, name=tag.name, kind=tag.kind, published=published)
                )
            row = session.get(EnrichmentRow, article_id)
            if row is None:
                row = EnrichmentRow(article_id=article_id)
                session.add(row)
            row.language, row.topics, row.keywords = language, list(topics), list(keywords)
            row.notes, row.enriched_at = list(notes), now
            session.execute(delete(CandidateRow).where(CandidateRow.article_id == article_id))  # rows of older versions

    def enrichment_of(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, dict[str, Any]] = {}
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                for row in session.scalars(select(EnrichmentRow).where(EnrichmentRow.article_id.in_(chunk))):
                    found[row.article_id] = {
                        "language": row.language,
                        "topics": row.topics,
                        "keywords": row.keywords,
                        "notes": row.notes,
                    }
        return found

    def newer_relating(self, ids: Iterable[str], now: datetime, limit: int = 3) -> dict[str, list[str]]:
        """For each id, the newest live articles that list it among their related links (back-links)."""
        wanted = list(dict.fromkeys(ids))
        result: dict[str, list[str]] = {i: [] for i in wanted}
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                query = (
                    select(RelatedRow.related_id, ArticleRow.id)
                    .join(ArticleRow, ArticleRow.id == RelatedRow.article_id)
                    .where(RelatedRow.related_id.in_(chunk), RelatedRow.kind == "story", _live(now))
                    .order_by(RelatedRow.related_id, ArticleRow.published.desc(), ArticleRow.id)
                )
                for target, source in session.execute(query):
                    if len(result[target]) < limit:
                        result[target].append(source)
        return result

    def set_related(
        self, article_id: str, related: Sequence[str], *, story: int | None = None, sidebar: Sequence[str] = ()
    ) -> None:
        """An article's related links (the first ``story`` of them on the same story; all, if None)
        and its sidebar, replacing the previous ones."""
        story = len(related) if story is None else story
        with self.session() as session:
            session.execute(delete(RelatedRow).where(RelatedRow.article_id == article_id))
            session.execute(delete(SidebarRow).where(SidebarRow.article_id == article_id))
            for rank, other in enumerate(related):
                kind = "story" if rank < story else "more"
                session.add(RelatedRow(article_id=article_id, rank=rank, related_id=other, kind=kind))
            for rank, other in enumerate(sidebar):
                session.add(SidebarRow(article_id=article_id, rank=rank, item_id=other))

    def related_of(self, ids: Iterable[str], *, story_only: bool = False) -> dict[str, list[str]]:
        wanted = list(dict.fromkeys(ids))
        result: dict[str, list[str]] = {i: [] for i in wanted}
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                query = select(RelatedRow.article_id, RelatedRow.related_id).where(RelatedRow.article_id.in_(chunk))
                if story_only:
                    query = query.where(RelatedRow.kind == "story")
                for article_id, related_id in session.execute(query.order_by(RelatedRow.article_id, RelatedRow.rank)):
                    result[article_id].append(related_id)
        return result

    def sidebar_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        wanted = list(dict.fromkeys(ids))
        result: dict[str, list[str]] = {i: [] for i in wanted}
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                query = (
                    select(SidebarRow.article_id, SidebarRow.item_id)
                    .where(SidebarRow.article_id.in_(chunk))
                    .order_by(SidebarRow.article_id, SidebarRow.rank)
                )
                for article_id, item_id in session.execute(query):
                    result[article_id].append(item_id)
        return result

    def articles_relating_to(self, ids: Iterable[str]) -> set[str]:
        """Articles that show any of ``ids`` among their related links or in their sidebar."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self.session() as session:
            for chunk in _chunks(wanted, 500):
                found.update(session.scalars(select(RelatedRow.article_id).where(RelatedRow.related_id.in_(chunk))))
                found.update(session.scalars(select(SidebarRow.article_id).where(SidebarRow.item_id.in_(chunk))))
        return found - set(wanted)

    def count_live_before(self, now: datetime, before: datetime, *, limit: int) -> int:
        """How many live articles were published before ``before``, counting up to ``limit`` only."""
        inner = select(ArticleRow.id).where(_live(now), ArticleRow.published < before).limit(limit).subquery()
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(inner)) or 0)

    def latest_before(
        self,
        now: datetime,
        before: datetime,
        *,
        tag: str | None = None,
        sections: Sequence[str] | None = None,
        limit: int = 5,
        exclude: Collection[str] = (),
    ) -> list[Listed]:
        """The newest live articles published before ``before`` (with this tag, or in these
        sections), newest first; a bounded walk down an index whatever the archive's size."""
        query = select(*_LISTED_COLUMNS).where(_live(now), ArticleRow.published < before)
        if sections is not None:
            query = query.where(ArticleRow.section.in_(list(sections)))
        if tag is not None:
            query = query.join(TagRow, TagRow.article_id == ArticleRow.id).where(
                TagRow.tag == tag, TagRow.published < before
            )
            query = query.order_by(*_tag_order(TagRow))
        else:
            query = query.order_by(ArticleRow.published.desc(), ArticleRow.id.desc())
        if exclude:
            query = query.where(ArticleRow.id.not_in(list(exclude)))
        with self.session() as session:
            return [Listed(*row) for row in session.execute(query.limit(limit))]

    def tags_in_use(self, now: datetime, among: Sequence[str] | None = None) -> list[str]:
        """The tags of live articles (only those ``among`` these, if given), in order."""
        query = select(TagRow.tag).join(ArticleRow, ArticleRow.id == TagRow.article_id).where(_live(now))
        found: set[str] = set()
        with self.session() as session:
            if among is None:
                found.update(session.scalars(query.distinct()))
            for chunk in _chunks(list(dict.fromkeys(among or ())), 500):
                found.update(session.scalars(query.where(TagRow.tag.in_(chunk)).distinct()))
        return sorted(found)

    def tag_slugs(self) -> list[str]:
        """Every tag of any article, live or not, read from the tag index alone (cheap at any size)."""
        with self.session() as session:
            return list(session.scalars(select(TagRow.tag).distinct().order_by(TagRow.tag)))

    # -- published objects ----------------------------------------------------
    def objects(self, keys: Iterable[str] | None = None) -> dict[str, StoredObject]:
        with self.session() as session:
            query = select(ObjectRow)
            rows: list[ObjectRow] = []
            if keys is None:
                rows = list(session.scalars(query))
            else:
                for chunk in _chunks(list(dict.fromkeys(keys)), 500):
                    rows.extend(session.scalars(query.where(ObjectRow.key.in_(chunk))))
            return {r.key: StoredObject(r.key, r.md5, r.size, r.content_type, r.kind, r.article_id) for r in rows}

    def object_keys(self, *, prefix: str) -> list[str]:
        """The keys we uploaded that start with ``prefix``, in order."""
        with self.session() as session:
            query = select(ObjectRow.key).where(func.substr(ObjectRow.key, 1, len(prefix)) == prefix)
            return list(session.scalars(query.order_by(ObjectRow.key)))

    def record_uploads(self, objects: Sequence[StoredObject], now: datetime | None = None) -> None:
        now = now or utcnow()
        with self.session() as session:
            existing: dict[str, ObjectRow] = {}
            for chunk in _chunks(list({obj.key for obj in objects}), 500):
                existing.update((r.key, r) for r in session.scalars(select(ObjectRow).where(ObjectRow.key.in_(chunk))))
            for obj in objects:
                row = existing.get(obj.key)
                if row is None:
                    existing[obj.key] = row = ObjectRow(key=obj.key)
                    session.add(row)
                row.md5, row.size, row.content_type = obj.md5, obj.size, obj.content_type
                row.kind, row.article_id, row.uploaded_at = obj.kind, obj.article_id, now

    def forget_objects(self, keys: Iterable[str]) -> None:
        with self.session() as session:
            for chunk in _chunks(list(keys), 500):
                session.execute(delete(ObjectRow).where(ObjectRow.key.in_(chunk)))

    # -- status ---------------------------------------------------------------
    def status(self, ref: str) -> dict[str, Any] | None:
        """Everything known of an article id (or a quarantined file name)."""
        with self.session() as session:
            row = session.get(ArticleRow, ref)
            quarantined = list(
                session.scalars(
                    select(QuarantineRow)
                    .where(or_(QuarantineRow.article_id == ref, QuarantineRow.file == ref))
                    .order_by(QuarantineRow.at, QuarantineRow.id)
                )
            )
            if row is None and not quarantined:
                return None
            article_id = row.id if row else (quarantined[-1].article_id or ref)
            events = list(
                session.scalars(
                    select(EventRow).where(EventRow.article_id == article_id).order_by(EventRow.at, EventRow.id)
                )
            )
            objects = list(
                session.scalars(select(ObjectRow).where(ObjectRow.article_id == article_id).order_by(ObjectRow.key))
            )
            enrichment = session.get(EnrichmentRow, article_id)
            tags = list(session.scalars(select(TagRow).where(TagRow.article_id == article_id).order_by(TagRow.tag)))
            return {
                "id": article_id,
                "enrichment": None
                if enrichment is None
                else {
                    "tags": [f"{t.name} ({t.kind})" for t in tags],
                    "language": enrichment.language,
                    "topics": enrichment.topics,
                    "keywords": enrichment.keywords,
                    "notes": enrichment.notes,
                },
                "article": None
                if row is None
                else {
                    "status": row.status,
                    "version": row.version,
                    "title": row.title,
                    "section": row.section,
                    "path": row.path,
                    "published": row.published,
                    "modified": row.modified,
                    "visible_from": row.visible_from,
                    "went_live_at": row.went_live_at,
                    "taken_down_at": row.taken_down_at,
                    "notes": row.data.get("notes", []),
                },
                "quarantine": [
                    {
                        "file": q.file,
                        "at": q.at,
                        "stored_path": q.stored_path,
                        "report_path": q.report_path,
                        "problems": q.problems,
                    }
                    for q in quarantined
                ],
                "events": [{"at": e.at, "kind": e.kind, "detail": e.detail} for e in events],
                "objects": [{"key": o.key, "md5": o.md5, "uploaded_at": o.uploaded_at} for o in objects],
            }

    def counts(self) -> dict[str, int]:
        with self.session() as session:
            return {
                "articles": session.scalar(select(func.count()).select_from(ArticleRow)) or 0,
                "quarantined": session.scalar(select(func.count()).select_from(QuarantineRow)) or 0,
                "objects": session.scalar(select(func.count()).select_from(ObjectRow)) or 0,
                "published": session.scalar(
                    select(func.count()).select_from(ArticleRow).where(ArticleRow.status == "published")
                )
                or 0,
            }


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    return make_engine(url)
