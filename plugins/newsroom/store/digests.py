"""The digest ledger: exactly once per (digest date, list) and per recipient.

Three tables of the store (declared in ``newsroom.store.tables`` beside the
social delivery ledger, and created with the others by the migrations):

- ``digest_editions``: one row per digest date, what was built (subject,
  article ids) and when its web page went up (the archive index lists these);
- ``digest_sends``: one row per (date, list) with its state;
- ``digest_recipients``: one row per (date, list, recipient) with ``sent_at``.

A recipient row moves ``pending -> claimed -> sending -> sent``, every step a
conditional UPDATE that names the claim token, so two workers, a retried
task, a zombie attempt and a DAG rerun can never both send to the same
address: a row reaches ``sending`` once, and ``sending`` never goes back to
``pending``. The outcomes off that path are ``failed`` (the server refused
the address for good), ``deferred`` (the server said "not now": kept out of
this attempt, pending again at its end), ``skipped`` (unsubscribed before it
was sent to) and
``unknown`` (the worker died between handing the message to the server and
recording it: it may have been delivered, so it is not resent; a person can
release it with :meth:`DigestLedger.release_unknown`).

Claims of a dead attempt are recovered by the next one: ``claimed`` and
``deferred`` rows (not handed to SMTP) go back to ``pending``, ``sending`` rows become
``unknown``. An attempt is dead when the same owner (the Airflow task of the
same DAG run) comes back with a new token, or when its heartbeat
(``claimed_at``, refreshed on every message) is older than ``STALE_AFTER``.

Reached as ``Store.digests``; called by ``newsroom.digest.send`` and ``newsroom.digest.build``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from newsroom.store.tables import DigestEditionRow, DigestRecipientRow, DigestSendRow

# digest_sends.state
PENDING, SENDING, SENT, EMPTY, HELD = "pending", "sending", "sent", "empty", "held"
# digest_recipients.state (also PENDING, SENT)
CLAIMED, IN_FLIGHT, DEFERRED = "claimed", "sending", "deferred"
FAILED, SKIPPED, UNKNOWN = "failed", "skipped", "unknown"
OPEN_STATES = (PENDING, CLAIMED, IN_FLIGHT, DEFERRED)
NOT_HANDED_OVER = (CLAIMED, DEFERRED)  # claimed rows certainly not delivered: safe to give back

STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""


@dataclass(frozen=True)
class Edition:
    digest_date: str
    subject: str
    articles: int
    page_published_at: datetime | None


@dataclass(frozen=True)
class Registered:
    added: int
    skipped: int
    total: int


def new_token() -> str:
    return secrets.token_hex(16)


class DigestLedger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- editions -------------------------------------------------------------
    def record_edition(
        self, digest_date: str, subject: str, article_ids: Sequence[str], content_md5: str, now: datetime
    ) -> None:
        values: dict[str, Any] = {
            "subject": subject,
            "articles": len(article_ids),
            "article_ids": list(article_ids),
            "content_md5": content_md5,
            "built_at": now,
        }
        with self.engine.begin() as conn:
            done = conn.execute(
                update(DigestEditionRow).where(DigestEditionRow.digest_date == digest_date).values(**values)
            )
            if done.rowcount:
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(DigestEditionRow).values(digest_date=digest_date, **values))
        except IntegrityError:  # built concurrently: update theirs
            with self.engine.begin() as conn:
                conn.execute(
                    update(DigestEditionRow).where(DigestEditionRow.digest_date == digest_date).values(**values)
                )

    def page_published(self, digest_date: str, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(DigestEditionRow)
                .where(DigestEditionRow.digest_date == digest_date, DigestEditionRow.page_published_at.is_(None))
                .values(page_published_at=now)
            )

    def edition(self, digest_date: str) -> Edition | None:
        found = [e for e in self.editions(published_only=False) if e.digest_date == digest_date]
        return found[0] if found else None

    def editions_listing(self, article_ids: Iterable[str]) -> list[str]:
        """Dates whose published web page lists any of these articles (to re-render after a takedown)."""
        wanted = set(article_ids)
        query = select(DigestEditionRow.digest_date, DigestEditionRow.article_ids).where(
            DigestEditionRow.page_published_at.is_not(None)
        )
        with self.engine.connect() as conn:
            return sorted(str(day) for day, ids in conn.execute(query) if wanted & set(ids or []))

    def editions(self, published_only: bool = True) -> list[Edition]:
        """Editions newest first (those whose web page is up, by default)."""
        query = select(
            DigestEditionRow.digest_date,
            DigestEditionRow.subject,
            DigestEditionRow.articles,
            DigestEditionRow.page_published_at,
        ).order_by(DigestEditionRow.digest_date.desc())
        if published_only:
            query = query.where(DigestEditionRow.page_published_at.is_not(None))
        with self.engine.connect() as conn:
            return [Edition(*row) for row in conn.execute(query)]

    # -- (date, list) ---------------------------------------------------------
    def send_state(self, digest_date: str, list_name: str) -> str | None:
        with self.engine.connect() as conn:
            state = conn.scalar(
                select(DigestSendRow.state).where(
                    DigestSendRow.digest_date == digest_date, DigestSendRow.list_name == list_name
                )
            )
        return None if state is None else str(state)

    def set_send_state(
        self, digest_date: str, list_name: str, state: str, now: datetime, reason: str = "", content_md5: str = ""
    ) -> str:
        """Move (date, list) to ``state`` unless it is already sent (final); return the state it is in."""
        key = and_(DigestSendRow.digest_date == digest_date, DigestSendRow.list_name == list_name)
        values: dict[str, Any] = {"state": state, "reason": reason, "updated_at": now}
        if content_md5:
            values["content_md5"] = content_md5
        if state == SENT:
            values["completed_at"] = now
        for _ in range(2):
            with self.engine.begin() as conn:
                done = conn.execute(update(DigestSendRow).where(key, DigestSendRow.state != SENT).values(**values))
                if done.rowcount:
                    return state
                current = conn.scalar(select(DigestSendRow.state).where(key))
                if current is not None:
                    return str(current)
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(DigestSendRow).values(
                            digest_date=digest_date, list_name=list_name, created_at=now, **values
                        )
                    )
                return state
            except IntegrityError:  # created concurrently: go round once more
                continue
        raise RuntimeError(f"digest {digest_date}/{list_name}: could not record state {state!r}")

    # -- recipients -----------------------------------------------------------
    def register(self, digest_date: str, list_name: str, recipients: Sequence[Recipient]) -> Registered:
        """Add the list's current subscribers; pending ones no longer subscribed are skipped."""
        wanted = {r.email: r for r in recipients}
        key = and_(DigestRecipientRow.digest_date == digest_date, DigestRecipientRow.list_name == list_name)
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    known = {
                        str(email): str(state)
                        for email, state in conn.execute(
                            select(DigestRecipientRow.email, DigestRecipientRow.state).where(key)
                        )
                    }
                    new = [r for email, r in wanted.items() if email not in known]
                    for start in range(0, len(new), 500):
                        conn.execute(
                            insert(DigestRecipientRow),
                            [
                                {
                                    "digest_date": digest_date,
                                    "list_name": list_name,
                                    "email": r.email,
                                    "name": r.name,
                                    "state": PENDING,
                                    "message_id": "",
                                    "reason": "",
                                }
                                for r in new[start : start + 500]
                            ],
                        )
                    gone = [email for email, state in known.items() if state == PENDING and email not in wanted]
                    for start in range(0, len(gone), 500):
                        conn.execute(
                            update(DigestRecipientRow)
                            .where(
                                key,
                                DigestRecipientRow.email.in_(gone[start : start + 500]),
                                DigestRecipientRow.state == PENDING,
                            )
                            .values(state=SKIPPED, reason="no longer in the subscriber list")
                        )
                    return Registered(len(new), len(gone), len(known) + len(new))
            except IntegrityError:  # another worker registered the same addresses: read them again
                continue
        raise RuntimeError(f"digest {digest_date}/{list_name}: could not register recipients")

    def recover(self, digest_date: str, list_name: str, owner: str, token: str, now: datetime) -> dict[str, int]:
        """Claims of dead attempts: not yet handed over -> pending; maybe delivered -> unknown."""
        dead = and_(
            DigestRecipientRow.digest_date == digest_date,
            DigestRecipientRow.list_name == list_name,
            DigestRecipientRow.claim_token != token,
            or_(DigestRecipientRow.owner == owner, DigestRecipientRow.claimed_at < now - STALE_AFTER),
        )
        with self.engine.begin() as conn:
            released = conn.execute(
                update(DigestRecipientRow)
                .where(dead, DigestRecipientRow.state.in_(NOT_HANDED_OVER))
                .values(state=PENDING, owner=None, claim_token=None, claimed_at=None)
            ).rowcount
            uncertain = conn.execute(
                update(DigestRecipientRow)
                .where(dead, DigestRecipientRow.state == IN_FLIGHT)
                .values(
                    state=UNKNOWN,
                    reason="the sending worker died after handing the message to the server: maybe delivered",
                )
            ).rowcount
        return {"released": int(released), "unknown": int(uncertain)}

    def claim_batch(
        self, digest_date: str, list_name: str, owner: str, token: str, size: int, now: datetime
    ) -> list[Recipient]:
        """Take up to ``size`` pending recipients for this token: one conditional UPDATE, so never two workers.

        Under concurrency another worker may take the rows picked by the sub-select first: then this
        claims fewer (or none) and looks again while pending rows remain.
        """
        key = and_(DigestRecipientRow.digest_date == digest_date, DigestRecipientRow.list_name == list_name)
        for _ in range(20):
            picked = (
                select(DigestRecipientRow.email)
                .where(key, DigestRecipientRow.state == PENDING)
                .order_by(DigestRecipientRow.email)
                .limit(size)
                .scalar_subquery()
            )
            with self.engine.begin() as conn:
                claimed = conn.execute(
                    update(DigestRecipientRow)
                    .where(key, DigestRecipientRow.state == PENDING, DigestRecipientRow.email.in_(picked))
                    .values(state=CLAIMED, owner=owner, claim_token=token, claimed_at=now)
                ).rowcount
                if claimed:
                    # every earlier batch of this attempt is settled (sent, failed, deferred, unknown): only these
                    rows = conn.execute(
                        select(DigestRecipientRow.email, DigestRecipientRow.name)
                        .where(key, DigestRecipientRow.claim_token == token, DigestRecipientRow.state == CLAIMED)
                        .order_by(DigestRecipientRow.email)
                    )
                    return [Recipient(str(email), str(name)) for email, name in rows]
                left = conn.scalar(
                    select(func.count()).select_from(DigestRecipientRow).where(key, DigestRecipientRow.state == PENDING)
                )
            if not left:
                return []
        return []

    def _move(self, digest_date: str, list_name: str, email: str, token: str, from_state: str, **values: Any) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(DigestRecipientRow)
                .where(
                    DigestRecipientRow.digest_date == digest_date,
                    DigestRecipientRow.list_name == list_name,
                    DigestRecipientRow.email == email,
                    DigestRecipientRow.claim_token == token,
                    DigestRecipientRow.state == from_state,
                )
                .values(**values)
            )
            return bool(done.rowcount == 1)

    def start_sending(self, digest_date: str, list_name: str, email: str, token: str, now: datetime) -> bool:
        """claimed -> sending (also the heartbeat). False: the claim was lost; do not send."""
        return self._move(digest_date, list_name, email, token, CLAIMED, state=IN_FLIGHT, claimed_at=now)

    def mark_sent(
        self, digest_date: str, list_name: str, email: str, token: str, message_id: str, now: datetime
    ) -> bool:
        return self._move(
            digest_date, list_name, email, token, IN_FLIGHT, state=SENT, sent_at=now, message_id=message_id, reason=""
        )

    def mark_failed(self, digest_date: str, list_name: str, email: str, token: str, reason: str) -> bool:
        return self._move(digest_date, list_name, email, token, IN_FLIGHT, state=FAILED, reason=reason)

    def mark_unknown(self, digest_date: str, list_name: str, email: str, token: str, reason: str) -> bool:
        return self._move(digest_date, list_name, email, token, IN_FLIGHT, state=UNKNOWN, reason=reason)

    def mark_deferred(self, digest_date: str, list_name: str, email: str, token: str, reason: str) -> bool:
        """The server said "not now" (4xx): certainly not delivered; kept by this attempt, released at its end."""
        return self._move(digest_date, list_name, email, token, IN_FLIGHT, state=DEFERRED, reason=reason)

    def mark_retry(self, digest_date: str, list_name: str, email: str, token: str, reason: str) -> bool:
        """The server refused it for now (4xx): certainly not delivered, back to pending."""
        return self._move(
            digest_date,
            list_name,
            email,
            token,
            IN_FLIGHT,
            state=PENDING,
            owner=None,
            claim_token=None,
            claimed_at=None,
            reason=reason,
        )

    def release(self, digest_date: str, list_name: str, token: str) -> int:
        """This attempt's claims it did not send (an error ended the batch, or deferred): back to pending."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(DigestRecipientRow)
                .where(
                    DigestRecipientRow.digest_date == digest_date,
                    DigestRecipientRow.list_name == list_name,
                    DigestRecipientRow.claim_token == token,
                    DigestRecipientRow.state.in_(NOT_HANDED_OVER),
                )
                .values(state=PENDING, owner=None, claim_token=None, claimed_at=None)
            )
            return int(done.rowcount)

    def release_unknown(self, digest_date: str, list_name: str, emails: Iterable[str]) -> int:
        """A person's decision (after checking the mail logs): send these ``unknown`` recipients again."""
        wanted = list(emails)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(DigestRecipientRow)
                .where(
                    DigestRecipientRow.digest_date == digest_date,
                    DigestRecipientRow.list_name == list_name,
                    DigestRecipientRow.email.in_(wanted),
                    DigestRecipientRow.state == UNKNOWN,
                )
                .values(state=PENDING, owner=None, claim_token=None, claimed_at=None, reason="released by hand")
            )
            if done.rowcount:
                conn.execute(
                    update(DigestSendRow)
                    .where(DigestSendRow.digest_date == digest_date, DigestSendRow.list_name == list_name)
                    .values(state=SENDING, completed_at=None)
                )
            return int(done.rowcount)

    # -- reading --------------------------------------------------------------
    def counts(self, digest_date: str, list_name: str) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(DigestRecipientRow.state, func.count())
                .where(DigestRecipientRow.digest_date == digest_date, DigestRecipientRow.list_name == list_name)
                .group_by(DigestRecipientRow.state)
            )
            return {str(state): int(n) for state, n in rows}

    def recipients(self, digest_date: str, list_name: str) -> list[DigestRecipientRow]:
        from sqlalchemy.orm import Session

        with Session(self.engine, expire_on_commit=False) as session:
            query = (
                select(DigestRecipientRow)
                .where(DigestRecipientRow.digest_date == digest_date, DigestRecipientRow.list_name == list_name)
                .order_by(DigestRecipientRow.email)
            )
            return list(session.scalars(query))
