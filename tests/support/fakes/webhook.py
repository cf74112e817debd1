"""A fake webhook receiver (signed deliveries deduplicated on their id, takedown events), for the channel tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from tests.support.fakes.http import FakePlatform, Reply, Seen, json_reply


class FakeWebhook(FakePlatform):
    """Receives signed deliveries at ``/hooks/newsroom``: verifies, deduplicates on the delivery id.

    Answers 401 when the signature does not match the raw body, 400 when the
    delivery header disagrees with the body or the timestamp is more than five
    minutes off, 200 ``{"id", "status": "duplicate"}`` for a delivery id seen
    before (nothing new recorded), else 202 ``{"id", "status": "accepted"}``.
    A signed ``{"event": "takedown", "id", ...}`` (header ``X-Newsroom-Event``)
    removes the delivery ``id``: 200 ``{"id", "status": "deleted"}``, or 404 if unknown.
    """

    name = "webhook"
    PATH = "/hooks/newsroom"

    def __init__(self, secret: str = "whsec-test-0123456789") -> None:
        super().__init__()
        self.secret = secret
        self.deliveries: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.deliveries.clear()

    @property
    def hook_url(self) -> str:
        return self.url + self.PATH

    def respond(self, seen: Seen) -> Reply:
        if seen.path != self.PATH or seen.method != "POST":
            return json_reply(404, {"error": "not found"})
        expected = "sha256=" + hmac.new(self.secret.encode(), seen.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, seen.header("X-Newsroom-Signature") or ""):
            return json_reply(401, {"error": "invalid signature"})
        try:
            body = json.loads(seen.body)
        except ValueError:
            return json_reply(400, {"error": "body is not JSON"})
        delivery = seen.header("X-Newsroom-Delivery")
        if isinstance(body, dict) and body.get("event") == "takedown":
            return self._takedown(seen, body)
        if not isinstance(body, dict) or not delivery or body.get("id") != delivery:
            return json_reply(400, {"error": "X-Newsroom-Delivery does not match the body's id"})
        try:
            sent_at = int(seen.header("X-Newsroom-Timestamp") or "")
        except ValueError:
            return json_reply(400, {"error": "missing X-Newsroom-Timestamp"})
        if abs(time.time() - sent_at) > 300:
            return json_reply(400, {"error": "stale timestamp"})
        with self.lock:
            if delivery in self.deliveries:
                return json_reply(200, {"id": delivery, "status": "duplicate"})
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if delivery in self.deliveries:
                return json_reply(200, {"id": delivery, "status": "duplicate"})
            self.deliveries[delivery] = body
            self.accept(body)
        return self._deliver(fault, json_reply(202, {"id": delivery, "status": "accepted"}))

    def _takedown(self, seen: Seen, body: dict[str, Any]) -> Reply:
        if (
            seen.header("X-Newsroom-Event") != "takedown"
            or seen.header("X-Newsroom-Delivery") != f"takedown-{body.get('id')}"
        ):
            return json_reply(400, {"error": "a takedown event needs X-Newsroom-Event and its own delivery id"})
        try:
            sent_at = int(seen.header("X-Newsroom-Timestamp") or "")
        except ValueError:
            return json_reply(400, {"error": "missing X-Newsroom-Timestamp"})
        if abs(time.time() - sent_at) > 300:
            return json_reply(400, {"error": "stale timestamp"})
        delivery = body.get("id")
        with self.lock:
            if self.deliveries.pop(str(delivery), None) is None:
                return json_reply(404, {"error": f"unknown delivery {delivery}"})
            self.remove("id", delivery)
        return json_reply(200, {"id": delivery, "status": "deleted"})

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        headers = {"Retry-After": str(retry_after)} if status in (429, 503) else {}
        return json_reply(status, {"error": f"receiver says {status}"}, headers)
