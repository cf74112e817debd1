"""The distribute DAG's tasks: plan the deliveries of what went live, send one channel's due posts.

Called by ``dags/distribute.py`` (``plan`` once per run, ``send`` mapped per
channel). The rules that keep each post exactly once live in
:mod:`newsroom.distribute` (planner, sender) and the ledger.
"""

from __future__ import annotations

import logging
from datetime import datetime

from newsroom.config import NewsroomConfig, get_config
from newsroom.contracts import PlanResult
from newsroom.distribute.planner import plan_deliveries
from newsroom.distribute.sender import send_due
from newsroom.render.environment import make_text_environment
from newsroom.resources import available_channels, open_store
from newsroom.store import utcnow

log = logging.getLogger(__name__)


def plan(
    config: NewsroomConfig | None = None, *, announce_archive: bool = False, now: datetime | None = None
) -> PlanResult:
    """One ledger row per (article, version, channel) for what went live."""
    config = config or get_config()
    store = open_store(config)
    adapters = available_channels(config)
    channels = [config.channel(name) for name in adapters]
    counts = plan_deliveries(
        config, store, store.deliveries, channels, now or utcnow(), announce_archive=announce_archive
    )
    log.info("Planned deliveries: %s on %s", counts, ", ".join(adapters) or "no channel")
    return {"channels": sorted(adapters), "planned": counts}


def send(channel_name: str, config: NewsroomConfig | None = None, *, now: datetime | None = None) -> dict[str, int]:
    """One channel's due posts, as its pacing allows; counts by outcome (``{"disabled": 1}`` without credentials)."""
    config = config or get_config()
    store = open_store(config)
    channel = config.channel(channel_name)
    adapter = available_channels(config).get(channel_name)
    if adapter is None:
        return {"disabled": 1}
    env = make_text_environment(config.templates_path)
    return send_due(
        config, store, store.deliveries, channel, adapter, env, now or utcnow(), clock=None if now else utcnow
    )
