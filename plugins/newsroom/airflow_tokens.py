"""JWTs for Airflow's REST API kept between commands: one login a day instead of one per filing.

A JSON file in the state folder that only its owner may read (0600), one
entry per (API URL, user), each used until :data:`TOKEN_MARGIN` seconds
before the JWT's ``exp``. An entry also records the connection it was got
through and a hash of that connection's ``AIRFLOW_CONN_*`` value, so a
command holding a valid token finds the URL and user without importing
Airflow to read the connection again. A file that others may read or that
does not parse is ignored (and replaced at the next login); a cache that
cannot be written costs a login per command, nothing else.

Used by :class:`newsroom.airflow_api.AirflowApi`, which drops nothing itself:
a token Airflow refuses (401) is replaced by a fresh login.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

TOKEN_MARGIN = 60.0  # seconds before its expiry a cached token stops being used


@dataclass(frozen=True)
class CachedToken:
    url: str
    user: str  # "" for the all-admins token of ``make run``
    token: str
    expires: float  # the JWT's ``exp`` (seconds since the epoch)
    source: str = ""  # the connection and a hash of its AIRFLOW_CONN_* value, when it came from one


def _expiry(token: str) -> float:
    """The ``exp`` claim of a JWT, read without checking its signature (Airflow checks it); 0 if unreadable."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError, binascii.Error):
        return 0.0


def connection_source(conn_id: str) -> str:
    """``conn_id`` and a hash of its ``AIRFLOW_CONN_*`` value, or "" if it is not set there (a secrets backend)."""
    value = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    return f"{conn_id}:{hashlib.sha256(value.encode()).hexdigest()[:16]}" if value else ""


def credentials_source(conn_id: str, url: str, login: str, password: str) -> str:
    """``conn_id`` and a hash of the credentials read from it (a connection kept in a secrets backend)."""
    digest = hashlib.sha256("\0".join((url, login, password)).encode()).hexdigest()[:16]
    return f"{conn_id}:{digest}"


class TokenCache:
    """The token file (see the module's docstring); ``clock`` for the tests."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    def _entries(self) -> dict[str, dict[str, Any]]:
        try:
            with open(self.path, "rb") as handle:
                info = os.fstat(handle.fileno())
                if info.st_mode & 0o077 or info.st_uid != os.getuid():
                    return {}
                data = json.loads(handle.read())
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def _valid(self, entry: dict[str, Any] | None) -> CachedToken | None:
        try:
            cached = CachedToken(**entry) if entry else None
        except TypeError:
            return None
        return cached if cached is not None and cached.expires - TOKEN_MARGIN > self.clock() else None

    def get(self, url: str, user: str) -> CachedToken | None:
        return self._valid(self._entries().get(f"{url}|{user}"))

    def by_source(self, source: str) -> CachedToken | None:
        """The token last got through this connection value (its URL and user with it), if still valid."""
        if not source:
            return None
        found = [v for v in self._entries().values() if v.get("source") == source]
        return self._valid(found[-1]) if found else None

    def put(self, url: str, user: str, token: str, source: str = "") -> None:
        entries = {k: v for k, v in self._entries().items() if self._valid(v) is not None}
        entries[f"{url}|{user}"] = asdict(CachedToken(url, user, token, _expiry(token), source))
        self._write(entries)

    def drop(self, url: str, user: str) -> None:
        entries = self._entries()
        if entries.pop(f"{url}|{user}", None) is not None:
            self._write(entries)

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entries, out)
            os.replace(temp, self.path)
        except OSError:  # a read-only state folder: no cache, a login per command
            with contextlib.suppress(OSError):
                temp.unlink()
