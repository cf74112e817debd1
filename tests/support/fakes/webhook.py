"""A fake webhook receiver that checks deliveries the way the README tells a real receiver to, for the channel tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from tests.support.fakes.http import FakePlatform, Reply, Seen, json_reply

WINDOW = 300  # seconds a delivery's timestamp may be off, either way


class FakeWebhook(FakePlatform):
    """Receives signed deliveries at ``/hooks/newsroom``: verifies, refuses stale ones, deduplicates on the id.

    The check is written out here from the README, not imported from the
    channel, so that a change to what the channel signs breaks these tests:
    ``X-Newsroom-Signature`` must be ``v1=`` + hex HMAC-SHA256, keyed with the
    secret, of ``f"{timestamp}.{delivery}.".encode() + body``. Answers 401 when
    it is not, or when ``X-Newsroom-Timestamp`` is more than five minutes off
    (``clock_offset`` moves the fake's clock); 400 when the delivery header
    disagrees with the body; 200 ``{"id", "status": "duplicate"}`` for a
    delivery id it has acted on before (a retry, or a replay: nothing new
    recorded); else 202 ``{"id", "status": "accepted"}``. A signed
    ``{"event": "takedown", "id", ...}`` (header ``X-Newsroom-Event``) removes
    the delivery ``id``: 200 ``{"id", "status": "deleted"}``, or 404 if unknown.
    ``refused`` lists the reasons of every 401.
    """

    name = "webhook"
    PATH = "/hooks/newsroom"

    def __init__(self, secret: str = "whsec-test-0123456789") -> None:
        super().__init__()
        self.secret = secret
        self.clock_offset = 0.0
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.acted: set[str] = set()  # every delivery id acted on (the receiver's replay store)
        self.refused: list[str] = []

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.deliveries.clear()

    @property
    def hook_url(self) -> str:
        return self.url + self.PATH

    def _refuse(self, reason: str) -> Reply:
        with self.lock:
            self.refused.append(reason)
        return json_reply(401, {"error": reason})

    def _check(self, seen: Seen) -> Reply | None:
        """None when the signature and the timestamp are good, else the 401 to answer."""
        stamp = seen.header("X-Newsroom-Timestamp") or ""
        delivery = seen.header("X-Newsroom-Delivery") or ""
        signed = f"{stamp}.{delivery}.".encode() + seen.body
        expected = "v1=" + hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        if not stamp.isdigit() or not delivery:
            return self._refuse("missing timestamp or delivery id")
        if not hmac.compare_digest(expected, seen.header("X-Newsroom-Signature") or ""):
            return self._refuse("invalid signature")
        if abs(time.time() + self.clock_offset - int(stamp)) > WINDOW:
            return self._refuse("timestamp outside the five-minute window")
        return None

    def respond(self, seen: Seen) -> Reply:
        if seen.path != self.PATH or seen.method != "POST":
            return json_reply(404, {"error": "not found"})
        refusal = self._check(seen)
        if refusal is not None:
            return refusal
        try:
            body = json.loads(seen.body)
        except ValueError:
            return json_reply(400, {"error": "body is not JSON"})
        delivery = seen.header("X-Newsroom-Delivery")
        if isinstance(body, dict) and body.get("event") == "takedown":
            return self._takedown(seen, body)
        if not isinstance(body, dict) or not delivery or body.get("id") != delivery:
            return json_reply(400, {"error": "X-Newsroom-Delivery does not match the body's id"})
        with self.lock:
            if delivery in self.acted:
                return json_reply(200, {"id": delivery, "status": "duplicate"})
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if delivery in self.acted:
                return json_reply(200, {"id": delivery, "status": "duplicate"})
            self.acted.add(delivery)
            self.deliveries[delivery] = body
            self.accept(body)
        return self._deliver(fault, json_reply(202, {"id": delivery, "status": "accepted"}))

    def _takedown(self, seen: Seen, body: dict[str, Any]) -> Reply:
        delivery = seen.header("X-Newsroom-Delivery") or ""
        if seen.header("X-Newsroom-Event") != "takedown" or delivery != f"takedown-{body.get('id')}":
            return json_reply(400, {"error": "a takedown event needs X-Newsroom-Event and its own delivery id"})
        target = str(body.get("id"))
        with self.lock:
            if delivery in self.acted:
                return json_reply(200, {"id": target, "status": "duplicate"})
            if self.deliveries.pop(target, None) is None:
                return json_reply(404, {"error": f"unknown delivery {target}"})
            self.acted.add(delivery)
            self.remove("id", target)
        return json_reply(200, {"id": target, "status": "deleted"})

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        headers = {"Retry-After": str(retry_after)} if status in (429, 503) else {}
        return json_reply(status, {"error": f"receiver says {status}"}, headers)
