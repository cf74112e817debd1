"""How many posts a channel may send now: minimum gap, cap per hour, quiet hours.

Pure: given the channel's settings, when it last posted and the time, it
says how many posts may go out in this run. A burst of 40 filings is thus
spread over hours on a Facebook page set to one post per 10 minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from newsroom.config import ChannelConfig


def in_quiet_hours(quiet: str | None, now: datetime, tz: ZoneInfo) -> bool:
    if not quiet:
        return False
    start_s, end_s = quiet.split("-")
    start, end = time.fromisoformat(start_s), time.fromisoformat(end_s)
    local = now.astimezone(tz).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # overnight, e.g. 23:00-06:00


def allowance(channel: ChannelConfig, sent: Sequence[datetime], now: datetime, tz: ZoneInfo) -> int:
    """Posts allowed now, given the send times of the last hour."""
    if in_quiet_hours(channel.quiet_hours, now, tz):
        return 0
    last_hour = [t for t in sent if t > now - timedelta(hours=1)]
    room = channel.max_per_hour - len(last_hour)
    if room <= 0:
        return 0
    if channel.min_gap_minutes > 0:
        last = max(sent, default=None)
        if last is not None and now - last < timedelta(minutes=channel.min_gap_minutes):
            return 0
        return 1
    return room
