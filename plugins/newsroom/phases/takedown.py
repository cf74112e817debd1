"""Takedown: an article removed from every surface, and its social posts retracted where possible.

The most cross-cutting flow, so it lives here rather than in a library: the
article's page, listings, feeds, sitemaps and related links (re-rendered
without it; a tag no other article carries loses its page and feeds), its
objects and outbox documents in the bucket, the digest pages
that list it, the CDN, and the posts the ledger recorded. Called by
``newsroom takedown``. Idempotent: a second call re-renders nothing new and
deletes nothing more.
"""

from __future__ import annotations

import logging
from datetime import datetime

from newsroom.channels import ChannelError, SentPost
from newsroom.channels.outbox import outbox_keys_of
from newsroom.config import NewsroomConfig, get_config
from newsroom.contracts import RetractResult, TakedownResult
from newsroom.digest import refresh_editions
from newsroom.phases.ingest import publish_build, render
from newsroom.publish.cdn import invalidate
from newsroom.resources import available_channels, bucket_for, open_store
from newsroom.store import Store, utcnow

log = logging.getLogger(__name__)


def takedown(
    article_id: str,
    *,
    reason: str,
    by: str,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
    progress: bool = False,
) -> TakedownResult:
    """Take an article down everywhere: its page, listings, feeds, sitemaps, related links, CDN,
    and its social posts where the platform allows deleting them (:func:`retract_posts`).
    ``progress``: the re-render and the uploads counted on stderr (``newsroom takedown`` on a terminal)."""
    config = config or get_config()
    store = open_store(config)
    now = now or utcnow()
    newly = store.takedowns.take_down(article_id, reason=reason, by=by, now=now)
    run_id = f"takedown-{article_id}-{now:%Y%m%dT%H%M%S}"
    rendered = render([article_id], run_id, config=config, now=now, progress=progress)
    published = publish_build(rendered["build"], config, progress=progress)
    bucket = bucket_for(config)
    keys = sorted(k for k, o in store.objects.get().items() if o.article_id == article_id)
    outbox = outbox_keys_of(bucket.listing(), article_id)
    bucket.delete([*keys, *outbox])
    store.objects.forget(keys)
    store.takedowns.record_removed(article_id, [*keys, *outbox])
    digest_pages = refresh_editions(config, [article_id], now=now, store=store, bucket=bucket)["uploaded"]
    invalidations = invalidate(config, [*keys, *digest_pages], reference=f"takedown-{article_id}-{now.isoformat()}")
    log.info("Took down %s (%s): removed %s", article_id, reason, ", ".join(keys) or "nothing")  # the summary says it
    social = retract_posts(article_id, config, store=store)
    return {
        "article": article_id,
        "newly_taken_down": newly,
        "removed": [*keys, *outbox, *published["removed"]],  # and the pages of tags left with no article
        "updated": published["uploaded"] + len(digest_pages),
        "cdn_invalidations": published["cdn_invalidations"] + len(invalidations),
        **social,
    }


def retract_posts(article_id: str, config: NewsroomConfig, *, store: Store | None = None) -> RetractResult:
    """Delete the article's sent posts from their platforms; its pending deliveries are skipped.

    Each ``sent`` delivery deleted (or already gone) becomes ``retracted``; one the
    platform refuses (Telegram after 48 hours) or fails on stays ``sent`` with the
    reason "could not retract: ...". A refusal never fails the takedown.
    """
    store = store or open_store(config)
    ledger = store.deliveries
    skipped = ledger.skip_pending(article_id, "article taken down")
    retracted: list[str] = []
    not_retracted: dict[str, str] = {}
    rows = ledger.sent_rows(article_id)
    adapters = available_channels(config) if rows else {}
    for row in rows:
        adapter = adapters.get(row.channel)
        why: str | None = None
        if adapter is None:
            why = "the channel is not configured or has no credentials"
        elif not row.remote_id:
            why = "no remote id recorded"
        else:
            details = {
                "article_id": row.article_id,
                "version": str(row.version),
                "channel": row.channel,
                "idempotency_key": row.idempotency_key,
            }
            try:
                if not adapter.retract(SentPost(row.remote_id, row.remote_url, details)):
                    why = "the platform refused to delete it"
            except ChannelError as exc:
                why = str(exc)
            except Exception as exc:  # a platform's surprise must not fail the takedown
                log.exception("Retracting %s on %s failed", article_id, row.channel)
                why = f"{type(exc).__name__}: {exc}"
        if why is None:
            ledger.retracted(row.id, "deleted from the platform: article taken down")
            retracted.append(row.channel)
        else:
            ledger.note(row.id, f"could not retract: {why}"[:1000])
            not_retracted[row.channel] = why
            log.info("Could not retract %s on %s: %s", article_id, row.channel, why)  # in the result: not_retracted
    return {"retracted": list(dict.fromkeys(retracted)), "not_retracted": not_retracted, "skipped_deliveries": skipped}
