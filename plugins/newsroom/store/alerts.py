"""The alerts the watchdog has sent, so each problem is told once (``Store.alerts``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from newsroom.store.base import Repository
from newsroom.store.tables import AlertRow


class AlertRepository(Repository):
    def unsent(self, keys: Iterable[str]) -> set[str]:
        wanted = set(keys)
        if not wanted:
            return set()
        with self.session() as session:
            sent = set(session.scalars(select(AlertRow.key).where(AlertRow.key.in_(sorted(wanted)))))
        return wanted - sent

    def record(self, alerts: dict[str, str], now: datetime) -> None:
        with self.session() as session:
            for key, text in alerts.items():
                session.merge(AlertRow(key=key, text=text, sent_at=now))

    def sent(self) -> list[AlertRow]:
        with self.session() as session:
            return list(session.scalars(select(AlertRow).order_by(AlertRow.sent_at, AlertRow.key)))
