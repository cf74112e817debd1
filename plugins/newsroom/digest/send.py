"""Send a built digest to each list in ``digest.lists``: once per (date, list) and per recipient.

Whether to send at all is decided first, and recorded per (date, list):

- ``digest.enabled`` false: nothing, nothing recorded;
- no articles that day and not ``digest.send_empty``: state ``empty``;
- a backfill run, or a digest date more than ``MAX_AGE_DAYS`` days old:
  state ``held``, unless ``force`` (the DAG's ``params.force_send``); even
  forced, the ledger still refuses a second send;
- a (date, list) already ``sent`` is final: a rerun sends nothing.

Then, per list: the subscriber CSV (path relative to the configuration file)
is registered in the ledger (new addresses added, pending ones that left the
list skipped), claims of dead attempts are recovered, and batches of
``digest.batch_size`` recipients are claimed with a conditional UPDATE and
sent over one SMTP session per batch, one message per recipient. Each
recipient is moved to ``sending`` just before its message is handed over and
to ``sent`` right after, so a task killed at any point leaves at most one
address per worker whose fate is unknown (state ``unknown``, never resent
automatically) and every other address either sent or still pending for
the retry. A 5xx for an address marks it ``failed``; a 4xx keeps it for a
later attempt; a lost connection ends the attempt (Airflow retries it).

Called by ``newsroom.phases.digest.send`` (the ``send`` task of ``dags/daily_digest.py``).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from newsroom.config import DigestList, NewsroomConfig
from newsroom.contracts import BuiltDigest, DigestSendResult, ListOutcome
from newsroom.digest.build import MAX_AGE_DAYS, age_in_days
from newsroom.digest.edition import build_digest, load_built
from newsroom.digest.email import SmtpSettings, compose, read_subscribers, sender_address
from newsroom.files import Files
from newsroom.store import Store, utcnow
from newsroom.store.digests import (
    EMPTY,
    FAILED,
    HELD,
    OPEN_STATES,
    SENDING,
    SENT,
    SKIPPED,
    UNKNOWN,
    DigestLedger,
    Recipient,
    new_token,
)

log = logging.getLogger(__name__)

AfterBatch = Callable[[str, int], None]


class DigestIncompleteError(RuntimeError):
    """Some recipients are still to be sent (deferred by the server, or claimed by a live worker): retry later."""


def hold_reason(
    config: NewsroomConfig, day: date, articles: int, *, run_type: str, force: bool, now: datetime
) -> tuple[str, str] | None:
    """(state, reason) when this run must not send, else None."""
    if articles == 0 and not config.digest.send_empty:
        return EMPTY, "no article was published that day (digest.send_empty is false)"
    if run_type == "backfill" and not force:
        return HELD, "a backfill run never sends (trigger with params.force_send to send it)"
    age = age_in_days(day, now, config.site.tz)
    if age > MAX_AGE_DAYS and not force:
        return HELD, f"the digest date is {age} days old, more than {MAX_AGE_DAYS} (params.force_send to send it)"
    return None


class _ListSender:
    def __init__(
        self,
        config: NewsroomConfig,
        ledger: DigestLedger,
        meta: dict[str, Any],
        html: str,
        text: str,
        *,
        owner: str,
        clock: Callable[[], datetime],
        smtp: SmtpSettings,
        after_batch: AfterBatch | None,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.meta = meta
        self.html = html
        self.text = text
        self.owner = owner
        self.clock = clock
        self.smtp = smtp
        self.after_batch = after_batch
        self.day: str = meta["date"]
        self.envelope_from = sender_address(config.digest.sender)

    def _summary(self, name: str, state: str, sent_now: int = 0, **extra: int) -> ListOutcome:
        counts = self.ledger.counts(self.day, name)
        summary: ListOutcome = {
            "state": state,
            "recipients": sum(counts.values()),
            "sent": counts.get(SENT, 0),
            "failed": counts.get(FAILED, 0),
            "unknown": counts.get(UNKNOWN, 0),
            "skipped": counts.get(SKIPPED, 0),
            "open": sum(counts.get(s, 0) for s in OPEN_STATES),
            "sent_now": sent_now,
        }
        if "batches" in extra:
            summary["batches"] = extra["batches"]
        if "added" in extra:
            summary["added"] = extra["added"]
        return summary

    def run(self, digest_list: DigestList) -> ListOutcome:
        name, day = digest_list.name, self.day
        if self.ledger.send_state(day, name) == SENT:
            log.info("Digest %s/%s: already sent, nothing to do", day, name)
            return self._summary(name, SENT, sent_now=0)
        subscribers = read_subscribers(self.config.path(digest_list.subscribers))
        if subscribers.invalid:
            lines = ", ".join(map(str, subscribers.invalid[:20]))
            log.warning(
                "Digest list %s: %d invalid address(es) skipped (lines %s)", name, len(subscribers.invalid), lines
            )
        state = self.ledger.set_send_state(day, name, SENDING, self.clock(), content_md5=self.meta["content_md5"])
        if state == SENT:  # finished by another worker meanwhile
            return self._summary(name, SENT, sent_now=0)
        registered = self.ledger.register(day, name, subscribers.recipients)
        token = new_token()
        recovered = self.ledger.recover(day, name, self.owner, token, self.clock())
        if recovered["released"] or recovered["unknown"]:
            log.warning("Digest %s/%s: recovered claims of a dead attempt: %s", day, name, recovered)
        sent_now = batches = 0
        try:
            while True:
                size = self.config.digest.batch_size
                batch = self.ledger.claim_batch(day, name, self.owner, token, size, self.clock())
                if not batch:
                    break
                batches += 1
                sent_now += self._send_batch(name, token, batch)
                log.info("Digest %s/%s: batch %d sent (%d so far this attempt)", day, name, batches, sent_now)
                if self.after_batch is not None:
                    self.after_batch(name, batches)
        finally:
            self.ledger.release(day, name, token)
        summary = self._summary(name, SENDING, sent_now=sent_now, batches=batches, added=registered.added)
        if summary["open"] == 0:
            summary["state"] = self.ledger.set_send_state(day, name, SENT, self.clock())
        log.info("Digest %s/%s: %s", day, name, summary)
        return summary

    def _send_batch(self, name: str, token: str, batch: list[Recipient]) -> int:
        sent = 0
        session = self.smtp.connect()
        try:
            for recipient in batch:
                now = self.clock()
                if not self.ledger.start_sending(self.day, name, recipient.email, token, now):
                    continue  # our claim was recovered by another attempt: theirs now
                message = compose(
                    sender=self.config.digest.sender,
                    recipient=recipient,
                    subject=self.meta["subject"],
                    text=self.text,
                    html=self.html,
                    digest_date=self.day,
                    list_name=name,
                    site_name=self.config.site.name,
                    unsubscribe=self.config.digest.unsubscribe,
                    language=self.config.site.language,
                    now=now,
                )
                if self._deliver(session, name, token, recipient.email, message.as_bytes()):
                    self.ledger.mark_sent(self.day, name, recipient.email, token, str(message["Message-ID"]), now)
                    sent += 1
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                session.quit()
            session.close()
        return sent

    def _deliver(self, session: smtplib.SMTP, name: str, token: str, email: str, payload: bytes) -> bool:
        """Hand one message over; record what is certain. Raises (ending the attempt) on a lost session."""
        day, ledger = self.day, self.ledger
        try:
            session.sendmail(self.envelope_from, [email], payload)
            return True
        except smtplib.SMTPRecipientsRefused as exc:  # refused at RCPT: certainly not delivered
            code, reply = exc.recipients.get(email, (550, b"refused"))
            reason = f"RCPT refused: {code} {reply.decode('utf-8', 'replace')}"
            if code >= 500:
                ledger.mark_failed(day, name, email, token, reason)
            else:
                ledger.mark_deferred(day, name, email, token, reason)
        except smtplib.SMTPDataError as exc:  # refused after DATA: certainly not delivered
            error = exc.smtp_error
            detail = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            reason = f"message refused: {exc.smtp_code} {detail}"
            if exc.smtp_code >= 500:
                ledger.mark_failed(day, name, email, token, reason)
            else:
                ledger.mark_deferred(day, name, email, token, reason)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPHeloError) as exc:  # before RCPT: not delivered, stop
            ledger.mark_retry(day, name, email, token, f"{type(exc).__name__}: {exc}")
            raise
        except (smtplib.SMTPException, OSError) as exc:  # the session died: maybe delivered
            ledger.mark_unknown(day, name, email, token, f"{type(exc).__name__}: {exc}")
            raise
        return False


def send_digest(
    config: NewsroomConfig,
    built: BuiltDigest,
    *,
    store: Store,
    run_type: str = "manual",
    force: bool = False,
    owner: str = "manual",
    now: datetime | None = None,
    smtp: SmtpSettings | None = None,
    after_batch: AfterBatch | None = None,
    files: Files | None = None,
) -> DigestSendResult:
    """Send the built digest to every list (see the module docstring); small JSON out.
    ``files``: where the build was handed over (:func:`~newsroom.digest.edition.build_digest`)."""
    meta, html, text = load_built(built, config, files)
    day = date.fromisoformat(meta["date"])
    result: DigestSendResult = {"date": meta["date"], "articles": meta["articles"], "lists": {}}
    if not config.digest.enabled:
        log.info("Digest %s: disabled in the configuration, nothing sent", day)
        return {**result, "held": "digest.enabled is false"}
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    gone = set(meta["article_ids"]) - store.articles.live_ids(meta["article_ids"], clock())
    if gone:  # taken down since the build: never mail them
        log.warning("Digest %s: %d article(s) no longer live since the build; rebuilding", day, len(gone))
        meta, html, text = load_built(build_digest(config, day, now=clock(), store=store), config)
        result["articles"] = meta["articles"]
    ledger = store.digests
    held = hold_reason(config, day, meta["articles"], run_type=run_type, force=force, now=clock())
    if held is not None:
        state, reason = held
        for digest_list in config.digest.lists:
            recorded = ledger.set_send_state(meta["date"], digest_list.name, state, clock(), reason)
            result["lists"][digest_list.name] = {"state": recorded, "sent_now": 0}
        log.info("Digest %s: not sent: %s", day, reason)
        return {**result, "held": reason}
    sender = _ListSender(
        config,
        ledger,
        meta,
        html,
        text,
        owner=owner,
        clock=clock,
        smtp=smtp or SmtpSettings.from_connection(config.digest.conn_id),
        after_batch=after_batch,
    )
    for digest_list in config.digest.lists:
        result["lists"][digest_list.name] = sender.run(digest_list)
    incomplete = {n: s["open"] for n, s in result["lists"].items() if s["state"] != SENT}
    if incomplete:
        raise DigestIncompleteError(
            f"digest {day}: recipients still to send per list {incomplete} "
            "(deferred by the server, or claimed by another live attempt); a retry will continue"
        )
    return result
