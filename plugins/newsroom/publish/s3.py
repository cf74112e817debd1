"""Publish rendered pages to any S3 API: only what changed, in a safe order.

The diff is pure (:func:`plan_uploads`): a page is uploaded when its MD5 or
size differs from what we last uploaded to that key (the ``objects`` table;
``verify=True`` compares with the bucket's own listing instead, as Hugo's
deploy does). Uploads go in ordered groups, each group in parallel: static
files, then article pages, then tag and section listings, then home, so no
index ever links a page that is not there yet. Objects are recorded in the
store as they land (a few at a time), so a retried task resumes where the
last one stopped, it does not upload again what is already there; a group
with a failed upload stops the run before the next group.

Errors from the store's side become :class:`~newsroom.models.StorageError`
with one line naming the connection, the bucket and what the server said.

The bucket is reached through :class:`BucketClient`, a thin wrapper of the
boto3 client that Airflow's ``S3Hook`` builds from a connection (its extra
``endpoint_url`` points at SeaweedFS, MinIO, R2...).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import posixpath
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from newsroom.models import StorageError, StoredObject
from newsroom.store import Store

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
}
CACHE_CONTROL = {
    "static": "public, max-age=31536000, immutable",
    "article": "public, max-age=300, stale-while-revalidate=60",
    "tag": "public, max-age=300, stale-while-revalidate=60",
    "section": "public, max-age=60, stale-while-revalidate=30",
    "home": "public, max-age=60, stale-while-revalidate=30",
    "feed": "public, max-age=300",
    "sitemap": "public, max-age=300",
}
ORDER = ("static", "article", "tag", "section", "feed", "sitemap", "home")


def content_type(key: str) -> str:
    return CONTENT_TYPES.get(posixpath.splitext(key)[1].lower(), "application/octet-stream")


def cache_control(kind: str) -> str:
    return CACHE_CONTROL.get(kind, "public, max-age=300")


@dataclass(frozen=True)
class Planned:
    """A rendered file waiting to be published (its bytes are read when uploaded)."""

    key: str
    md5: str
    size: int
    kind: str
    article_id: str | None
    read: Callable[[], bytes]


@dataclass
class PublishResult:
    uploaded: list[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"uploaded": len(self.uploaded), "unchanged": self.unchanged}


def plan_uploads(planned: Iterable[Planned], current: dict[str, tuple[str, int]]) -> tuple[list[Planned], int]:
    """(what to upload in publishing order, how many are unchanged) given key -> (md5, size)."""
    todo: list[Planned] = []
    unchanged = 0
    for item in planned:
        if current.get(item.key) == (item.md5, item.size):
            unchanged += 1
        else:
            todo.append(item)
    rank = {kind: index for index, kind in enumerate(ORDER)}
    todo.sort(key=lambda p: (rank.get(p.kind, len(ORDER)), p.key))
    return todo, unchanged


RECORD_EVERY = 16  # objects recorded per store transaction while a group uploads

CLIENT_TTL = 300.0  # seconds a process keeps a connection's client (rotated credentials are read again after)
_CLIENTS: dict[tuple[int, str, str | None], tuple[float, Any]] = {}


def _client(conn_id: str) -> Any:
    """The boto3 client of an Airflow connection, made once per process and connection.

    Making one costs about 0.3 s (the hook reads the connection, botocore loads its
    service model): a backfill's batches each needed one. boto3 clients are
    thread-safe but must not cross a fork, so the cache is keyed by process;
    it is keyed by the connection's ``AIRFLOW_CONN_*`` value too, so a changed
    environment gets a new client. Making one drops the clients it supersedes:
    the parent's (after a fork), the connection's older ones and expired ones.
    """
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    key = (os.getpid(), conn_id, os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}"))
    now = time.monotonic()
    cached = _CLIENTS.get(key)
    if cached is not None and now - cached[0] < CLIENT_TTL:
        return cached[1]
    client = S3Hook(aws_conn_id=conn_id).get_conn()
    pid = key[0]
    for old in [k for k, (made, _) in _CLIENTS.items() if k[0] != pid or k[1] == conn_id or now - made >= CLIENT_TTL]:
        del _CLIENTS[old]
    _CLIENTS[key] = (now, client)
    return client


class BucketClient:
    """The few S3 calls we make, on a boto3 client, under an optional key prefix."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", conn_id: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.conn_id = conn_id

    @classmethod
    def from_connection(cls, conn_id: str, bucket: str, prefix: str = "") -> BucketClient:
        try:
            client = _client(conn_id)
        except Exception as exc:  # AirflowNotFoundException, a malformed URI...
            raise StorageError(
                f"storage connection {conn_id!r} could not be read ({type(exc).__name__}: {exc}): "
                f"define it as AIRFLOW_CONN_{conn_id.upper()} or in Airflow's connections"
            ) from exc
        return cls(client, bucket, prefix, conn_id)

    def explain(self, exc: BaseException, action: str) -> StorageError:
        """One line for the desk: which connection, which bucket, what the server said, what to check."""
        where = f"storage connection {self.conn_id!r}" if self.conn_id else "the storage connection"
        response = getattr(exc, "response", None)
        if isinstance(response, dict):
            error = response.get("Error", {})
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = error.get("Code") or status
            said = f"{code} {error.get('Message') or ''}".strip()
            if status in (401, 403) or code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                return StorageError(
                    f"{where} refused the credentials ({said}) while trying to {action} in bucket {self.bucket!r}: "
                    "check the connection's login (access key) and password (secret key)"
                )
            return StorageError(f"{where}: {action} in bucket {self.bucket!r} failed: {said}")
        return StorageError(f"{where}: could not {action} in bucket {self.bucket!r}: {type(exc).__name__}: {exc}")

    def ensure_bucket(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._ensure_bucket()
        except (BotoCoreError, ClientError) as exc:
            raise self.explain(exc, "check the bucket") from exc

    def _ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except ClientError as race:  # another worker created it a moment ago
                if race.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                    raise
                return
            log.info("Created bucket %s", self.bucket)

    def put(self, key: str, body: bytes, md5_hex: str, kind: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + key,
            Body=body,
            ContentType=content_type(key),
            CacheControl=cache_control(kind),
            ContentMD5=base64.b64encode(binascii.unhexlify(md5_hex)).decode("ascii"),
        )

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": self.prefix + k} for k in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})

    def listing(self) -> dict[str, tuple[str, int]]:
        """key (without prefix) -> (md5 from the ETag, size), for single-part objects."""
        found: dict[str, tuple[str, int]] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"][len(self.prefix) :]
                found[key] = (obj["ETag"].strip('"'), int(obj["Size"]))
        return found

    def get(self, key: str) -> dict[str, Any]:
        return dict(self.client.get_object(Bucket=self.bucket, Key=self.prefix + key))


def publish(
    planned: Iterable[Planned],
    store: Store,
    bucket: BucketClient,
    *,
    workers: int = 8,
    verify: bool = False,
    progress: bool = False,
    record_every: int = RECORD_EVERY,
) -> PublishResult:
    """Upload what changed, group by group, recording objects in the store as they land.

    ``progress``: a one-line count of the uploads on stderr (the desk's commands, on a terminal).
    ``record_every``: objects recorded per store transaction (a backfill's batches record more
    at once: fewer commits, and a retry after a kill uploads again at most that many).
    """
    items = list(planned)
    if verify:
        try:
            current = bucket.listing()
        except Exception as exc:
            raise bucket.explain(exc, "list the objects") from exc
    else:
        current = {k: (o.md5, o.size) for k, o in store.objects.get(i.key for i in items).items()}
    todo, unchanged = plan_uploads(items, current)
    result = PublishResult(unchanged=unchanged)
    bar = tqdm(total=len(todo), desc="Uploading", unit="object", file=sys.stderr, leave=False, disable=not progress)
    with bar, ThreadPoolExecutor(max_workers=workers) as pool:
        for kind in sorted({p.kind for p in todo}, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER)):
            group = [p for p in todo if p.kind == kind]

            def upload(item: Planned) -> StoredObject:
                bucket.put(item.key, item.read(), item.md5, item.kind)
                bar.update()  # tqdm's counter takes a lock: safe from the pool's threads
                return StoredObject(item.key, item.md5, item.size, content_type(item.key), item.kind, item.article_id)

            done, error = _upload_group(pool, group, upload, store, record_every)
            order = {p.key: i for i, p in enumerate(group)}
            result.uploaded.extend(sorted((o.key for o in done), key=order.__getitem__))
            log.info("Uploaded %d %s object(s)", len(done), kind)
            if error is not None:
                raise bucket.explain(error, f"upload {kind} objects") from error
    log.info("Publish: %d uploaded, %d unchanged", len(result.uploaded), unchanged)
    return result


