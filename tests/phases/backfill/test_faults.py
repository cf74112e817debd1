"""Faults: a worker killed mid-batch, and two workers at once on one PostgreSQL state database.

Each worker is a real separate process (``python -c``) running the DAG task's
function, as an Airflow worker's task process does; the kill is ``os._exit``
in the middle of uploading, the way an OOM kill or a lost node ends a task.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev.devstack import SeaweedServer
from newsroom.archive import partitions
from newsroom.config import NewsroomConfig, parse_config
from newsroom.phases import backfill
from newsroom.resources import files_for, open_store
from tests.support.backfill import archive, bucket_objects, first_difference
from tests.support.paths import CONFIG_FILE, REPO_ROOT
from tests.support.postgres import pg_database

pytestmark = pytest.mark.e2e

WORKER = """
import json, os, sys
from datetime import date
import yaml
from newsroom.config import parse_config
from newsroom.phases import backfill
from newsroom.publish.s3 import BucketClient

job = json.loads(os.environ["JOB"])
config = parse_config(yaml.safe_load(open(job["config"])), __import__("pathlib").Path(job["config_path"]),
                      state_dir=__import__("pathlib").Path(job["state_dir"]))
if job.get("kill_after_uploads") is not None:
    real, started = BucketClient.put, [0]
    def put(self, key, *args, **kwargs):
        started[0] += 1
        if started[0] > job["kill_after_uploads"]:
            os._exit(137)  # killed mid-batch: no cleanup, no exception handler runs
        real(self, key, *args, **kwargs)
    BucketClient.put = put
