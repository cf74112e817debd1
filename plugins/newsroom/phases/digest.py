"""The daily digest DAG's tasks: build the day's edition, publish its page, send it once.

Called by ``dags/daily_digest.py`` (``build``, ``publish_page``, ``send``) and
``newsroom digest``. The rules (which articles, ranking, holds, the ledger
that keeps each recipient to one message) live in :mod:`newsroom.digest`.
"""

from __future__ import annotations

from datetime import date, datetime

from newsroom.config import NewsroomConfig, get_config
from newsroom.contracts import DigestSendResult
from newsroom.digest import BuiltDigest, PublishedPages, build_digest, digest_date_for, publish_pages, send_digest
from newsroom.resources import bucket_for, files_for, open_store
from newsroom.store import utcnow

__all__ = ["BuiltDigest", "PublishedPages", "build", "publish_page", "send"]


def build(
    data_interval_end: str | None = None,
    *,
    day: str | None = None,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
) -> BuiltDigest:
    """The ``build`` task: the digest of the day before ``data_interval_end`` (or of ``day``)."""
    config = config or get_config()
    now = now or utcnow()
    if day is not None:
        the_day = date.fromisoformat(day)
    else:
        end = datetime.fromisoformat(data_interval_end) if data_interval_end else now
        the_day = digest_date_for(end, config.site.tz)
    return build_digest(config, the_day, now=now, store=open_store(config), files=files_for(config))


def publish_page(
    built: BuiltDigest, *, config: NewsroomConfig | None = None, now: datetime | None = None
) -> PublishedPages:
    """The ``publish_page`` task: the day's page, then the archive index, only what changed."""
    config = config or get_config()
    bucket = bucket_for(config)
    bucket.ensure_bucket()
    return publish_pages(config, built, store=open_store(config), bucket=bucket, now=now, files=files_for(config))


def send(
    built: BuiltDigest,
    *,
    run_type: str = "manual",
    force: bool = False,
    owner: str = "manual",
    config: NewsroomConfig | None = None,
) -> DigestSendResult:
    """The ``send`` task: one message per subscriber of each list, exactly once."""
    config = config or get_config()
    store = open_store(config)
    return send_digest(config, built, store=store, run_type=run_type, force=force, owner=owner, files=files_for(config))
