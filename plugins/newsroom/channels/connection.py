"""The fields of a channel's Airflow connection, read the same way by every channel class.

Called by each class's ``from_connection`` (through
:func:`newsroom.channels.registry.make_channel`, which documents what each
field holds per platform).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit


class ConnectionProblem(ValueError):
    """The connection exists but lacks a field this channel type needs."""


def base_url(conn: Any, default: str | None, *, keep_path: bool = False) -> str | None:
    """The connection's host as an absolute URL (``default`` when it is empty)."""
    host = str(conn.host or "").strip()
    if not host:
        return default
    if "://" not in host:
        scheme = conn.schema if conn.schema in ("http", "https") else "https"
        host = f"{scheme}://{host}"
    parts = urlsplit(host)
    if conn.port and parts.port is None:
        parts = parts._replace(netloc=f"{parts.netloc}:{conn.port}")
    url = urlunsplit(parts)
    return url if keep_path else url.rstrip("/")


@dataclass(frozen=True)
class Fields:
    """One Airflow connection (``conn``, named ``conn_id``) as a channel reads it."""

    conn_id: str
    conn: Any

    @property
    def login(self) -> str | None:
        return self.conn.login or None

    @property
    def password(self) -> str | None:
        return self.conn.password or None

    def url(self, default: str | None, *, keep_path: bool = False) -> str | None:
        return base_url(self.conn, default, keep_path=keep_path)

    def extra(self, key: str) -> str | None:
        """A key of the connection's extra, stripped (None when absent or blank)."""
        extra = self.conn.extra_dejson if isinstance(self.conn.extra_dejson, dict) else {}
        value = extra.get(key)
        return None if value is None or str(value).strip() == "" else str(value).strip()

    def required(self, value: str | None, what: str) -> str:
        if not value:
            raise ConnectionProblem(f"connection '{self.conn_id}' has no {what}")
        return value
