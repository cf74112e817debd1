"""A fake Mastodon instance (statuses with Idempotency-Key, deletes), for the channel and distribution tests."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.fakes.http import URL_RE, FakePlatform, Reply, Seen, json_reply, now_iso


class FakeMastodon(FakePlatform):
    """``POST /api/v1/statuses`` with ``Idempotency-Key``: the same key gives back the same status.

    Text over 500 characters (each URL counting 23) is a 422; a 429 carries
    ``X-RateLimit-Reset`` as an ISO 8601 instant, as Mastodon does.
    """

    name = "mastodon"

    def __init__(self, token: str = "mastodon-token-0123456789", account: str = "echodugolfe") -> None:
        super().__init__()
        self.token = token
        self.account = account
        self.by_key: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.by_key.clear()

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            reset = (datetime.now(UTC) + timedelta(seconds=retry_after)).isoformat(timespec="microseconds")
            return json_reply(
                429,
                {"error": "Too many requests"},
                {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            )
        if status == 401:
            return json_reply(401, {"error": "The access token is invalid"})
        if status >= 500:
            return json_reply(status, {"error": "We're sorry, but something went wrong on our end."})
        return json_reply(status, {"error": "Validation failed"})

    def respond(self, seen: Seen) -> Reply:
        status_path = re.fullmatch(r"/api/v1/statuses/(\d+)", seen.path)
        if seen.method == "DELETE" and status_path:
            if seen.bearer() != self.token:
                return json_reply(401, {"error": "The access token is invalid"})
            removed = self.remove("id", status_path.group(1))
            if removed is None:
                return json_reply(404, {"error": "Record not found"})
            # Mastodon answers with the deleted status, its source text included (for "delete & redraft")
            return json_reply(200, {k: v for k, v in removed.items() if k != "idempotency_key"})
        if seen.path != "/api/v1/statuses" or seen.method != "POST":
            return json_reply(404, {"error": "Record not found"})
        if seen.bearer() != self.token:
            return json_reply(401, {"error": "The access token is invalid"})
        try:
            body = seen.json() if "json" in (seen.header("Content-Type") or "") else seen.form()
        except ValueError:
            return json_reply(400, {"error": "Error while parsing request"})
        body = body if isinstance(body, dict) else {}
        text = str(body.get("status") or "")
        if not text.strip():
            return json_reply(422, {"error": "Validation failed: Text can't be blank"})
        if len(URL_RE.sub("x" * 23, text)) > 500:
            return json_reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        visibility = str(body.get("visibility") or "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return json_reply(422, {"error": "Validation failed: Visibility is not included in the list"})
        key = seen.header("Idempotency-Key")
        with self.lock:
            if key and f"{self.token}:{key}" in self.by_key:
                return json_reply(200, self.by_key[f"{self.token}:{key}"])
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if key and f"{self.token}:{key}" in self.by_key:  # a concurrent twin got in first
                return json_reply(200, self.by_key[f"{self.token}:{key}"])
            status_id = str(113_000_000_000_000_000 + self.next_id())
            status: dict[str, Any] = {
                "id": status_id,
                "created_at": now_iso(),
                "in_reply_to_id": None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": visibility,
                "language": body.get("language"),
                "uri": f"{self.url}/users/{self.account}/statuses/{status_id}",
                "url": f"{self.url}/@{self.account}/{status_id}",
                "content": f"<p>{html.escape(text)}</p>",
                "account": {"id": "1", "username": self.account, "acct": self.account},
                "media_attachments": [],
                "card": None,
            }
            if key:
                self.by_key[f"{self.token}:{key}"] = status
            self.accept({**status, "text": text, "idempotency_key": key})
        return self._deliver(fault, json_reply(200, status))
