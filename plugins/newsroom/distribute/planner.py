"""Which deliveries are due: live articles x the channels their section and tags route to.

Runs every minute (``newsroom.phases.distribute.plan``, ``dags/distribute.py``). A row is planned once per
(article, version, channel) in the ledger. Never before the article is live
(its page published, ``publish_at`` and ``embargo_until`` passed). An
article published long before it went live (an archive import, a backfill)
is *skipped*, not announced, unless the run explicitly asks to announce
archives. A correction (a new version) is skipped unless the article sets
``repost: true``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from newsroom.channels.base import delivery_key
from newsroom.config import ChannelConfig, NewsroomConfig
from newsroom.store import Store
from newsroom.store.ledger import Ledger

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)


def _sections_for(config: NewsroomConfig, channel: ChannelConfig) -> set[str] | None:
    if isinstance(channel.sections, str):
        return None  # all
    wanted = set(channel.sections)
    # a listed parent brings its children
    return wanted | {s.slug for s in config.sections if s.parent in wanted}


def routes(config: NewsroomConfig, channel: ChannelConfig, section: str, tags: Sequence[str]) -> bool:
    sections = _sections_for(config, channel)
    if sections is not None and section not in sections:
        return False
    return not channel.tags or bool(set(channel.tags) & set(tags))


def plan_deliveries(
    config: NewsroomConfig,
    store: Store,
    ledger: Ledger,
    channels: Sequence[ChannelConfig],
    now: datetime,
    *,
    announce_archive: bool = False,
) -> dict[str, int]:
    """Create ledger rows for live articles that went live recently; return counts by state."""
    counts: Counter[str] = Counter()
    max_age = timedelta(hours=config.distribution.max_age_hours)
    rows = store.articles.recently_live(now - LOOKBACK, now)
    tags = store.enrichments.tags_of(r.id for r in rows)
    for row in rows:
        assert row.went_live_at is not None
        archival = row.went_live_at - row.published > max_age
        for channel in channels:
            if not routes(config, channel, row.section, [t.slug for t in tags[row.id]]):
                continue
            reason = None
            if archival and not announce_archive:
                reason = f"archival: published {row.published:%Y-%m-%d}, long before it went live; not announced"
            state = ledger.plan(
                row.id,
                row.version,
                channel.name,
                delivery_key(row.id, row.version, channel.name),
                now,
                skip_reason=reason,
                repost=row.repost,
            )
            counts[state] += 1
    return dict(counts)
