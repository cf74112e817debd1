"""The outbox: each would-be post written to the bucket, for review, instead of a platform.

Key ``_outbox/{channel}/{article_id}/v{version}.json`` (under the storage
prefix), pretty JSON, ``application/json``. Writing the same post again
overwrites the same key, so the channel is idempotent, and
:meth:`OutboxChannel.find` is a HEAD on that key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from newsroom.channels.base import (
    Bucket,
    ChannelBase,
    ChannelError,
    PermanentError,
    Post,
    RetryableError,
    SentPost,
    UncertainError,
)

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig


def outbox_key(post: Post) -> str:
    return f"_outbox/{post.channel}/{post.article_id}/v{post.version}.json"


def outbox_keys_of(keys: Iterable[str], article_id: str) -> list[str]:
    """The outbox documents of ``article_id`` among bucket ``keys`` (all channels): a takedown removes them."""
    return sorted(k for k in keys if k.startswith("_outbox/") and k.split("/")[2:3] == [article_id])


def _classify(exc: Exception, what: str) -> ChannelError:
    """botocore's errors as channel errors (5xx, throttling and transport are retryable)."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, ClientError):
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        code = str(exc.response.get("Error", {}).get("Code", ""))
        message = f"{what}: {code or status}: {exc}"
        if status >= 500 or status == 429 or code in ("SlowDown", "Throttling", "RequestTimeout"):
            return RetryableError(message, status=status or None)
        return PermanentError(message, status=status or None)
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return RetryableError(f"{what}: {exc}")
    if isinstance(exc, ReadTimeoutError | ConnectionClosedError):
        return UncertainError(f"{what}: {exc}")
    return RetryableError(f"{what}: {type(exc).__name__}: {exc}")


class OutboxChannel(ChannelBase):
    """Writes each post as JSON to the site's bucket (a :class:`Bucket`, made on first use)."""

    type = "outbox"
    limit = None  # a review copy: nothing to fit
    can_find = True  # a HEAD on the post's key
    needs_connection = False  # the site's bucket, given by the caller
    idempotent: bool = True

    def __init__(self, name: str, bucket: Bucket | Callable[[], Bucket]) -> None:
        self.name = name
        self._bucket: Bucket | None = None
        self._factory: Callable[[], Bucket] | None = None
        if callable(bucket):
            self._factory = bucket
        else:
            self._bucket = bucket

    @classmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """No connection: the site's bucket, made by ``bucket_factory`` on first use."""
        return cls(channel.name, bucket_factory)

    @property
    def bucket(self) -> Bucket:
        if self._bucket is None:
            assert self._factory is not None
            self._bucket = self._factory()
        return self._bucket

    def document(self, post: Post) -> dict[str, Any]:
        return {
            "channel": post.channel,
            "article_id": post.article_id,
            "version": post.version,
            "idempotency_key": post.idempotency_key,
            "language": post.language,
            "title": post.title,
            "url": post.url,
            "text": post.text,
            "summary": post.summary,
            "image_url": post.image_url,
            "image_alt": post.image_alt,
            "hashtags": list(post.hashtags),
            "written_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }

    def send(self, post: Post) -> SentPost:
        key = outbox_key(post)
        body = (json.dumps(self.document(post), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        try:
            bucket = self.bucket
            bucket.put(key, body, hashlib.md5(body).hexdigest(), "outbox")
        except Exception as exc:
            raise _classify(exc, f"outbox {self.name}: put {key}") from exc
        return SentPost(remote_id=key, remote_url=f"s3://{bucket.bucket}/{bucket.prefix}{key}")

    def retract(self, sent: SentPost) -> bool:
        """Delete the post's JSON object (a key already gone is fine: S3 deletes are idempotent)."""
        key = sent.remote_id
        try:
            bucket = self.bucket
            bucket.client.delete_object(Bucket=bucket.bucket, Key=bucket.prefix + key)
        except Exception as exc:
            from botocore.exceptions import ClientError

            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
                "404",
                "NoSuchKey",
                "NotFound",
            ):
                return True
            raise _classify(exc, f"outbox {self.name}: delete {key}") from exc
        return True

    def find(self, post: Post) -> SentPost | None:
        from botocore.exceptions import ClientError

        key = outbox_key(post)
        try:
            bucket = self.bucket
            bucket.client.head_object(Bucket=bucket.bucket, Key=bucket.prefix + key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise _classify(exc, f"outbox {self.name}: head {key}") from exc
        except Exception as exc:
            raise _classify(exc, f"outbox {self.name}: head {key}") from exc
        return SentPost(remote_id=key, remote_url=f"s3://{bucket.bucket}/{bucket.prefix}{key}")
