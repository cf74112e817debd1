"""A signed JSON POST to any receiver (a CMS, a chat bridge, a partner's endpoint).

The body::

    {"id": <idempotency key>, "article_id", "version", "title", "url", "summary",
     "text", "image_url", "hashtags": [...]}

and the headers:

- ``X-Newsroom-Delivery``: the idempotency key, the same on every retry of the
  same post; receivers deduplicate on it, which makes the channel idempotent;
- ``X-Newsroom-Timestamp``: Unix seconds when this attempt was sent;
- ``X-Newsroom-Signature``: ``sha256=<hex HMAC-SHA256 of the raw body>`` keyed
  with the connection's password (left out when no secret is configured).

When an article is taken down, :meth:`WebhookChannel.retract` POSTs a signed
``{"event": "takedown", "id", "article_id", "version"}`` (header
``X-Newsroom-Event: takedown``) so the receiver can remove what it made of it.

A receiver checks the signature with :func:`verify_signature` on the raw
bytes, before parsing. Any 2xx is success (a JSON answer's ``id`` becomes the
remote id); 429/5xx are retried (honouring ``Retry-After``), other 4xx are final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

import requests

from newsroom.channels.base import Bucket, ChannelBase, Post, SentPost
from newsroom.channels.connection import Fields
from newsroom.channels.http import check, request

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig

SIGNATURE_HEADER = "X-Newsroom-Signature"
DELIVERY_HEADER = "X-Newsroom-Delivery"
TIMESTAMP_HEADER = "X-Newsroom-Timestamp"
EVENT_HEADER = "X-Newsroom-Event"


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=<hex digest>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of exactly these bytes with this secret (constant time)."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(secret, body).encode("ascii"), header.strip().encode("ascii", "replace"))


def payload(post: Post) -> dict[str, Any]:
    return {
        "id": post.idempotency_key,
        "article_id": post.article_id,
        "version": post.version,
        "title": post.title,
        "url": post.url,
        "summary": post.summary,
        "text": post.text,
        "image_url": post.image_url,
        "hashtags": list(post.hashtags),
    }


class WebhookChannel(ChannelBase):
    """POSTs each post as signed JSON to one URL."""

    type = "webhook"
    limit = None  # a receiver takes the whole post
    can_find = False  # unknowable for a generic receiver (it deduplicates on the delivery id)
    can_retract = True  # a signed takedown event
    idempotent: bool = True

    def __init__(self, name: str, *, url: str, secret: str | None = None, timeout: float = 10.0) -> None:
        self.name = name
        self.url = url
        self.secret = secret or None
        self.timeout = timeout

    @classmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """host: the full URL to POST to (required); password: the signing secret (optional)."""
        fields = Fields(str(channel.conn_id), conn)
        return cls(
            channel.name,
            url=fields.required(fields.url(None, keep_path=True), "host (the URL to POST to)"),
            secret=fields.password,
            timeout=channel.timeout_seconds,
        )

    def body(self, post: Post) -> bytes:
        return json.dumps(payload(post), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def _post(self, body: bytes, delivery: str, what: str, event: str | None = None) -> requests.Response:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            DELIVERY_HEADER: delivery,
            TIMESTAMP_HEADER: str(int(time.time())),
        }
        if event:
            headers[EVENT_HEADER] = event
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        return request(
            "POST", self.url, what=what, timeout=self.timeout, headers=headers, content=body, secrets=(self.secret,)
        )

    def send(self, post: Post) -> SentPost:
        what = f"webhook {self.name}: deliver"
        response = self._post(self.body(post), post.idempotency_key, what)
        check(response, what, (self.secret,))
        remote_id = post.idempotency_key
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and isinstance(answer.get("id"), str | int) and str(answer["id"]):
            remote_id = str(answer["id"])
        return SentPost(remote_id=remote_id, details={"status": str(response.status_code)})

    def find(self, post: Post) -> SentPost | None:
        """Unknowable for a generic receiver (and not needed: it deduplicates on the delivery id)."""
        return None

    def retract(self, sent: SentPost) -> bool:
        """POST a signed takedown event for the delivery; any 2xx (or a 404: unknown there) is done.

        The body is ``{"event": "takedown", "id", "article_id", "version"}`` (``id``
        the delivery's id); its own ``X-Newsroom-Delivery`` is ``takedown-<id>``, so
        a receiver deduplicating deliveries does not drop it, and ``X-Newsroom-Event``
        says ``takedown``.
        """
        what = f"webhook {self.name}: takedown"
        delivery = sent.details.get("idempotency_key") or sent.remote_id
        version = sent.details.get("version")
        event: dict[str, Any] = {
            "event": "takedown",
            "id": delivery,
            "article_id": sent.details.get("article_id"),
            "version": int(version) if version and version.isdigit() else version,
        }
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        response = self._post(body, f"takedown-{delivery}", what, event="takedown")
        if response.status_code == 404:
            return True
        check(response, what, (self.secret,))
        return True
