"""Takedowns: an article withdrawn from every surface, who did it and why, and its restore.

Called through ``Store.takedowns`` by the takedown flow and the CLI
(``newsroom takedown``, ``newsroom restore``, ``newsroom status``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from newsroom.store.base import Repository
from newsroom.store.tables import ArticleRow, EventRow, TakedownRow


class TakedownRepository(Repository):
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
        """The bucket keys the takedown deleted (added to its record)."""
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

    def active(self, article_id: str) -> dict[str, Any] | None:
        """The article's takedown in force, its at, by and reason (None: not taken down, or restored)."""
        with self.session() as session:
            row = session.scalars(
                select(TakedownRow)
                .where(TakedownRow.article_id == article_id, TakedownRow.restored_at.is_(None))
                .order_by(TakedownRow.id.desc())
            ).first()
            return None if row is None else {"at": row.at, "by": row.by, "reason": row.reason}
