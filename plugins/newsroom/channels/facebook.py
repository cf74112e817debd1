"""Facebook Page posts through the Graph API (``POST /{version}/{page_id}/feed``).

A Page access token (``pages_manage_posts``) posts as the Page. The Graph API
has no idempotency key, so the channel is not idempotent: after an uncertain
outcome the caller looks the post up with :meth:`FacebookChannel.find` (the
Page's last 25 posts, matched on the link) before sending again.

Graph errors come as ``{"error": {"message", "type", "code", "fbtrace_id"}}``,
often with HTTP 400 whatever the cause; the ``code`` decides: throttling codes
(4, 17, 32, 613, 80001...) and ``is_transient`` errors are retryable, the wait
taken from the ``X-Business-Use-Case-Usage`` header when it says so; code 506
(duplicate status message) means the post is already there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

import requests

from newsroom.channels.base import Bucket, ChannelBase, ChannelError, PermanentError, Post, RetryableError, SentPost
from newsroom.channels.connection import Fields
from newsroom.channels.http import error_for, json_of, request, retry_after
from newsroom.channels.limits import Limit

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
#: Graph API error codes that mean "too many calls, later": app, user, page, action and BUC limits.
THROTTLE_CODES = frozenset({4, 17, 32, 341, 368, 613, 80001, 80005, 80006})
DUPLICATE_CODE = 506
#: Graph error 100 with subcode 33: "Object with ID ... does not exist" (a deleted post).
MISSING_CODE, MISSING_SUBCODE = 100, 33


def _graph_error(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _usage_wait(response: requests.Response) -> float | None:
    """Seconds until access comes back, from the business-use-case usage header (minutes there)."""
    raw = response.headers.get("X-Business-Use-Case-Usage") or response.headers.get("X-Page-Usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes: list[float] = []
    entries = [e for v in usage.values() for e in v] if isinstance(usage, dict) else []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("estimated_time_to_regain_access"), int | float):
            minutes.append(float(entry["estimated_time_to_regain_access"]))
    return max(minutes) * 60 if minutes else None


class FacebookChannel(ChannelBase):
    """Posts a message with the article link on one Facebook Page."""

    type = "facebook"
    limit = Limit(63_206, len)
    can_find = True  # the Page's last 25 posts, matched on the link
    idempotent: bool = False

    def __init__(
        self,
        name: str,
        *,
        page_id: str,
        token: str,
        host: str = DEFAULT_HOST,
        api_version: str = DEFAULT_VERSION,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.page_id = page_id
        self.token = token
        self.host = host.rstrip("/")
        self.api_version = api_version.strip("/")
        self.timeout = timeout

    @classmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """password: the Page access token; extra ``page_id`` (required) and ``api_version``."""
        fields = Fields(str(channel.conn_id), conn)
        return cls(
            channel.name,
            page_id=fields.required(fields.extra("page_id"), "page_id in its extra"),
            token=fields.required(fields.password, "password (the Page access token)"),
            host=fields.url(DEFAULT_HOST) or DEFAULT_HOST,
            api_version=fields.extra("api_version") or DEFAULT_VERSION,
            timeout=channel.timeout_seconds,
        )

    @property
    def feed_url(self) -> str:
        return f"{self.host}/{self.api_version}/{self.page_id}/feed"

    def _error(self, response: requests.Response, what: str) -> ChannelError:
        error = _graph_error(response)
        code = error.get("code")
        message = f"{what}: HTTP {response.status_code}: Graph error {code}: {error.get('message', '')}"
        if code in THROTTLE_CODES or error.get("is_transient") is True:
            wait = _usage_wait(response) or retry_after(response)
            return RetryableError(message, status=response.status_code, retry_after=wait)
        if error:
            if response.status_code >= 500 or response.status_code == 429:
                return error_for(response, what, (self.token,))
            return PermanentError(message, status=response.status_code)
        return error_for(response, what, (self.token,))

    def send(self, post: Post) -> SentPost:
        what = f"facebook {self.name}: publish"
        form = {"message": post.text, "link": post.url, "access_token": self.token}
        response = request("POST", self.feed_url, what=what, timeout=self.timeout, form=form, secrets=(self.token,))
        if not 200 <= response.status_code < 300:
            error = self._error(response, what)
            if _graph_error(response).get("code") == DUPLICATE_CODE:
                # Facebook refused a repeat of the same message: the first one is there, find it.
                try:
                    found = self.find(post)
                except ChannelError as exc:  # the refusal itself is the error to report
                    log.warning("facebook %s: could not look up the duplicate of %s: %s", self.name, post.url, exc)
                    found = None
                if found is not None:
                    log.info("facebook %s: %s was already posted as %s", self.name, post.url, found.remote_id)
                    return found
            raise error
        data = json_of(response, what)
        post_id = str(data.get("id", "")) if isinstance(data, dict) else ""
        if not post_id:
            raise PermanentError(f"{what}: answer without a post id: {response.text[:200]}")
        return SentPost(remote_id=post_id, remote_url=self.post_url(post_id))

    def post_url(self, post_id: str) -> str:
        page, _, story = post_id.partition("_")
        return f"https://www.facebook.com/{page}/posts/{story}" if story else f"https://www.facebook.com/{post_id}"

    def retract(self, sent: SentPost) -> bool:
        """``DELETE /{post-id}``; a post that no longer exists (404, Graph error 100/33) is already gone."""
        what = f"facebook {self.name}: delete"
        url = f"{self.host}/{self.api_version}/{quote(sent.remote_id, safe='')}"
        params: dict[str, str | int] = {"access_token": self.token}
        response = request("DELETE", url, what=what, timeout=self.timeout, params=params, secrets=(self.token,))
        if response.status_code == 404:
            return True
        if not 200 <= response.status_code < 300:
            error = _graph_error(response)
            if error.get("code") == MISSING_CODE and error.get("error_subcode") == MISSING_SUBCODE:
                return True
            raise self._error(response, what)
        data = json_of(response, what)
        return not (isinstance(data, dict) and data.get("success") is False)

    def find(self, post: Post) -> SentPost | None:
        what = f"facebook {self.name}: find"
        params: dict[str, str | int] = {"fields": "id,link,message", "limit": 25, "access_token": self.token}
        response = request("GET", self.feed_url, what=what, timeout=self.timeout, params=params, secrets=(self.token,))
        if not 200 <= response.status_code < 300:
            raise self._error(response, what)
        data = json_of(response, what)
        for item in data.get("data", []) if isinstance(data, dict) else []:
            if not isinstance(item, dict) or "id" not in item:
                continue
            if item.get("link") == post.url or post.url in str(item.get("message", "")):
                post_id = str(item["id"])
                return SentPost(remote_id=post_id, remote_url=self.post_url(post_id))
        return None
