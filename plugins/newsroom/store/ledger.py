"""The delivery ledger: exactly once per (article, version, channel).

Every send is claimed first with a conditional UPDATE (``state='pending'``
-> ``'sending'`` with a fresh claim token), so two workers, a retried task
and a rerun can never both send the same row; the unique constraint on
(article, version, channel) keeps a rerun from planning it twice. A row left
in ``sending`` by a killed task is *stale*: it is reclaimed only through
:meth:`Ledger.claim_stale`, and the caller decides from the channel whether
a resend is safe (idempotency key), needs a look-up first, or must wait for
a person (state ``unknown``). When an article is taken down its ``sent``
rows become ``retracted`` once the platform deleted the post (see
``newsroom.phases.takedown``) and its ``pending`` rows ``skipped``.

Reached as ``Store.deliveries``; called by ``newsroom.distribute`` and the CLI (``newsroom status``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsroom.store.tables import DeliveryRow

PENDING, SENDING, SENT, FAILED, SKIPPED, UNKNOWN = "pending", "sending", "sent", "failed", "skipped", "unknown"
#: A sent post deleted again from its platform (its article was taken down).
RETRACTED = "retracted"


@dataclass(frozen=True)
class Claim:
    id: int
    article_id: str
    version: int
    channel: str
    token: str
    attempts: int
    idempotency_key: str
    stale: bool = False
    reason: str = ""


class Ledger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # -- planning -------------------------------------------------------------
    def plan(
        self,
        article_id: str,
        version: int,
        channel: str,
        idempotency_key: str,
        now: datetime,
        *,
        skip_reason: str | None = None,
        repost: bool = False,
    ) -> str:
        """Create the row once; return its state. A new version of an article already
        sent on this channel is skipped unless ``repost`` (the article asks for it)."""
        with self._session() as session, session.begin():
            existing = session.scalar(
                select(DeliveryRow).where(
                    DeliveryRow.article_id == article_id, DeliveryRow.version == version, DeliveryRow.channel == channel
                )
            )
            if existing is not None:
                return existing.state
            if skip_reason is None and not repost:
                earlier = session.scalar(
                    select(DeliveryRow.version).where(
                        DeliveryRow.article_id == article_id,
                        DeliveryRow.channel == channel,
                        DeliveryRow.version < version,
                        DeliveryRow.state.in_([SENT, SENDING, UNKNOWN, PENDING]),
                    )
                )
                if earlier is not None:
                    skip_reason = f"version {version} is a correction; version {earlier} was already posted"
        row = DeliveryRow(
            article_id=article_id,
            version=version,
            channel=channel,
            state=SKIPPED if skip_reason else PENDING,
            attempts=0,
            idempotency_key=idempotency_key,
            reason=skip_reason or "",
            created_at=now,
        )
        try:
            with self._session() as session, session.begin():
                session.add(row)
        except IntegrityError:  # planned concurrently by another run: theirs stands
            with self._session() as session:
                state = session.scalar(
                    select(DeliveryRow.state).where(
                        DeliveryRow.article_id == article_id,
                        DeliveryRow.version == version,
                        DeliveryRow.channel == channel,
                    )
                )
                return str(state)
        return row.state

    # -- claiming -------------------------------------------------------------
    def claim(self, channel: str, now: datetime, limit: int) -> list[Claim]:
        """Atomically take up to ``limit`` due pending rows of a channel, oldest first."""
        claims: list[Claim] = []
        if limit <= 0:
            return claims
        with self._session() as session:
            due = session.scalars(
                select(DeliveryRow.id)
                .where(
                    DeliveryRow.channel == channel,
                    DeliveryRow.state == PENDING,
                    (DeliveryRow.next_attempt_at.is_(None)) | (DeliveryRow.next_attempt_at <= now),
                )
                .order_by(DeliveryRow.created_at, DeliveryRow.id)
                .limit(limit * 4)
            ).all()
        for row_id in due:
            if len(claims) >= limit:
                break
            claim = self._take(row_id, now, (DeliveryRow.state == PENDING), stale=False)
            if claim is not None:
                claims.append(claim)
        return claims

    def claim_stale(self, channel: str, now: datetime, older_than: timedelta) -> list[Claim]:
        """Rows left in 'sending' longer than ``older_than`` (a killed or timed-out worker)."""
        cutoff = now - older_than
        with self._session() as session:
            ids = session.scalars(
                select(DeliveryRow.id).where(
                    DeliveryRow.channel == channel, DeliveryRow.state == SENDING, DeliveryRow.claimed_at < cutoff
                )
            ).all()
        claims = []
        for row_id in ids:
            claim = self._take(row_id, now, (DeliveryRow.state == SENDING) & (DeliveryRow.claimed_at < cutoff), True)
            if claim is not None:
                claims.append(claim)
        return claims

    def _take(self, row_id: int, now: datetime, condition: object, stale: bool) -> Claim | None:
        token = secrets.token_hex(16)
        with self._session() as session, session.begin():
            result = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == row_id, condition)  # type: ignore[arg-type]
                .values(state=SENDING, claimed_at=now, claim_token=token, attempts=DeliveryRow.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = session.get(DeliveryRow, row_id)
            assert row is not None
            return Claim(
                row.id,
                row.article_id,
                row.version,
                row.channel,
                token,
                row.attempts,
                row.idempotency_key,
                stale,
                row.reason,
            )

    # -- outcomes -------------------------------------------------------------
    def _finish(self, claim: Claim, **values: object) -> bool:
        with self._session() as session, session.begin():
            result = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == claim.id, DeliveryRow.claim_token == claim.token)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def sent(self, claim: Claim, remote_id: str, remote_url: str | None, now: datetime) -> bool:
        return self._finish(claim, state=SENT, remote_id=remote_id, remote_url=remote_url, sent_at=now, reason="")

    def retry(self, claim: Claim, reason: str, at: datetime) -> bool:
        return self._finish(claim, state=PENDING, next_attempt_at=at, reason=reason)

    def failed(self, claim: Claim, reason: str) -> bool:
        return self._finish(claim, state=FAILED, reason=reason)

    def unknown(self, claim: Claim, reason: str) -> bool:
        return self._finish(claim, state=UNKNOWN, reason=reason)

    def skip(self, claim: Claim, reason: str) -> bool:
        return self._finish(claim, state=SKIPPED, reason=reason)

    # -- reading --------------------------------------------------------------
    def sent_since(self, channel: str, since: datetime) -> list[datetime]:
        """When this channel posted since ``since`` (for pacing)."""
        with self._session() as session:
            times = session.scalars(
                select(DeliveryRow.sent_at).where(
                    DeliveryRow.channel == channel, DeliveryRow.state == SENT, DeliveryRow.sent_at >= since
                )
            ).all()
        return sorted(t for t in times if t is not None)

    def rows(self, article_id: str | None = None, channel: str | None = None) -> list[DeliveryRow]:
        with self._session() as session:
            query = select(DeliveryRow).order_by(DeliveryRow.article_id, DeliveryRow.channel, DeliveryRow.version)
            if article_id is not None:
                query = query.where(DeliveryRow.article_id == article_id)
            if channel is not None:
                query = query.where(DeliveryRow.channel == channel)
            return list(session.scalars(query))

    def counts(self) -> dict[str, int]:
        with self._session() as session:
            return {
                str(state): int(n)
                for state, n in session.execute(select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state))
            }

    def sent_rows(self, article_id: str) -> list[DeliveryRow]:
        """The article's deliveries in state ``sent`` (posts online on their platform)."""
        with self._session() as session:
            query = (
                select(DeliveryRow)
                .where(DeliveryRow.article_id == article_id, DeliveryRow.state == SENT)
                .order_by(DeliveryRow.channel, DeliveryRow.version, DeliveryRow.id)
            )
            return list(session.scalars(query))

    # -- takedown -------------------------------------------------------------
    def retracted(self, row_id: int, reason: str) -> bool:
        """A sent post deleted from its platform: ``sent`` -> ``retracted``."""
        return self._set_state(row_id, [SENT], state=RETRACTED, reason=reason)

    def note(self, row_id: int, reason: str) -> bool:
        """Record why a sent post is still online (the platform refused to delete it); the row stays ``sent``."""
        return self._set_state(row_id, [SENT], reason=reason)

    def skip_pending(self, article_id: str, reason: str) -> int:
        """Every ``pending`` delivery of the article becomes ``skipped``; how many did."""
        with self._session() as session, session.begin():
            result = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.article_id == article_id, DeliveryRow.state == PENDING)
                .values(state=SKIPPED, reason=reason, claim_token=None)
                .execution_options(synchronize_session=False)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def _set_state(self, row_id: int, states: list[str], **values: object) -> bool:
        with self._session() as session, session.begin():
            result = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == row_id, DeliveryRow.state.in_(states))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def release(self, row_id: int, reason: str, now: datetime) -> bool:
        """A person's decision after checking the platform: make a failed/unknown row pending again."""
        with self._session() as session, session.begin():
            result = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == row_id, DeliveryRow.state.in_([FAILED, UNKNOWN]))
                .values(state=PENDING, next_attempt_at=now, reason=reason, claim_token=None)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]
