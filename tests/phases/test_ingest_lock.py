"""Two inbox readers at once: the second waits for the first (the store's ingest lock), nothing crashes.

Two real ``newsroom process`` processes on one state and one inbox used to
crash one of them every time (IntegrityError on ``articles.path``, or
FileNotFoundError moving a file the other had archived).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dev.devstack import SeaweedServer
from newsroom.config import NewsroomConfig
from newsroom.models import BusyError, LockHolder
from newsroom.phases import ingest as phases
from newsroom.resources import open_store
from tests.support.faults import Cost, two_processes
from tests.support.postgres import pg_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_database()


@pytest.fixture
def s3_env(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> SeaweedServer:
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    return seaweed


def _assert_each_published_once(cost: Cost) -> None:
    assert cost.detail["exit_codes"] == [0, 0], cost.detail["stderr"]
    for err in cost.detail["stderr"]:  # nothing, or the one line of the one that waited
        assert err == "" or (
            err.count("\n") == 1 and err.startswith("newsroom process: waiting for another ingest (pid ")
        ), err
    assert (cost.lost, cost.duplicated, cost.reuploaded) == (0, 0, 0), cost
    assert cost.detail["left_in_inbox"] == 0


@pytest.mark.e2e
def test_two_processes_at_once_on_sqlite_publish_each_filing_once(s3_env: SeaweedServer, tmp_path: Path) -> None:
    _assert_each_published_once(two_processes(tmp_path, s3_env, f"duo-sqlite-{os.getpid()}"))


@pytest.mark.e2e
def test_two_processes_at_once_on_postgresql_publish_each_filing_once(
    s3_env: SeaweedServer, tmp_path: Path, pg_url: str
) -> None:
    _assert_each_published_once(two_processes(tmp_path, s3_env, f"duo-pg-{os.getpid()}", database_url=pg_url))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_second_ingest_waits_then_gives_up_in_one_line_naming_the_holder(
    database: str, make_config: object, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    overrides = {"database": {"url": request.getfixturevalue("pg_url")}} if database == "postgresql" else {}
    config: NewsroomConfig = make_config(overrides)  # type: ignore[operator]
    store = open_store(config)
    held, release = threading.Event(), threading.Event()

    def first() -> None:
        with store.locks.hold(phases.INGEST_LOCK, timeout=5):
            held.set()
            release.wait(60)

    holder_thread = threading.Thread(target=first)
    holder_thread.start()
    try:
        assert held.wait(60)
        seen: list[LockHolder | None] = []
        with pytest.raises(BusyError) as caught:
            phases.ingest(config, on_wait=seen.append, lock_wait=0.5)
    finally:
        release.set()
        holder_thread.join(60)

    assert len(seen) == 1 and seen[0] is not None and seen[0].pid == os.getpid()
    message = str(caught.value)
    assert "\n" not in message and f"pid {os.getpid()}" in message and "another ingest is still running" in message
    assert phases.ingest(config, lock_wait=5)["ids"] == []  # released: the next one goes through
    assert store.locks.holder(phases.INGEST_LOCK) is None
