"""Status: everything known of an article (or a quarantined file), and the store's counts.

Called through ``Store.status`` by the CLI (``newsroom status``) and the dev stacks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from newsroom.store.base import Repository
from newsroom.store.live import live
from newsroom.store.tables import (
    ArticleRow,
    DeliveryRow,
    EnrichmentRow,
    EventRow,
    ObjectRow,
    QuarantineRow,
    TagRow,
)


class StatusRepository(Repository):
    def of(self, ref: str) -> dict[str, Any] | None:
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
                    "content_hash": row.content_hash,
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

    def quarantined(self, limit: int = 50) -> list[QuarantineRow]:
        """The latest refused filings whose article has not been stored since (the desk's to-do list)."""
        with self.session() as session:
            stored_since = (
                select(ArticleRow.id)
                .where(ArticleRow.id == QuarantineRow.article_id, ArticleRow.filed_at >= QuarantineRow.at)
                .exists()
            )
            query = select(QuarantineRow).where(~stored_since).order_by(QuarantineRow.at.desc()).limit(limit)
            return list(session.scalars(query))

    def deliveries_to_check(self, limit: int = 100) -> list[DeliveryRow]:
        """Social deliveries a person must look at: ``unknown`` (sent or not?) and ``failed``."""
        with self.session() as session:
            query = (
                select(DeliveryRow)
                .where(DeliveryRow.state.in_(["unknown", "failed"]))
                .order_by(DeliveryRow.id.desc())
                .limit(limit)
            )
            return list(session.scalars(query))

    def quarantine_row(self, row_id: int) -> QuarantineRow | None:
        with self.session() as session:
            return session.get(QuarantineRow, row_id)

    def overdue(self, due_before: datetime, limit: int = 200) -> list[ArticleRow]:
        """Articles that should be live by ``due_before`` (visible, not taken down) and are not published."""
        with self.session() as session:
            due = func.coalesce(ArticleRow.visible_from, ArticleRow.filed_at)
            query = (
                select(ArticleRow)
                .where(live(due_before), ArticleRow.status != "published", due <= due_before)
                .order_by(due)
                .limit(limit)
            )
            return list(session.scalars(query))
