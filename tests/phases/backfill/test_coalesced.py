"""A backfill over a range renders its listings once (or every N days): the bucket ends byte for byte
the same as when every day renders its own, and a second backfill uploads nothing."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev.devstack import SeaweedServer
from newsroom.archive import partitions
from newsroom.config import NewsroomConfig, parse_config
from newsroom.phases import backfill
from newsroom.publish.s3 import BucketClient
from newsroom.resources import files_for, open_store
from tests.support.backfill import archive, day_keys, first_difference
from tests.support.paths import CONFIG_FILE

pytestmark = pytest.mark.e2e

NOW = datetime(2024, 3, 10, 12, tzinfo=UTC)  # one clock for every run: the pages' bytes may show it


@pytest.fixture
def s3_env(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> SeaweedServer:
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    return seaweed


def _config(
    tmp: Path, bucket: str, name: str, every: int = 0, batch_size: int = 8, listings_workers: int = 1
) -> NewsroomConfig:
    data: dict[str, Any] = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    data["site"]["base_url"] = "https://www.echo-du-golfe.example/"  # the same site whatever the bucket
    data["storage"]["bucket"] = f"{bucket}-{os.getpid()}"
    data["archive"]["batch_size"] = batch_size
    data["archive"]["listings_every_days"] = every
    data["archive"]["listings_workers"] = listings_workers  # 1: every upload counted in this process (puts)
    return parse_config(data, CONFIG_FILE, state_dir=tmp / name / "state")


def _contents(config: NewsroomConfig) -> dict[str, tuple[bytes, str, str]]:
    """Every object of the bucket: its bytes, content type and cache control."""
    bucket = BucketClient.from_connection(config.storage.conn_id, config.storage.bucket, config.storage.prefix)
    out = {}
    for key in bucket.listing():
        got = bucket.get(key)
        out[key] = (got["Body"].read(), got.get("ContentType", ""), got.get("CacheControl", ""))
    return out


def _per_day(config: NewsroomConfig) -> list[dict[str, Any]]:
    """Today's way: each day's run renders its own listings (a run that does not know its range)."""
    return [dict(backfill.run_day(day, config, now=NOW)) for day in partitions.all_days(files_for(config), config)]


def test_listings_once_for_the_range_leave_the_bucket_byte_for_byte_as_per_day_listings(
    s3_env: SeaweedServer, tmp_path: Path, puts: Callable[[], Counter[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    per_day = _config(tmp_path, "coal-day", "per-day")
    once = _config(tmp_path, "coal-once", "once")
    every_two = _config(tmp_path, "coal-two", "two", every=2, listings_workers=2)
    in_processes = _config(tmp_path, "coal-procs", "procs", listings_workers=3)  # each process its share
    days = archive(per_day, count=40)
    assert archive(once, count=40) == days == archive(every_two, count=40) == archive(in_processes, count=40)
    assert len(days) >= 3

    daily = _per_day(per_day)
    daily_uploads = puts()
    with monkeypatch.context() as patch:
        patch.setattr(backfill, "CHUNK_BYTES", 100_000)  # the range's listings uploaded in several chunks
        coalesced = backfill.run_days(once, days[0], days[-1], now=NOW)
    once_uploads = puts()
    backfill.run_days(every_two, days[0], days[-1], now=NOW)
    with monkeypatch.context() as patch:
        patch.setattr(backfill, "CHUNK_BYTES", 100_000)
        shared_out = backfill.run_days(in_processes, days[0], days[-1], now=NOW)
    puts()

    reference = _contents(per_day)
    assert "index.html" in reference and any(k.startswith("tag/") for k in reference)
    for config in (once, every_two, in_processes):
        got = _contents(config)
        assert sorted(got) == sorted(reference), first_difference(config, per_day)
        differing = [k for k in reference if got[k] != reference[k]]
        assert differing == [], first_difference(config, per_day)

    # the listings rendered once, on the range's last day; the days before it deferred
    runs = [r["listings"] for r in coalesced["runs"]]
    assert [r["deferred"] for r in runs] == [True] * (len(days) - 1) + [False]
    assert runs[-1]["days_rendered"] == [d.isoformat() for d in days]
    assert sum(r["pages"] for r in runs) < sum(r["listings"]["pages"] for r in daily)
    store = open_store(once)
    article_keys = {r.path for r in store.articles.records(store.articles.all_ids()).values()}
    listing_keys = set(reference) - article_keys
    assert daily_uploads["index.html"] == len(days) and max(daily_uploads[k] for k in listing_keys) > 1
    assert {k: once_uploads[k] for k in listing_keys} == dict.fromkeys(listing_keys, 1), "each uploaded once"
    # on three processes: the same objects (above), each uploaded once too (the runs' own counts: the
    # processes' uploads are not seen by ``puts``), in as many pages as the one process rendered
    shared_runs = [r["listings"] for r in shared_out["runs"]]
    assert [r["uploaded"] for r in shared_runs] == [r["uploaded"] for r in runs]
    assert [r["pages"] for r in shared_runs] == [r["pages"] for r in runs]
    assert open_store(once).backfills.pending() == []

    # a second backfill over the range renders and uploads nothing
    again = backfill.run_days(once, days[0], days[-1], now=NOW)
    assert again["uploaded"] == 0 and puts() == Counter()
    assert all(r["listings"]["skipped"] and r["listings"]["pages"] == 0 for r in again["runs"])
    assert _contents(once) == reference


def test_a_range_cut_short_leaves_its_listings_pending_to_the_next_run(s3_env: SeaweedServer, tmp_path: Path) -> None:
    """The range's last run never came (a backfill cancelled): the nightly run, which does not know
    any range, renders everything still pending, and the bucket is the same."""
    per_day = _config(tmp_path, "cut-day", "per-day")
    cut = _config(tmp_path, "cut-short", "cut")
    days = archive(per_day, count=30)
    assert archive(cut, count=30) == days
    _per_day(per_day)

    for day in days[:-1]:
        listed = backfill.run_day(day, cut, now=NOW, until=days[-1])["listings"]
        assert listed["deferred"] and listed["pages"] == 0
    assert open_store(cut).backfills.pending() != []
    last = backfill.run_day(days[-1], cut, now=NOW)["listings"]  # no range: renders what is pending
    assert not last["deferred"] and last["days_rendered"] == [d.isoformat() for d in days]
    assert _contents(cut) == _contents(per_day), first_difference(cut, per_day)


def test_articles_of_one_slug_on_one_day_are_planned_in_one_batch(s3_env: SeaweedServer, tmp_path: Path) -> None:
    config = _config(tmp_path, "slug", "slug", batch_size=4)
    days = archive(config, count=40)
    day = max(days, key=lambda d: len(day_keys(config, d)))
    keys = day_keys(config, day)
    assert len(keys) > 2 * config.archive.batch_size
    # the first and the last key of the day ask for the same slug
    first, last = keys[0], keys[-1]
    files = files_for(config)
    record = json.loads(files.get(last))
    record["article"]["slug"] = json.loads(files.get(first))["article"]["slug"]
    files.put(last, json.dumps(record).encode("utf-8"))

    batches = backfill.plan_day(day, config)
    together = [b for b in batches if first in b]
    assert len(together) == 1 and last in together[0]
    assert sorted(k for b in batches for k in b) == keys
    assert all(len(b) <= config.archive.batch_size + 1 for b in batches)

    for batch in batches:
        backfill.run_batch(batch, day, config=config, now=NOW)
    rows = open_store(config).articles.records(open_store(config).articles.all_ids())
    paths = [r.path for r in rows.values()]
    assert len(paths) == len(set(paths)) == len(keys), "one path per article"
