"""Send a channel's due deliveries: claim in the ledger, post, record the outcome.

The rules that keep a post from going out twice or never:

- every send is claimed first (``Ledger.claim``); only the claimant records
  the outcome;
- 429 waits for the platform's ``Retry-After``; 5xx and refused connections
  retry with exponential backoff up to ``max_attempts``; any other 4xx fails
  at once and is reported;
- a timeout after the request went out is *uncertain*: the next attempt
  resends only where that is safe (the adapter is ``idempotent``: the platform
  honours our idempotency key: Mastodon, Bluesky, the webhook, the outbox),
  looks the post up first where the channel class ``can_find`` it (Facebook,
  X), and otherwise stops in state ``unknown`` for a person to check
  (Telegram) rather than risk a duplicate;
- a row left in ``sending`` by a killed task is treated the same way once it
  is older than ``stale_after_minutes``;
- an article no longer live when its turn comes (taken down) is skipped.

Called by :func:`newsroom.phases.distribute.send`, one channel per task.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urljoin

from jinja2 import Environment

from newsroom.channels import (
    Channel,
    ChannelError,
    PermanentError,
    Post,
    RetryableError,
    SentPost,
    UncertainError,
    channel_class,
)
from newsroom.config import ChannelConfig, NewsroomConfig
from newsroom.distribute.pacing import allowance
from newsroom.distribute.posts import build_post
from newsroom.render.urls import Urls
from newsroom.store import Store
from newsroom.store.ledger import Claim, Ledger

log = logging.getLogger(__name__)
UNCERTAIN = "uncertain: "


def _post_for(
    claim: Claim, store: Store, config: NewsroomConfig, channel: ChannelConfig, env: Environment
) -> Post | None:
    row = store.articles.records([claim.article_id]).get(claim.article_id)
    if row is None:
        return None
    tags = store.enrichments.tags_of([row.id])[row.id]
    language = store.enrichments.of([row.id]).get(row.id, {}).get("language", "fr")
    url = Urls(config).url(row.path)
    return build_post(
        env,
        channel,
        config,
        article_id=row.id,
        version=claim.version,
        title=row.title,
        summary=row.summary,
        url=url,
        section=row.section,
        tags=tags,
        image_url=urljoin(url, row.image_url) if row.image_url else None,  # a platform has no base to resolve it
        image_alt=row.image_alt,
        language=language,
    )


def _deliver(adapter: Channel, channel: ChannelConfig, claim: Claim, post: Post) -> SentPost | None:
    """Send, or after an uncertain outcome decide whether sending again is safe."""
    uncertain = claim.stale or claim.reason.startswith(UNCERTAIN)
    if uncertain and not adapter.idempotent:
        if not channel_class(channel.type).can_find:
            return None  # cannot tell, cannot dedupe: a person must check
        found = adapter.find(post)
        if found is not None:
            log.info(
                "%s: %s v%d was already posted (%s)", channel.name, claim.article_id, claim.version, found.remote_id
            )
            return found
    return adapter.send(post)


def send_due(
    config: NewsroomConfig,
    store: Store,
    ledger: Ledger,
    channel: ChannelConfig,
    adapter: Channel,
    env: Environment,
    now: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
) -> dict[str, int]:
    """One run for one channel: recover stale claims, then send what pacing allows."""
    clock = clock or (lambda: now)
    counts: Counter[str] = Counter()
    settings = config.distribution
    stale = ledger.claim_stale(channel.name, now, timedelta(minutes=settings.stale_after_minutes))
    allowed = allowance(channel, ledger.sent_since(channel.name, now - timedelta(hours=1)), now, config.site.tz)
    claims = stale + ledger.claim(channel.name, now, max(allowed - len(stale), 0))
    live = store.articles.live_ids([c.article_id for c in claims], now)
    for claim in claims:
        if claim.article_id not in live:
            ledger.skip(claim, "no longer live (taken down or embargoed) when its turn came")
            counts["skipped"] += 1
            continue
        post = _post_for(claim, store, config, channel, env)
        if post is None:
            ledger.skip(claim, "article not found")
            counts["skipped"] += 1
            continue
        try:
            sent = _deliver(adapter, channel, claim, post)
        except RetryableError as exc:
            counts[_retry(ledger, claim, exc, settings.max_attempts, settings.backoff_seconds, clock())] += 1
            continue
        except UncertainError as exc:
            reason = f"{UNCERTAIN}{exc}"
            if claim.attempts >= settings.max_attempts:
                ledger.unknown(claim, reason)
                counts["unknown"] += 1
            else:
                ledger.retry(claim, reason, clock() + timedelta(seconds=settings.backoff_seconds))
                counts["retry"] += 1
            log.warning("%s: %s v%d: %s", channel.name, claim.article_id, claim.version, reason)
            continue
        except PermanentError as exc:
            ledger.failed(claim, str(exc))
            counts["failed"] += 1
            log.error("%s: %s v%d failed, not retried: %s", channel.name, claim.article_id, claim.version, exc)
            continue
        except ChannelError as exc:  # any other channel error: treat as permanent, report
            ledger.failed(claim, str(exc))
            counts["failed"] += 1
            continue
        if sent is None:
            ledger.unknown(
                claim,
                f"{channel.type} cannot be checked for an earlier attempt and does not deduplicate: "
                "not re-sent to avoid a duplicate post; check the channel, then `newsroom deliveries release`",
            )
            counts["unknown"] += 1
            continue
        ledger.sent(claim, sent.remote_id, sent.remote_url, clock())
        counts["sent"] += 1
        log.info("%s: posted %s v%d as %s", channel.name, claim.article_id, claim.version, sent.remote_id)
    return dict(counts)


def _retry(ledger: Ledger, claim: Claim, exc: RetryableError, max_attempts: int, backoff: float, now: datetime) -> str:
    if claim.attempts >= max_attempts:
        ledger.failed(claim, f"gave up after {claim.attempts} attempts: {exc}")
        return "failed"
    delay = exc.retry_after if exc.retry_after is not None else backoff * 2 ** (claim.attempts - 1)
    ledger.retry(claim, str(exc), now + timedelta(seconds=delay))
    log.warning("%s: %s v%d will retry in %.0fs: %s", claim.channel, claim.article_id, claim.version, delay, exc)
    return "retry"
