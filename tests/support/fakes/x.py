"""A fake X API v2 (tweets, the user timeline with t.co links, deletes), for the channel and distribution tests."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from tests.support.fakes.http import URL_RE, FakePlatform, Reply, Seen, json_reply, now_iso


class FakeX(FakePlatform):
    """``POST /2/tweets`` (JSON, Bearer user token) and ``GET /2/users/{id}/tweets``.

    Links in a stored tweet are shortened to ``https://t.co/...`` as X does, the
    original kept in ``entities.urls[].expanded_url``. An identical text is
    refused with 403 "duplicate content"; a 429 carries ``x-rate-limit-reset``.
    """

    name = "x"

    def __init__(self, token: str = "x-user-token-0123456789", user_id: str = "42", username: str = "echo") -> None:
        super().__init__()
        self.token = token
        self.user_id = user_id
        self.username = username

    @staticmethod
    def problem(status: int, title: str, detail: str, kind: str = "about:blank", **more: Any) -> Reply:
        return json_reply(status, {"title": title, "detail": detail, "type": kind, "status": status, **more})

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            reply = self.problem(429, "Too Many Requests", "Too Many Requests")
            reply.headers.update(
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(int(time.time()) + retry_after),
                }
            )
            return reply
        if status == 401:
            return self.problem(401, "Unauthorized", "Unauthorized")
        if status >= 500:
            return self.problem(status, "Service Unavailable", "Service Unavailable")
        return self.problem(status, "Forbidden", "Forbidden")

    def respond(self, seen: Seen) -> Reply:
        if seen.bearer() != self.token:
            return self.problem(401, "Unauthorized", "Unauthorized")
        if seen.method == "POST" and seen.path == "/2/tweets":
            return self._create(seen)
        tweet = re.fullmatch(r"/2/tweets/(\d+)", seen.path)
        if seen.method == "DELETE" and tweet:
            if self.remove("id", tweet.group(1)) is None:
                return json_reply(
                    404,
                    {
                        "errors": [
                            {
                                "value": tweet.group(1),
                                "detail": f"Could not find tweet with id: [{tweet.group(1)}].",
                                "title": "Not Found Error",
                                "resource_type": "tweet",
                                "parameter": "id",
                                "resource_id": tweet.group(1),
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                            }
                        ],
                        "title": "Not Found Error",
                        "detail": f"Could not find tweet with id: [{tweet.group(1)}].",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    },
                )
            return json_reply(200, {"data": {"deleted": True}})
        timeline = re.fullmatch(r"/2/users/([^/]+)/tweets", seen.path)
        if seen.method == "GET" and timeline:
            return self._timeline(seen, timeline.group(1))
        return self.problem(404, "Not Found Error", f"no route {seen.method} {seen.path}")

    def _create(self, seen: Seen) -> Reply:
        try:
            body = seen.json()
        except ValueError:
            body = None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return json_reply(
                400,
                {
                    "errors": [{"parameters": {"text": [text]}, "message": "text must be a non-empty string"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if any(p["original_text"] == text for p in self.posts):
                return self.problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
            tweet_id = str(1_800_000_000_000_000_000 + self.next_id())
            stored, urls = _shorten(text)
            tweet = {"id": tweet_id, "text": stored, "edit_history_tweet_ids": [tweet_id]}
            self.accept({**tweet, "original_text": text, "entities": {"urls": urls}, "created_at": now_iso()})
        return self._deliver(fault, json_reply(201, {"data": tweet}))

    def _timeline(self, seen: Seen, user_id: str) -> Reply:
        if user_id != self.user_id:
            return json_reply(
                200,
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Could not find user with id: [{user_id}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        wanted = int(seen.param("max_results") or 10)
        if not 5 <= wanted <= 100:
            return json_reply(
                400,
                {
                    "errors": [{"parameters": {"max_results": [str(wanted)]}, "message": "must be between 5 and 100"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        fields = set((seen.param("tweet.fields") or "").split(","))
        with self.lock:
            newest_first = list(reversed(self.posts))[:wanted]
        data = []
        for post in newest_first:
            tweet = {k: post[k] for k in ("id", "text", "edit_history_tweet_ids")}
            tweet.update({k: post[k] for k in ("entities", "created_at") if k in fields})
            data.append(tweet)
        if not data:
            return json_reply(200, {"meta": {"result_count": 0}})
        meta = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        return json_reply(200, {"data": data, "meta": meta})


def _shorten(text: str) -> tuple[str, list[dict[str, Any]]]:
    """X's t.co wrapping: each URL replaced, the original kept in the entities."""
    urls: list[dict[str, Any]] = []
    out, last = [], 0
    for match in URL_RE.finditer(text):
        short = "https://t.co/" + hashlib.sha1(match.group().encode()).hexdigest()[:10]
        out.append(text[last : match.start()])
        start = sum(len(s) for s in out)
        out.append(short)
        urls.append(
            {
                "start": start,
                "end": start + len(short),
                "url": short,
                "expanded_url": match.group(),
                "display_url": match.group().split("://", 1)[1][:26],
            }
        )
        last = match.end()
    out.append(text[last:])
    return "".join(out), urls
