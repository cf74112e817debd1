"""Statuses on a Mastodon instance (``POST /api/v1/statuses``).

The access token needs the ``write:statuses`` scope. Every request carries
``Idempotency-Key: <post.idempotency_key>``: Mastodon keeps the key for an hour
and answers a repeat with the status it already created, so a resend after an
uncertain outcome is safe and the channel is idempotent. Rate limits come as
HTTP 429 with ``X-RateLimit-Reset`` (an ISO 8601 instant), read by the shared helper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

from newsroom.channels.base import Bucket, ChannelBase, PermanentError, Post, SentPost
from newsroom.channels.connection import ConnectionProblem, Fields
from newsroom.channels.http import check, json_of, request
from newsroom.channels.limits import Limit, x_length

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig

VISIBILITIES = ("public", "unlisted", "private", "direct")


class MastodonChannel(ChannelBase):
    """Posts the post's text as one public status in the post's language."""

    type = "mastodon"
    limit = Limit(500, x_length)  # links count 23, like X
    can_find = False  # not needed: a resend with the same Idempotency-Key is safe
    idempotent: bool = True

    def __init__(self, name: str, *, host: str, token: str, visibility: str = "public", timeout: float = 10.0) -> None:
        if visibility not in VISIBILITIES:
            raise ValueError(f"visibility: expected one of {', '.join(VISIBILITIES)}, got {visibility!r}")
        self.name = name
        self.host = host.rstrip("/")
        self.token = token
        self.visibility = visibility
        self.timeout = timeout

    @classmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """host: the instance (required); password: the access token; extra ``visibility`` (default public)."""
        fields = Fields(str(channel.conn_id), conn)
        host = fields.required(fields.url(None), "host (the instance URL)")
        token = fields.required(fields.password, "password (the access token)")
        visibility = fields.extra("visibility") or "public"
        if visibility not in VISIBILITIES:
            raise ConnectionProblem(
                f"connection '{fields.conn_id}' has visibility {visibility!r}, not one of {VISIBILITIES}"
            )
        return cls(channel.name, host=host, token=token, visibility=visibility, timeout=channel.timeout_seconds)

    def send(self, post: Post) -> SentPost:
        what = f"mastodon {self.name}: publish"
        response = request(
            "POST",
            f"{self.host}/api/v1/statuses",
            what=what,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": post.idempotency_key},
            json_body={"status": post.text, "visibility": self.visibility, "language": post.language},
            secrets=(self.token,),
        )
        status = json_of(check(response, what, (self.token,)), what)
        if not isinstance(status, dict) or not status.get("id"):
            raise PermanentError(f"{what}: answer without a status id: {response.text[:200]}")
        url = status.get("url") or status.get("uri")
        return SentPost(
            remote_id=str(status["id"]),
            remote_url=str(url) if url else None,
            details={"uri": str(status.get("uri", ""))},
        )

    def find(self, post: Post) -> SentPost | None:
        """Not needed: a resend with the same Idempotency-Key returns the existing status."""
        return None

    def retract(self, sent: SentPost) -> bool:
        """``DELETE /api/v1/statuses/{id}``; a 404 means the status is already gone."""
        what = f"mastodon {self.name}: delete"
        response = request(
            "DELETE",
            f"{self.host}/api/v1/statuses/{quote(sent.remote_id, safe='')}",
            what=what,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.token}"},
            secrets=(self.token,),
        )
        if response.status_code == 404:
            return True
        check(response, what, (self.token,))
        return True
