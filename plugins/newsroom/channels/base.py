"""The one seam every distribution channel implements: ``send(post) -> SentPost``.

A channel is a small adapter that speaks one platform's API over HTTP; it
does not know about the ledger, pacing or schedules (``newsroom.distribute``
does). Errors are classified so the caller knows what to do:

- :class:`RetryableError`: 429 (with the platform's ``Retry-After``), 5xx,
  connection errors. Try again later with backoff.
- :class:`UncertainError`: the request may have reached the platform (a
  timeout after sending). Retrying is safe only with the platform's
  idempotency key or after looking the post up (``find``).
- :class:`PermanentError`: any other 4xx. Never retried; reported.

``retract(sent) -> bool`` deletes a post again when its article is taken down
(True when deleted or already gone, False when the platform will not delete it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol


def delivery_key(article_id: str, version: int, channel: str) -> str:
    """The idempotency key of one delivery (also stored in the ledger)."""
    raw = f"{article_id}\x1f{version}\x1f{channel}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True)
class Post:
    """What one channel will publish for one version of one article."""

    article_id: str
    version: int
    channel: str
    text: str
    url: str
    title: str
    summary: str = ""
    image_url: str | None = None
    image_alt: str = ""
    hashtags: tuple[str, ...] = ()
    language: str = "fr"

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and reruns: the same (article, version, channel) gives the same key."""
        return delivery_key(self.article_id, self.version, self.channel)


@dataclass(frozen=True)
class SentPost:
    remote_id: str
    remote_url: str | None = None
    details: dict[str, str] = field(default_factory=dict)


class ChannelError(Exception):
    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RetryableError(ChannelError):
    """429, 5xx, refused connection: nothing was posted; try again later."""


class UncertainError(ChannelError):
    """A timeout or a cut connection after the request went out: it may have been posted."""


class PermanentError(ChannelError):
    """A 4xx other than 429: the request is wrong (auth, content); do not retry."""


class Channel(Protocol):
    name: str
    #: True when the platform deduplicates on our idempotency key (a resend is safe)
    idempotent: bool

    def send(self, post: Post) -> SentPost: ...

    def find(self, post: Post) -> SentPost | None:
        """Look the post up on the platform (after an uncertain outcome); None if absent or unknowable."""
        ...

    def retract(self, sent: SentPost) -> bool:
        """Delete a post made earlier (an article taken down).

        True when the post was deleted or is already gone (a 404); False when the
        platform cannot delete it (Telegram, after 48 hours); the usual error
        classes otherwise.
        """
        ...


def classify_http(status: int, body: str, retry_after: str | None, what: str) -> ChannelError:
    """The right error for a non-2xx answer."""
    message = f"{what}: HTTP {status}: {body[:300]}"
    if status == 429:
        seconds: float | None
        try:
            seconds = float(retry_after) if retry_after is not None else None
        except ValueError:
            seconds = None
        return RetryableError(message, status=status, retry_after=seconds)
    if status >= 500:
        return RetryableError(message, status=status)
    return PermanentError(message, status=status)