def delete(bucket: BucketClient, store: Store, keys: Sequence[str]) -> None:
    """Delete objects from the bucket, then from our records (a retry deletes again: deleting is idempotent)."""
    try:
        bucket.delete(keys)
    except Exception as exc:
        raise bucket.explain(exc, "delete objects") from exc
    store.objects.forget(keys)
    log.info("Deleted %d object(s): %s", len(keys), ", ".join(keys[:5]) + (" ..." if len(keys) > 5 else ""))


def _upload_group(
    pool: ThreadPoolExecutor,
    group: Sequence[Planned],
    upload: Callable[[Planned], StoredObject],
    store: Store,
    record_every: int = RECORD_EVERY,
) -> tuple[list[StoredObject], BaseException | None]:
    """Upload a group in parallel, recording every object that landed, even when others fail.

    Returns what landed and the first error (the caller stops before the next group).
    """
    futures: list[Future[StoredObject]] = [pool.submit(upload, item) for item in group]
    done: list[StoredObject] = []
    waiting: list[StoredObject] = []
    error: BaseException | None = None
    for future in as_completed(futures):
        try:
            waiting.append(future.result())
        except Exception as exc:
            error = error or exc
            continue
        if len(waiting) >= record_every:
            store.objects.record(waiting)
            done.extend(waiting)
            waiting = []
    if waiting:
        store.objects.record(waiting)
        done.extend(waiting)
    return done, error
