"""The newsroom's own files, where every worker can reach them: a folder, or a private bucket.

Filings waiting in the inbox, quarantined files and their reports, the
originals of accepted filings, the imported archive's day partitions, the
tags waiting for review, and the build folders one task hands to the next
are addressed by key (``inbox/<stamp>--<name>``, ``quarantine/<name>``,
``partitions/2025/06/01/<id>.json``...), never by a worker's local path.

- :class:`LocalFiles`: a folder (the state folder, ``paths.state_dir``): the
  embedded default, one machine or workers that mount one volume.
- :class:`BucketFiles`: a private bucket (``storage.files_bucket``, through
  the site's S3 connection): workers that share no disk (Kubernetes pods of
  the official Helm chart, Celery workers on several machines).

Both write a key whole or not at all (a temporary name, then a rename; an S3
PUT), and :meth:`Files.location` gives the line shown to a person (a path, or
an ``s3://`` URL) that :meth:`Files.key_of` reads back.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol


class Files(Protocol):
    remote: bool  # True when the files are not on this machine's disk

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes:
        """The bytes of ``key``; FileNotFoundError when there is no such key."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (a folder: ends with "/"), in name order; dot-names left out."""
        ...

    def exists(self, key: str) -> bool: ...

    def ensure(self, folder: str) -> None:
        """A folder where a person may drop files by hand (nothing to do in a bucket)."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing when it is gone already."""
        ...

    def move(self, key: str, target: str) -> bool:
        """Move ``key`` to ``target``; False when ``key`` is gone (another run took it)."""
        ...

    def location(self, key: str) -> str: ...

    def key_of(self, location: str) -> str: ...


class LocalFiles:
    """Keys are paths under ``root``."""

    remote = False

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"not a key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        temp.write_bytes(data)
        os.replace(temp, path)

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def keys(self, prefix: str) -> list[str]:
        folder = self.path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        if not folder.is_dir():
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            base = Path(dirpath).relative_to(self.root).as_posix()
            found += [f"{base}/{name}" for name in filenames if not name.startswith(".")]
        return sorted(found)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def ensure(self, folder: str) -> None:
        self.path(folder).mkdir(parents=True, exist_ok=True)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def move(self, key: str, target: str) -> bool:
        source, dest = self.path(key), self.path(target)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, dest)
        except FileNotFoundError:
            if source.exists():  # the target's folder vanished: a real error
                raise
            return False
        return True

    def location(self, key: str) -> str:
        return str(self.path(key))

    def key_of(self, location: str) -> str:
        """A key from :meth:`location` (or from a path recorded before keys existed)."""
        path = Path(location)
        return path.relative_to(self.root).as_posix() if path.is_absolute() else location


class BucketFiles:
    """Keys are objects of a private bucket, under ``prefix``, on a boto3 client."""

    remote = True

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def put(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)
        except Exception as exc:
            raise _failed(exc, "write", self.location(key)) from exc

    def get(self, key: str) -> bytes:
        try:
            body: bytes = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except Exception as exc:
            raise _failed(exc, "read", self.location(key)) from exc
        return body

    def _listing(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        ):
            for obj in page.get("Contents", []):
                yield obj["Key"][len(self.prefix) :]

    def keys(self, prefix: str) -> list[str]:
        return sorted(k for k in self._listing(prefix) if not k.rpartition("/")[2].startswith("."))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def ensure(self, folder: str) -> None:
        return None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def move(self, key: str, target: str) -> bool:
        """Copy, then delete (S3 has no rename): a reader in between sees both, never neither."""
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=self.prefix + target,
                CopySource={"Bucket": self.bucket, "Key": self.prefix + key},
            )
        except Exception as exc:
            failed = _failed(exc, "move", self.location(key))
            if isinstance(failed, FileNotFoundError):  # another run moved it
                return False
            raise failed from exc
        self.delete(key)
        return True

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def key_of(self, location: str) -> str:
        head = f"s3://{self.bucket}/{self.prefix}"
        return location[len(head) :] if location.startswith(head) else location


def _failed(exc: BaseException, action: str, where: str) -> OSError:
    """An S3 error as the OSError a file would give: FileNotFoundError for a missing key, else one line
    naming the object and what the server said."""
    error = (getattr(exc, "response", None) or {}).get("Error", {})
    code = str(error.get("Code") or "")
    if code in ("404", "NoSuchKey", "NotFound"):
        return FileNotFoundError(where)
    said = f"{code} {error.get('Message') or ''}".strip() or f"{type(exc).__name__}: {exc}"
    return OSError(f"{where}: could not {action} it: {said}")
