"""What the ``newsroom`` subcommands share: times shown in the site's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newsroom.config import NewsroomConfig


def fmt_time(value: Any, config: NewsroomConfig) -> str:
    """A datetime in the site's time zone, ``—`` for none, anything else as text."""
    if isinstance(value, datetime):
        return value.astimezone(config.site.tz).strftime("%Y-%m-%d %H:%M:%S %Z")
    return "—" if value is None else str(value)
