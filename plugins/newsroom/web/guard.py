"""Who may call the filing API, and how often.

A caller proves who it is with ``Authorization: Bearer <token>``, where the token is either

- the password of the Airflow connection ``web.token_conn_id`` (a CMS's service token; the
  connection's login, or its id, names the caller in the records), or
- a JWT of Airflow's own auth manager (``POST /auth/token``), checked by the api-server's auth
  manager when the app runs inside it.

Without either, a call is refused (401), except when Airflow runs in the all-admins mode of
``make run`` on loopback, where anyone may get an admin token anyway. Each caller has a token
bucket of ``web.requests_per_minute`` (429 with ``Retry-After`` when it is empty).
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


class Refused(Exception):
    """A call refused: ``status`` (401, 403, 429) and a one-line reason."""

    def __init__(self, status: int, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class ServiceToken:
    token: str
    who: str


def connection_token(conn_id: str) -> ServiceToken | None:
    """The service token kept as the password of Airflow connection ``conn_id`` (None if unset)."""
    from airflow.sdk import BaseHook  # only when a call needs it

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:  # AirflowNotFoundException, a secrets backend's errors: no such token
        return None
    if not conn.password:
        return None
    return ServiceToken(str(conn.password), str(conn.login or conn_id))


def bearer(header: str | None) -> str | None:
    scheme, _, value = (header or "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def token_matches(given: str, expected: ServiceToken | None) -> bool:
    return expected is not None and hmac.compare_digest(given.encode(), expected.token.encode())


def all_admins() -> bool:
    """Airflow's simple auth manager hands out admin tokens to anyone (``make run`` only)."""
    try:
        from airflow.configuration import conf

        manager = conf.get("core", "auth_manager", fallback="")
        return "SimpleAuthManager" in manager and conf.getboolean(
            "core", "simple_auth_manager_all_admins", fallback=False
        )
    except Exception:  # no Airflow configuration readable: not all-admins
        return False


@dataclass
class RateLimiter:
    """A token bucket per caller: ``per_minute`` calls, refilled continuously."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # who -> (tokens, at)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, who: str) -> None:
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(who, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * self.per_minute / 60.0)
            if tokens < 1.0:
                self._buckets[who] = (tokens, now)
                wait = max(1, int((1.0 - tokens) * 60.0 / self.per_minute + 0.999))
                raise Refused(429, f"too many requests from {who}: at most {self.per_minute} a minute", wait)
            self._buckets[who] = (tokens - 1.0, now)
