"""A small generated archive in day partitions, and a bucket's contents: for the backfill tests and the DAG's.

Used by ``tests/phases/backfill`` and ``tests/e2e/test_backfill_dag.py``.
"""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime

from bench.generate import generate_articles, write_partitions
from newsroom.archive import partitions
from newsroom.config import NewsroomConfig
from newsroom.publish.s3 import BucketClient
from newsroom.resources import files_for

SINCE = datetime(2024, 3, 1, 6, tzinfo=UTC)
UNTIL = datetime(2024, 3, 4, 6, tzinfo=UTC)


def archive(config: NewsroomConfig, count: int = 48, seed: int = 11) -> list[date]:
    """``count`` generated articles over three days, in the config's partitions (its files: the state
    folder, or the private bucket); the days, oldest first."""
    files = files_for(config)
    write_partitions(generate_articles(count, seed, since=SINCE, until=UNTIL), config, files)
    return partitions.all_days(files, config)


def day_keys(config: NewsroomConfig, day: date) -> list[str]:
    """The partition keys of ``day`` in the config's files."""
    return partitions.day_keys(files_for(config), config, day)


def bucket_objects(config: NewsroomConfig) -> dict[str, str]:
    """key -> md5 of everything in the config's bucket."""
    bucket = BucketClient.from_connection(config.storage.conn_id, config.storage.bucket, config.storage.prefix)
    bucket.ensure_bucket()
    return {key: md5 for key, (md5, _size) in bucket.listing().items()}


def first_difference(one: NewsroomConfig, other: NewsroomConfig) -> str:
    """The first object whose bytes differ between two buckets, as a unified diff (for assertion messages)."""
    a, b = bucket_objects(one), bucket_objects(other)
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    if not keys:
        return ""
    key = keys[0]

    def text(config: NewsroomConfig) -> list[str]:
        bucket = BucketClient.from_connection(config.storage.conn_id, config.storage.bucket, config.storage.prefix)
        try:
            body: bytes = bucket.get(key)["Body"].read()
            return body.decode("utf-8", "replace").splitlines()
        except Exception as exc:
            return [f"(missing: {exc})"]

    diff = difflib.unified_diff(text(one), text(other), key, key, lineterm="", n=1)
    return f"{len(keys)} object(s) differ, e.g. {key}:\n" + "\n".join(list(diff)[:40])
