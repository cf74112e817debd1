"""Distribute: social channels, each article version posted exactly once per channel.

The library behind ``newsroom.phases.distribute``: :mod:`~newsroom.distribute.planner`
writes the ledger rows for what became live, :mod:`~newsroom.distribute.sender`
posts a channel's due rows (paced by :mod:`~newsroom.distribute.pacing`, the
text from :mod:`~newsroom.distribute.posts`). Adapters live in ``newsroom.channels``.
"""

from __future__ import annotations

from newsroom.distribute.planner import plan_deliveries
from newsroom.distribute.sender import send_due

__all__ = ["plan_deliveries", "send_due"]
