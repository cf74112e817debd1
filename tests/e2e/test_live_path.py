"""The live path on the real thing: Airflow standalone with real users, `newsroom file`, SeaweedFS.

The every-minute sweep (``ingest_sweep``) is paused here, so nothing but the
runs the live path asks for can publish: a filing's own run, and the run a
scheduled article gets for its exact time.

- A filing made while a run is in progress (its upload held up: this
  module's SeaweedFS is stopped with SIGSTOP for the moment) goes live
  without the sweep: its run was queued behind the running one, not left
  for the next event or the next minute (apache/airflow#56050 is about asset
  events arriving mid-run with ``max_active_runs=1``).
- A scheduled article gets a run at its ``publish_at`` (``run_after``), is not
  in the bucket before, and goes live through that run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev.auth import CONN_ID, SimpleAuthUsers
from dev.devstack import AirflowStandalone, SeaweedServer
from dev.ports import free_port
from newsroom.airflow_api import AirflowApi, run_id_at
from newsroom.config import NewsroomConfig, load_config
from newsroom.resources import bucket_for, open_store
from tests.support.airflow import write_config

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def own_seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """A SeaweedFS of this module's own: the first test stops it for a moment."""
    server = SeaweedServer.on_free_ports(tmp_path_factory.mktemp("live-seaweed"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def live(
    own_seaweed: SeaweedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[NewsroomConfig, dict[str, str], AirflowApi]]:
    folder = tmp_path_factory.mktemp("live")
    port = free_port()
    path = write_config(folder, own_seaweed, "live-site")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["airflow"].update({"url": f"http://localhost:{port}", "conn_id": CONN_ID, "wait_seconds": 120})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    auth = SimpleAuthUsers(folder / "passwords.json")
    login = {f"AIRFLOW_CONN_{CONN_ID.upper()}": auth.connection_uri(f"http://localhost:{port}")}
    env = {  # the tasks ask for runs too (a scheduled article's), with the same connection as `newsroom file`
        "NEWSROOM_CONFIG": str(path),
        "AIRFLOW_CONN_NEWSROOM_S3": own_seaweed.connection_uri(),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",  # the sweep never runs; ingest_articles unpaused below
        **login,
    }
    airflow = AirflowStandalone(folder / "airflow", port, env, auth=auth)
    saved = {k: os.environ.get(k) for k in ("AIRFLOW_CONN_NEWSROOM_S3", *login)}
    os.environ.update({"AIRFLOW_CONN_NEWSROOM_S3": own_seaweed.connection_uri(), **login})  # this process's checks
    try:
        airflow.start()  # inside: a start that times out still stops what it started
        config = load_config(path)
        api = AirflowApi.from_config(config)
        api.unpause("ingest_articles")  # and nothing else: no sweep, only the runs the live path asks for
        yield config, {**os.environ, **env, "PATH": f"{BIN}:{os.environ['PATH']}"}, api
    finally:
        airflow.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _newsroom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "newsroom"), *args], env=env, capture_output=True, text=True, timeout=300)


