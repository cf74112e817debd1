"""A fake Facebook Graph API (Page feed posts and deletes), for the channel and distribution tests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from tests.support.fakes.http import FakePlatform, Reply, Seen, json_reply, now_iso


class FakeFacebook(FakePlatform):
    """``POST /{version}/{page_id}/feed`` (form) and ``GET`` the same path; Graph error bodies.

    Rate limiting is the Graph's own: HTTP 400 with error code 32 ("Page request
    limit reached") and the wait, in minutes, in ``X-Business-Use-Case-Usage``.
    A repeat of the same message and link is refused with code 506.
    """

    name = "facebook"
    FEED = re.compile(r"^/(v\d+\.\d+)/([^/]+)/feed$")
    OBJECT = re.compile(r"^/(v\d+\.\d+)/(\d+_\d+)$")

    def __init__(self, page_id: str = "104857600000001", token: str = "EAAB-page-token-0123456789") -> None:
        super().__init__()
        self.page_id = page_id
        self.token = token

    def graph_error(self, status: int, code: int, message: str, **more: Any) -> Reply:
        trace = base64.b64encode(hashlib.sha1(message.encode()).digest()[:9]).decode()
        return json_reply(
            status, {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": trace, **more}}
        )

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            reply = self.graph_error(400, 32, "(#32) Page request limit reached")
            usage = {
                self.page_id: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 12,
                        "total_time": 14,
                        "estimated_time_to_regain_access": -(-retry_after // 60),
                    }
                ]
            }
            reply.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
            return reply
        if status >= 500:
            return self.graph_error(
                status, 2, "An unexpected error has occurred. Please retry your request later.", is_transient=True
            )
        if status == 401:
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return self.graph_error(status, 100, "(#100) Invalid parameter")

    def respond(self, seen: Seen) -> Reply:
        if seen.method == "DELETE" and (found := self.OBJECT.match(seen.path)):
            return self._delete(seen, found.group(2))
        match = self.FEED.match(seen.path)
        if match is None:
            return self.graph_error(400, 2500, "Unknown path components: " + seen.path)
        params = seen.form() if seen.method == "POST" else {k: v[0] for k, v in seen.query.items()}
        token = params.get("access_token") or seen.param("access_token")
        if token != self.token:
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if match.group(2) != self.page_id:
            return self.graph_error(
                400, 100, f"(#100) Unsupported request: object with ID '{match.group(2)}' does not exist"
            )
        if seen.method == "GET":
            return self._feed(seen)
        if seen.method != "POST":
            return self.graph_error(400, 100, "(#100) Unsupported method")
        message, link = params.get("message", ""), params.get("link", "")
        if not message and not link:
            return self.graph_error(400, 100, "(#100) Missing message or attachment")
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if any(p["message"] == message and p["link"] == link for p in self.posts):
                return self.graph_error(400, 506, "(#506) Duplicate status message")
            post_id = f"{self.page_id}_{9_000_000_000 + self.next_id()}"
            self.accept({"id": post_id, "message": message, "link": link, "created_time": now_iso()})
        return self._deliver(fault, json_reply(200, {"id": post_id}))

    def _delete(self, seen: Seen, post_id: str) -> Reply:
        """``DELETE /{post-id}``: ``{"success": true}``; an unknown id is Graph error 100, subcode 33."""
        if seen.param("access_token") != self.token:
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if self.remove("id", post_id) is None:
            return self.graph_error(
                400,
                100,
                f"Unsupported delete request. Object with ID '{post_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                error_subcode=33,
            )
        return json_reply(200, {"success": True})

    def _feed(self, seen: Seen) -> Reply:
        fields = (seen.param("fields") or "id,message").split(",")
        limit = int(seen.param("limit") or 25)
        with self.lock:
            newest_first = list(reversed(self.posts))[:limit]
        data = [{k: v for k, v in post.items() if k in fields} for post in newest_first]
        paging = {"cursors": {"before": "QVFIUmJ", "after": "QVFIUkx"}} if data else {}
        return json_reply(200, {"data": data, "paging": paging})
