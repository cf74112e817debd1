"""The seam every distribution channel implements, and what each channel class declares.

:class:`Channel` is the seam ``newsroom.distribute`` (sending) and the
takedown (retracting) call: ``send``, ``find`` and ``retract``.
:class:`ChannelBase` is what every adapter class in this package derives from:
it declares, once, what the rest of the code needs to know about a platform
(its config ``type``, its post length ``limit``, whether it ``can_find`` or
``can_retract`` a post, whether it ``needs_connection``) and builds itself
with :meth:`ChannelBase.from_connection`; :mod:`newsroom.channels.registry`
is the table of these classes. :class:`Bucket` is the part of the site's
bucket client the outbox uses (so this package imports nothing from
``newsroom.publish``).

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
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

if TYPE_CHECKING:
    from newsroom.channels.limits import Limit
    from newsroom.config import ChannelConfig


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


class Bucket(Protocol):
    """The site's bucket as the outbox uses it (``newsroom.publish.s3.BucketClient`` is one)."""

    bucket: str
    prefix: str
    client: Any  # the boto3 S3 client, for head_object and delete_object

    def put(self, key: str, body: bytes, md5_hex: str, kind: str) -> None: ...


class ChannelBase(ABC):
    """An adapter class: one platform's API behind :class:`Channel`, and what it can do.

    Subclasses set the class attributes below and implement the four methods;
    the registry lists the classes, and the configuration's channel types, the
    post limits (``newsroom.distribute.posts``) and the lookup after an
    uncertain send (``newsroom.distribute.sender``) are read from them.
    """

    #: the ``type`` of a ``channels:`` entry in the newsroom file
    type: ClassVar[str]
    #: how long a post may be and how the platform counts (None: no limit to fit)
    limit: ClassVar[Limit | None] = None
    #: True when :meth:`find` can look a post up on the platform after an uncertain outcome
    can_find: ClassVar[bool] = False
    #: True when :meth:`retract` can delete a post (it may still answer False for one post)
    can_retract: ClassVar[bool] = True
    #: False for a channel built without an Airflow connection (the outbox)
    needs_connection: ClassVar[bool] = True

    name: str
    #: True when the platform deduplicates on our idempotency key (a resend is safe)
    idempotent: bool

    @classmethod
    @abstractmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """The adapter for one configured channel; ``conn`` is its Airflow connection (None if not needed).

        Raises :class:`newsroom.channels.connection.ConnectionProblem` when the
        connection lacks a field this platform needs.
        """

    @abstractmethod
    def send(self, post: Post) -> SentPost: ...

    @abstractmethod
    def find(self, post: Post) -> SentPost | None: ...

    @abstractmethod
    def retract(self, sent: SentPost) -> bool: ...


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
