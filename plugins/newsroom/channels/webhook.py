"""A signed JSON POST to any receiver (a CMS, a chat bridge, a partner's endpoint).

The body::

    {"id": <idempotency key>, "article_id", "version", "title", "url", "summary",
     "text", "image_url", "hashtags": [...]}

and the headers:

- ``X-Newsroom-Delivery``: the idempotency key, the same on every retry of the
  same post; receivers deduplicate on it, which makes the channel idempotent;
- ``X-Newsroom-Timestamp``: Unix seconds when this attempt was sent (a retry
  has its own);
- ``X-Newsroom-Signature``: ``v1=<hex HMAC-SHA256>`` keyed with the connection's
  password, over the bytes ``f"{timestamp}.{delivery}.".encode() + raw body``
  (left out when no secret is configured).

Signing the timestamp and the delivery id with the body is what makes a
captured request useless to replay: an old one is refused for its timestamp,
and a fresh copy of one already received is only a duplicate.

When an article is taken down, :meth:`WebhookChannel.retract` POSTs a signed
``{"event": "takedown", "id", "article_id", "version"}`` (header
``X-Newsroom-Event: takedown``) so the receiver can remove what it made of it.

The receiver's check, on the raw bytes before parsing, is :func:`verify_signature`:
it refuses (:class:`SignatureRejected`) a bad or missing signature and a
timestamp more than five minutes away from its clock, and tells a delivery id
it has seen before (a retry of ours, or a replay) as a duplicate, to be
answered 2xx and not acted on twice. Any 2xx is success for us (a JSON
answer's ``id`` becomes the remote id); 429/5xx are retried (honouring
``Retry-After``), other 4xx are final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Self

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


#: How far a delivery's timestamp may be from the receiver's clock, either way.
TOLERANCE_SECONDS = 300


def signed_bytes(timestamp: str, delivery: str, body: bytes) -> bytes:
    """What the signature covers: ``f"{timestamp}.{delivery}."`` (UTF-8), then the raw body."""
    return f"{timestamp}.{delivery}.".encode() + body


def sign(secret: str, body: bytes, *, timestamp: str, delivery: str) -> str:
    """The ``X-Newsroom-Signature`` value: ``v1=<hex HMAC-SHA256 of signed_bytes(...)>``."""
    mac = hmac.new(secret.encode("utf-8"), signed_bytes(timestamp, delivery, body), hashlib.sha256)
    return "v1=" + mac.hexdigest()


class SignatureRejected(ValueError):
    """A delivery to refuse (answer 401): bad or missing signature, or a timestamp out of the window."""


class ReplayStore(Protocol):
    """Delivery ids a receiver has acted on. A receiver supplies a persistent one (a table, Redis);
    :class:`MemoryReplayStore` is the in-process one.

    Keep ids at least ``2 * TOLERANCE_SECONDS`` (replay protection needs no more), and as long as
    you want retries deduplicated: ours come back with the same id for as long as distribution
    retries, hours at most.
    """

    def __contains__(self, delivery: object) -> bool: ...

    def add(self, delivery: str) -> None: ...


class MemoryReplayStore:
    """A :class:`ReplayStore` in memory (one process; forgets on restart), ids kept ``keep`` seconds."""

    def __init__(self, keep: float = 7 * 86400, clock: Callable[[], float] = time.time) -> None:
        self.keep = keep
        self.clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def __contains__(self, delivery: object) -> bool:
        with self._lock:
            until = self._seen.get(str(delivery))
            return until is not None and until > self.clock()

    def add(self, delivery: str) -> None:
        with self._lock:
            now = self.clock()
            if len(self._seen) > 10_000:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
            self._seen[delivery] = now + self.keep


@dataclass(frozen=True)
class Verified:
    """A delivery whose signature and timestamp are good; ``duplicate`` when its id was seen before."""

    delivery: str
    timestamp: int
    duplicate: bool


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict: look the name up ignoring case
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value.strip() if isinstance(value, str) else None


def verify_signature(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: float | None = None,
    seen: ReplayStore | None = None,
    tolerance: float = TOLERANCE_SECONDS,
) -> Verified:
    """The receiver's check of one delivery, on the raw body bytes, before parsing them.

    Raises :class:`SignatureRejected` (answer 401) when the signature is missing or
    not that of ``f"{timestamp}.{delivery}."`` + ``body`` with ``secret``
    (compared in constant time), or when the timestamp is more than ``tolerance``
    seconds (five minutes) in the past or the future. Otherwise returns a
    :class:`Verified`; its ``duplicate`` is True when ``seen`` already holds the
    delivery id: a retry of ours or a replay, to answer 2xx without acting again.
    Add the id to ``seen`` once you have acted on the delivery (in the same
    transaction if you can), so that one you failed to act on is acted on when
    we retry it.
    """
    signature = _header(headers, SIGNATURE_HEADER)
    delivery = _header(headers, DELIVERY_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    if not secret:
        raise SignatureRejected("no secret to check the signature with")
    if not signature or not delivery or not stamp:
        missing = [
            n
            for n, v in ((SIGNATURE_HEADER, signature), (DELIVERY_HEADER, delivery), (TIMESTAMP_HEADER, stamp))
            if not v
        ]
        raise SignatureRejected(f"missing {', '.join(missing)}")
    if not (stamp.isascii() and stamp.isdigit()):
        raise SignatureRejected(f"{TIMESTAMP_HEADER} is not Unix seconds: {stamp[:20]!r}")
    expected = sign(secret, body, timestamp=stamp, delivery=delivery)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        raise SignatureRejected("the signature does not match the timestamp, delivery id and body")
    age = (time.time() if now is None else now) - int(stamp)
    if age > tolerance:
        raise SignatureRejected(f"timestamp {age:.0f} s old (at most {tolerance:.0f}): a replay, or a clock off")
    if age < -tolerance:
        raise SignatureRejected(f"timestamp {-age:.0f} s in the future (at most {tolerance:.0f}): a clock off")
    return Verified(delivery, int(stamp), seen is not None and delivery in seen)


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
            headers[SIGNATURE_HEADER] = sign(self.secret, body, timestamp=headers[TIMESTAMP_HEADER], delivery=delivery)
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