def _article(folder: Path, article_id: str, title: str, **front: Any) -> Path:
    now = datetime.now(UTC).replace(microsecond=0)
    lines = [f"id: {article_id}", f'title: "{title}"', "section: societe", f"published: {now.isoformat()}"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    path = folder / f"{article_id}.md"
    body = "Cotonou. Le marché Dantokpa rouvre ses portes après des travaux de rénovation engagés par la mairie.\n"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    return path


def _wait_status(config: NewsroomConfig, article_id: str, wanted: set[str], timeout: float) -> str | None:
    store = open_store(config)
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        row = store.articles.records([article_id]).get(article_id)
        status = row.status if row is not None else None
        if status in wanted:
            return status
        time.sleep(0.3)
    return status


def _events(config: NewsroomConfig, article_id: str) -> dict[str, datetime]:
    """The first time of each kind of event of the article (filed, rendered, published...)."""
    first: dict[str, datetime] = {}
    for event in (open_store(config).status.of(article_id) or {"events": []})["events"]:
        at = event["at"] if event["at"].tzinfo else event["at"].replace(tzinfo=UTC)
        first.setdefault(event["kind"], at)
    return first


def test_a_scheduled_article_gets_a_run_at_its_time_and_goes_live_through_it(
    live: tuple[NewsroomConfig, dict[str, str], AirflowApi], tmp_path: Path
) -> None:
    config, env, api = live
    at = (datetime.now(UTC) + timedelta(seconds=75)).replace(microsecond=0)
    title = "Dantokpa: le programme de réouverture"
    source = _article(tmp_path, "dantokpa-programme", title, publish_at=at.isoformat())
    filed = _newsroom(env, "file", str(source), "--wait", "240")
    assert filed.returncode == 0, filed.stdout + filed.stderr
    assert "Scheduled: dantokpa-programme goes live at" in filed.stdout

    # its ingest run, having stored it as scheduled, asked for a run at publish_at
    deadline = time.monotonic() + 120
    runs: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline and run_id_at(at) not in runs:
        runs = {r["dag_run_id"]: r for r in api.dag_runs("ingest_articles", limit=50)}
        time.sleep(1)
    assert run_id_at(at) in runs, sorted(runs)
    scheduled = runs[run_id_at(at)]
    assert datetime.fromisoformat(scheduled["run_after"].replace("Z", "+00:00")) == at
    row = open_store(config).articles.records(["dantokpa-programme"])["dantokpa-programme"]
    bucket = bucket_for(config)
    if datetime.now(UTC) < at - timedelta(seconds=5):
        assert row.status == "scheduled" and row.path not in bucket.listing()

    # at its time, that run publishes it (the sweep is paused: nothing else could)
    assert _wait_status(config, "dantokpa-programme", {"published"}, timeout=240) == "published"
    assert row.path in bucket.listing()
    assert _events(config, "dantokpa-programme")["published"] >= at
    deadline = time.monotonic() + 120
    state = None
    while time.monotonic() < deadline and state != "success":  # the task ends a moment after the page is up
        state = {r["dag_run_id"]: r["state"] for r in api.dag_runs("ingest_articles", limit=50)}[run_id_at(at)]
        time.sleep(1)
    assert state == "success"
    assert api.dag_runs("ingest_sweep", limit=5) == []


def test_a_filing_made_while_a_run_is_in_progress_goes_live_without_the_sweep(
    live: tuple[NewsroomConfig, dict[str, str], AirflowApi], own_seaweed: SeaweedServer, tmp_path: Path
) -> None:
    config, env, api = live
    first = _article(tmp_path, "dantokpa-reouverture", "Dantokpa rouvre ses portes")
    second = _article(tmp_path, "dantokpa-commercants", "Les commerçants de Dantokpa reviennent")
    assert own_seaweed.proc is not None
    os.kill(own_seaweed.proc.pid, signal.SIGSTOP)  # the first run's upload waits: the run is in progress
    try:
        assert _newsroom(env, "file", str(first)).returncode == 0
        # ingested, enriched and rendered: the run is now uploading, held up by the stopped S3 server
        assert _wait_status(config, "dantokpa-reouverture", {"rendered"}, timeout=180) == "rendered"
        running = [r for r in api.dag_runs("ingest_articles", limit=50) if r["state"] == "running"]
        assert len(running) == 1
        filed = _newsroom(env, "file", str(second))
        assert filed.returncode == 0, filed.stdout + filed.stderr
        assert "Airflow told: run " in filed.stdout
        mid_run = {r["dag_run_id"]: r["state"] for r in api.dag_runs("ingest_articles", limit=50)}
        assert mid_run[running[0]["dag_run_id"]] == "running", "the second filing must land mid-run"
    finally:
        os.kill(own_seaweed.proc.pid, signal.SIGCONT)

    assert _wait_status(config, "dantokpa-reouverture", {"published"}, timeout=240) == "published"
    assert _wait_status(config, "dantokpa-commercants", {"published"}, timeout=240) == "published"
    # the second was ingested by a later run, after the first run published: its own run, queued mid-run
    assert _events(config, "dantokpa-commercants")["filed"] >= _events(config, "dantokpa-reouverture")["published"]
    rows = open_store(config).articles.records(["dantokpa-reouverture", "dantokpa-commercants"])
    listing = bucket_for(config).listing()
    assert all(row.path in listing for row in rows.values())
    assert api.dag_runs("ingest_sweep", limit=5) == []  # the safety net never ran