results = []
for files in job["batches"]:
    for attempt in range(3):  # what Airflow's task retries do
        try:
            results.append(backfill.run_batch(files, date.fromisoformat(job["day"]), config=config))
            break
        except Exception as exc:
            print(f"attempt {attempt + 1} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    else:
        sys.exit(3)
print(json.dumps(results))
"""


def _config(
    tmp: Path, seaweed: SeaweedServer, bucket: str, name: str, database_url: str | None = None
) -> NewsroomConfig:
    data: dict[str, Any] = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    data["site"]["base_url"] = "https://www.echo-du-golfe.example/"  # the same site whatever the bucket
    data["storage"]["bucket"] = bucket
    data["archive"]["batch_size"] = 8
    if database_url:
        data["database"]["url"] = database_url
    (tmp / name).mkdir(parents=True, exist_ok=True)
    (tmp / name / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return parse_config(data, CONFIG_FILE, state_dir=tmp / name / "state")


def _worker(config: NewsroomConfig, tmp: Path, name: str, day: str, batches: list[list[str]], **job: Any) -> Any:
    env = dict(os.environ)
    env["JOB"] = json.dumps(
        {
            "config": str(tmp / name / "config.yaml"),
            "config_path": str(CONFIG_FILE),
            "state_dir": str(config.state_dir),
            "day": day,
            "batches": batches,
            **job,
        }
    )
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "plugins"), str(REPO_ROOT)])
    return subprocess.Popen(
        [sys.executable, "-c", WORKER], env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.fixture
def s3_env(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> SeaweedServer:
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    return seaweed


def test_a_worker_killed_mid_batch_leaves_nothing_half_published_after_the_retry(
    s3_env: SeaweedServer, tmp_path: Path
) -> None:
    pid = os.getpid()
    reference = _config(tmp_path, s3_env, f"kill-ref-{pid}", "reference")
    faulty = _config(tmp_path, s3_env, f"kill-run-{pid}", "faulty")
    days = archive(reference, count=40)
    assert archive(faulty, count=40) == days
    first = max(days, key=lambda d: len(backfill.plan_day(d, faulty)))
    batches = backfill.plan_day(first, faulty)
    assert len(batches) >= 2

    # the days before it have run, as the DAG's plan task waits for them
    earlier = [d for d in days if d < first]
    if earlier:
        backfill.run_days(faulty, earlier[0], earlier[-1])
    puts_before = len(bucket_objects(faulty))
    killed = _worker(faulty, tmp_path, "faulty", first.isoformat(), batches, kill_after_uploads=3)
    _out, err = killed.communicate(timeout=300)
    assert killed.returncode == 137, err.decode()[-2000:]
    half = len(bucket_objects(faulty)) - puts_before
    assert half <= 3 < len(batches[0]), "the worker died while uploading its first batch"
    store = open_store(faulty)
    statuses = {r.id: r.status for r in store.articles.records(store.articles.all_ids()).values()}
    killed_ids = [i for i, s in statuses.items() if s != "published"]
    assert len(killed_ids) == len(batches[0]), "the killed batch's articles are stored but not marked published"
    assert all(statuses[i] == "backfill" for i in killed_ids)

    # Airflow retries the batch (and runs the rest of the backfill); the reference never failed.
    backfill.run_days(faulty, days[0], days[-1])
    backfill.run_days(reference, days[0], days[-1])

    assert bucket_objects(faulty) == bucket_objects(reference), first_difference(faulty, reference)
    rows = open_store(faulty).articles.records(open_store(faulty).articles.all_ids())
    assert len(rows) == 40 and {r.status for r in rows.values()} == {"published"}
    assert {r.version for r in rows.values()} == {1}


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_database()


def test_two_workers_on_postgresql_lose_and_double_nothing(s3_env: SeaweedServer, tmp_path: Path, pg_url: str) -> None:
    pid = os.getpid()
    config = _config(tmp_path, s3_env, f"pg-two-{pid}", "shared", database_url=pg_url)
    reference = _config(tmp_path, s3_env, f"pg-ref-{pid}", "reference")
    days = archive(config, count=30)
    assert archive(reference, count=30) == days
    day = max(days, key=lambda d: len(backfill.plan_day(d, config)))
    batches = backfill.plan_day(day, config)
    assert len(batches) >= 2
    # Both take their own batches, and both take the last one too (a task retried while its
    # first attempt, on a worker thought lost, still runs).
    one = _worker(config, tmp_path, "shared", day.isoformat(), [*batches[0::2], batches[-1]])
    two = _worker(config, tmp_path, "shared", day.isoformat(), [*batches[1::2], batches[-1]])
    results = []
    for proc in (one, two):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-3000:]
        results.extend(json.loads(out.decode().strip().splitlines()[-1]))
    backfill.run_listings(results, day, config=config)

    store = open_store(config)
    rows = store.articles.records(store.articles.all_ids())
    files = files_for(config)
    expected = {partitions.read(files, key)[0].id for batch in batches for key in batch}
    assert set(rows) == expected, "no article lost"
    assert {r.version for r in rows.values()} == {1}, "no article doubled"
    assert {r.status for r in rows.values()} == {"published"}
    assert sum(len(r["changed"]) for r in results) == len(expected), "each article stored by exactly one worker"

    backfill.run_day(day, reference)
    assert bucket_objects(config) == bucket_objects(reference), first_difference(config, reference)
    store.close()


def test_listings_trailing_the_batches_render_once_for_several_days_to_the_same_bucket(
    s3_env: SeaweedServer, tmp_path: Path
) -> None:
    """A backfill running several days at once lets the batches get ahead of the listings (each
    waits only for the previous day's): the first listings run then renders for every day pending,
    the next ones find nothing left, and the bucket is the one the days run one by one give."""
    pid = os.getpid()
    reference = _config(tmp_path, s3_env, f"trail-ref-{pid}", "reference")
    trailing = _config(tmp_path, s3_env, f"trail-run-{pid}", "trailing")
    days = archive(reference, count=36)
    assert archive(trailing, count=36) == days and len(days) >= 3
    one_by_one = [backfill.run_day(day, reference) for day in days]  # each day its own listings

    batches = {
        day: [backfill.run_batch(f, day, config=trailing) for f in backfill.plan_day(day, trailing)] for day in days
    }
    listed = [backfill.run_listings(batches[day], day, config=trailing) for day in days]

    assert listed[0]["days_rendered"] == [d.isoformat() for d in days]
    assert [run["days_rendered"] for run in listed[1:]] == [[] for _ in days[1:]]
    assert sum(run["pages"] for run in listed) < sum(run["listings"]["pages"] for run in one_by_one)
    assert bucket_objects(trailing) == bucket_objects(reference), first_difference(trailing, reference)
    assert open_store(trailing).backfills.pending() == []

    # every day is complete: a second backfill renders and uploads nothing
    again = backfill.run_days(trailing, days[0], days[-1])
    assert again["uploaded"] == 0
    assert all(run["listings"]["skipped"] for run in again["runs"])
