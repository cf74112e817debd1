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

A receiver checks the signature with :func:`verify_signature` on the raw
bytes, before parsing. Any 2xx is success (a JSON answer's ``id`` becomes the
remote id); 429/5xx are retried (honouring ``Retry-After``), other 4xx are final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from newsroom.channels.base import Post, SentPost
from newsroom.channels.http import check, request

SIGNATURE_HEADER = "X-Newsroom-Signature"
DELIVERY_HEADER = "X-Newsroom-Delivery"
TIMESTAMP_HEADER = "X-Newsroom-Timestamp"


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


class WebhookChannel:
    """POSTs each post as signed JSON to one URL."""

    idempotent: bool = True

    def __init__(self, name: str, *, url: str, secret: str | None = None, timeout: float = 10.0) -> None:
        self.name = name
        self.url = url
        self.secret = secret or None
        self.timeout = timeout

    def body(self, post: Post) -> bytes:
        return json.dumps(payload(post), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def send(self, post: Post) -> SentPost:
        what = f"webhook {self.name}: deliver"
        body = self.body(post)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            DELIVERY_HEADER: post.idempotency_key,
            TIMESTAMP_HEADER: str(int(time.time())),
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        response = request(
            "POST", self.url, what=what, timeout=self.timeout, headers=headers, content=body, secrets=(self.secret,)
        )
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
