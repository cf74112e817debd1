"""Invalidate exactly the changed paths at the CDN (CloudFront, through boto3).

Called after every publish that uploaded or deleted objects, when the
configuration names a distribution (``cdn.distribution_id``). The caller
reference is derived from the publish run, so a retried task does not create
a second invalidation. Paths are grouped into batches of 3,000 (CloudFront's
limit per invalidation).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import Any

from newsroom.config import NewsroomConfig

log = logging.getLogger(__name__)
BATCH = 3000


def cdn_paths(config: NewsroomConfig, keys: Sequence[str]) -> list[str]:
    """Public paths for object keys; an index.html also invalidates its directory URL."""
    prefix = config.storage.prefix
    paths: set[str] = set()
    for key in keys:
        path = "/" + prefix + key
        paths.add(path)
        if key == "index.html" or key.endswith("/index.html"):
            paths.add(path[: -len("index.html")])
    return sorted(paths)


def invalidate(config: NewsroomConfig, keys: Sequence[str], reference: str, client: Any | None = None) -> list[str]:
    """Create the invalidation(s); return their ids (empty when no CDN is configured or nothing changed)."""
    if config.cdn is None or not keys:
        return []
    if client is None:
        from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

        client = AwsBaseHook(aws_conn_id=config.cdn.conn_id, client_type="cloudfront").get_conn()
    paths = cdn_paths(config, keys)
    ids = []
    for start in range(0, len(paths), BATCH):
        batch = paths[start : start + BATCH]
        caller = hashlib.sha256(f"{reference}:{start}".encode()).hexdigest()[:32]
        answer = client.create_invalidation(
            DistributionId=config.cdn.distribution_id,
            InvalidationBatch={"Paths": {"Quantity": len(batch), "Items": batch}, "CallerReference": caller},
        )
        ids.append(str(answer["Invalidation"]["Id"]))
        log.info("CDN invalidation %s: %d path(s)", ids[-1], len(batch))
    return ids
