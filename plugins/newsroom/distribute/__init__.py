"""Distribute: social channels, each article version posted exactly once per channel.

Public surface, one function per task of ``dags/distribute.py``:
:func:`plan` (ledger rows for what became live) and :func:`send` (one
channel's due posts, paced). Adapters live in ``newsroom.channels``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from newsroom.config import NewsroomConfig, get_config
from newsroom.distribute.planner import plan_deliveries
from newsroom.distribute.sender import send_due
from newsroom.store import utcnow

log = logging.getLogger(__name__)

__all__ = ["available_channels", "plan", "send"]


def available_channels(config: NewsroomConfig) -> dict[str, Any]:
    """Enabled channels whose credentials exist, as adapters (a missing one is logged once)."""
    from newsroom.channels import make_channel
    from newsroom.pipeline import bucket_for

    adapters = {}
    for channel in config.channels:
        if not channel.enabled:
            continue
        adapter = make_channel(channel, lambda: bucket_for(config))
        if adapter is not None:
            adapters[channel.name] = adapter
    return adapters


def plan(
    config: NewsroomConfig | None = None, *, announce_archive: bool = False, now: datetime | None = None
) -> dict[str, Any]:
    from newsroom.pipeline import open_store

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
    from newsroom.pipeline import open_store
    from newsroom.render.environment import make_text_environment

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
