"""Backfills: which archive days were rendered with which fingerprint, and what listings still owe.

Called through ``Store.backfills`` by ``newsroom.phases.backfill``: a rerun of a day
with nothing new renders nothing (:meth:`BackfillRepository.fingerprint_of`),
and a later listings run renders the tags and articles the batches published
(:meth:`BackfillRepository.pending`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select

from newsroom.store.base import Repository, chunked
from newsroom.store.tables import BackfillDayRow, BackfillPendingRow


class BackfillRepository(Repository):
    def fingerprint_of(self, day: str) -> str | None:
        """The render fingerprint the day's backfill last completed with (None: never completed)."""
        with self.session() as session:
            row = session.get(BackfillDayRow, day)
            return row.fingerprint if row is not None else None

    def record_day(self, day: str, fingerprint: str, articles: int, now: datetime) -> None:
        with self.session() as session:
            row = session.get(BackfillDayRow, day, with_for_update=True)
            if row is None:
                row = BackfillDayRow(day=day)
                session.add(row)
            row.fingerprint, row.articles, row.done_at = fingerprint, articles, now

    def add_pending(self, day: str, ids: Iterable[str], tags: Iterable[str]) -> None:
        """Articles and tags a backfill batch of ``day`` published, for a listings run to render."""
        rows = [("article", i) for i in dict.fromkeys(ids)] + [("tag", t) for t in dict.fromkeys(tags)]
        with self.session() as session:
            session.add_all(BackfillPendingRow(day=day, kind=kind, value=value) for kind, value in rows)

    def pending(self) -> list[tuple[int, str, str, str]]:
        """Everything pending, oldest first: (row id, day, kind, value)."""
        with self.session() as session:
            rows = session.scalars(select(BackfillPendingRow).order_by(BackfillPendingRow.id))
            return [(r.id, r.day, r.kind, r.value) for r in rows]

    def clear_pending(self, row_ids: Sequence[int]) -> None:
        with self.session() as session:
            for chunk in chunked(row_ids):
                session.execute(delete(BackfillPendingRow).where(BackfillPendingRow.id.in_(list(chunk))))
