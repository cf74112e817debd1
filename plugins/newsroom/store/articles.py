"""Articles: filing versions and quarantined files, reading articles, their status along the pipeline.

Called through ``Store.articles`` by the phases (ingest, render, publish,
distribute) and the CLI. A version filed twice is not a new version
(:func:`content_hash`); an article's path is frozen at its first filing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsroom.models import Article, ArticleRecord, Filed, TakenDownError
from newsroom.store.base import Repository, ids_param, in_chunks, now_param, unique
from newsroom.store.live import is_visible, live
from newsroom.store.tables import ArticleRow, EventRow, QuarantineRow, TagRow, VersionRow

BACKFILL = "backfill"  # the status of an archive article between its backfill's ingest and publish


def utcnow() -> datetime:
    return datetime.now(UTC)


def content_hash(article: Article) -> str:
    """Identity of a version: the same article filed twice is not a new version."""
    payload = article.model_dump_json(exclude={"notes"})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# an ArticleRecord's fields, in order, as columns: rows read as plain tuples (no ORM objects to build)
RECORD_COLUMNS = (
    ArticleRow.id,
    ArticleRow.version,
    ArticleRow.content_hash,
    ArticleRow.slug,
    ArticleRow.path,
    ArticleRow.section,
    ArticleRow.title,
    ArticleRow.summary,
    ArticleRow.image_url,
    ArticleRow.image_alt,
    ArticleRow.published,
    ArticleRow.modified,
    ArticleRow.visible_from,
    ArticleRow.went_live_at,
    ArticleRow.taken_down_at,
    ArticleRow.status,
    ArticleRow.filed_at,
    ArticleRow.data,
)


_RECORDS_OF = select(*RECORD_COLUMNS).where(ArticleRow.id.in_(ids_param()))
_AUTHORS_OF = select(ArticleRow.id, ArticleRow.data["authors"]).where(ArticleRow.id.in_(ids_param()))
_LIVE_OF = select(ArticleRow.id).where(live(now_param()), ArticleRow.id.in_(ids_param()))


def _records(session: Session, query: Any) -> list[ArticleRecord]:
    """The records of ``query`` (a select of :data:`RECORD_COLUMNS`)."""
    return [ArticleRecord(*row) for row in session.execute(query)]


class ArticleRepository(Repository):
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
        with self.session() as session:
            return self._record(session, article, source_file, archived_path, tz, now or utcnow(), status)

    def record_versions(
        self,
        filings: Sequence[tuple[Article, str, str | None]],
        *,
        tz: ZoneInfo,
        now: datetime | None = None,
        status: str = "filed",
    ) -> list[Filed | TakenDownError]:
        """:meth:`record_version` for each (article, source file, archived path), in one transaction.

        A backfill batch's articles: one commit instead of one per article. An article
        taken down is refused (its TakenDownError in its place) and the others stored.
        """
        now = now or utcnow()
        out: list[Filed | TakenDownError] = []
        with self.session() as session:
            for article, source_file, archived_path in filings:
                try:
                    out.append(self._record(session, article, source_file, archived_path, tz, now, status))
                except TakenDownError as exc:  # raised before anything of it was changed
                    out.append(exc)
        return out

    def _record(
        self,
        session: Session,
        article: Article,
        source_file: str,
        archived_path: str | None,
        tz: ZoneInfo,
        now: datetime,
        status: str,
    ) -> Filed:
        digest = content_hash(article)
        row = session.get(ArticleRow, article.id, with_for_update=True)
        if row is not None and row.taken_down_at is not None:
            raise TakenDownError(article.id, row.taken_down_at, tz)
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

    # -- reading --------------------------------------------------------------
    def get(self, article_id: str) -> Article | None:
        with self.session() as session:
            row = session.get(ArticleRow, article_id)
            return Article.model_validate(row.data) if row else None

    def records(self, ids: Iterable[str]) -> dict[str, ArticleRecord]:
        """The records of these articles, by id (ids not found are left out)."""
        return {row[0]: ArticleRecord(*row) for row in self.read_in(_RECORDS_OF, ids)}

    def authors(self, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The current version's authors of these articles, by id (ids not found are left out): what a
        feed entry needs of an article beyond its listing row, read without its body."""
        return {row[0]: tuple(str(a) for a in row[1] or ()) for row in self.read_in(_AUTHORS_OF, ids)}

    def all_ids(self) -> list[str]:
        with self.session() as session:
            return list(session.scalars(select(ArticleRow.id).order_by(ArticleRow.id)))

    def live_ids(self, ids: Iterable[str], now: datetime) -> set[str]:
        return {row[0] for row in self.read_in(_LIVE_OF, ids, now=now)}

    def waiting_ids(self, ids: Iterable[str], now: datetime) -> list[str]:
        """Those of ``ids`` not live yet but not taken down either (publish_at / embargo ahead), in order."""
        wanted = unique(ids)
        live_now = self.live_ids(wanted, now)
        records = self.records(wanted)
        return sorted(i for i in set(wanted) - live_now if i in records and records[i].taken_down_at is None)

    def upcoming(self, now: datetime, until: datetime) -> list[ArticleRecord]:
        """Articles that go live (publish_at / embargo) between now and ``until``."""
        with self.session() as session:
            query = (
                select(*RECORD_COLUMNS)
                .where(
                    ArticleRow.taken_down_at.is_(None),
                    ArticleRow.visible_from > now,
                    ArticleRow.visible_from <= until,
                )
                .order_by(ArticleRow.visible_from, ArticleRow.id)
            )
            return _records(session, query)

    def recently_live(self, since: datetime, now: datetime) -> list[ArticleRecord]:
        """Articles live now whose page went live since ``since`` (what distribution may announce)."""
        with self.session() as session:
            query = (
                select(*RECORD_COLUMNS)
                .where(ArticleRow.went_live_at >= since, ArticleRow.went_live_at <= now, live(now))
                .order_by(ArticleRow.went_live_at, ArticleRow.id)
            )
            return _records(session, query)

    def went_live_between(self, start: datetime, end: datetime, now: datetime) -> list[ArticleRecord]:
        """Live articles published in [start, end) whose page went live, newest first (a digest's day)."""
        query = (
            select(*RECORD_COLUMNS)
            .where(
                ArticleRow.published >= start,
                ArticleRow.published < end,
                ArticleRow.went_live_at.is_not(None),
                live(now),
            )
            .order_by(ArticleRow.published.desc(), ArticleRow.id.desc())
        )
        with self.session() as session:
            return _records(session, query)

    def due(self, now: datetime) -> list[str]:
        """Articles whose time has come but that never went live (publish_at, embargo)."""
        with self.session() as session:
            query = select(ArticleRow.id).where(
                ArticleRow.went_live_at.is_(None), ArticleRow.status != BACKFILL, live(now)
            )
            return list(session.scalars(query.order_by(ArticleRow.id)))

    # -- along the pipeline ---------------------------------------------------
    def mark(self, ids: Iterable[str], status: str, now: datetime, detail: str = "") -> None:
        """Advance articles' status and timeline; the first 'published' also sets went_live_at."""
        with self.session() as session:
            for row in in_chunks(session, select(ArticleRow), ArticleRow.id, ids, scalars=True):
                row.status = status
                if status == "published" and row.went_live_at is None and is_visible(row.visible_from, now):
                    row.went_live_at = now
                session.add(EventRow(article_id=row.id, at=now, kind=status, detail=detail))

    def mark_backfilled(self, ids: Iterable[str], now: datetime, detail: str = "") -> None:
        """Archive articles published by a backfill: they went live when first published, long ago.

        So ``went_live_at`` is their publication date, and the social planner
        (which looks at articles that went live in the last days) never sees them.
        """
        query = select(ArticleRow).where(ArticleRow.status != "published")
        with self.session() as session:
            for row in in_chunks(session, query, ArticleRow.id, ids, scalars=True):  # a rerun changes nothing
                row.status = "published"
                if row.went_live_at is None:
                    row.went_live_at = min(row.published, now)
                session.add(EventRow(article_id=row.id, at=now, kind="published", detail=detail))
