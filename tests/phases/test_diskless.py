"""Workers that share no disk: two "workers", each with its own empty state folder, one state database
and one private bucket for the newsroom's files (``storage.files_bucket`` on a real SeaweedFS).

A filing made on one is published by the other; the refused one is quarantined in the bucket with its
report and refiled from there; a site rebuild rendered on one is published by the other; the digest built
on one is published and mailed by the other. Neither worker's folder ever holds an inbox, quarantine,
original or build: everything they pass is a key.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from dev.devsmtp import DevSmtpServer
from dev.devstack import SeaweedServer
from newsroom.config import NewsroomConfig
from newsroom.files import BucketFiles
from newsroom.ingest import Inbox
from newsroom.phases import digest, ingest
from newsroom.resources import bucket_for, files_for, open_store
from newsroom.store import utcnow
from newsroom.store.tables import VersionRow
from tests.support.paths import SAMPLES_DIR
from tests.support.subscribers import write_subscribers

Worker = NewsroomConfig


@pytest.fixture
def workers(
    seaweed: SeaweedServer,
    make_config: Callable[..., NewsroomConfig],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> tuple[Worker, Worker]:
    bucket = "t-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:36].strip("-") + f"-{os.getpid()}"
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    subscribers = write_subscribers(tmp_path / "abonnes.csv")
    overrides: dict[str, Any] = {
        "site": {"base_url": f"{seaweed.endpoint}/{bucket}/"},
        "storage": {"bucket": bucket, "files_bucket": bucket + "-files", "files_prefix": "desk"},
        "database": {"url": f"sqlite:///{tmp_path / 'db' / 'newsroom.db'}"},  # PostgreSQL in production
        "digest": {"lists": [{"name": "quotidien", "subscribers": str(subscribers)}], "send_empty": True},
    }
    return make_config(overrides, tmp_path / "worker-a"), make_config(overrides, tmp_path / "worker-b")


def _local_files(worker: Worker) -> list[str]:
    """What a worker keeps on its own disk (none of the newsroom's files belong there)."""
    root = worker.state_dir
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _private(worker: Worker) -> BucketFiles:
    files = files_for(worker)
    assert isinstance(files, BucketFiles)
    return files


def test_filed_on_one_worker_published_by_the_other(workers: tuple[Worker, Worker]) -> None:
    a, b = workers
    inbox = Inbox(a, files_for(a))
    for name in ("benin-motos-godomey.md", "parakou-detournement.md", "broken-no-title.md"):
        inbox.file(SAMPLES_DIR / name)
    files = _private(a)
    assert len(files.keys("inbox/")) == 3 and files.prefix == "desk/"

    result = ingest.process(b, run_id="manual__diskless")
    assert sorted(result["ingest"]["ids"]) == ["benin-motos-godomey", "parakou-agents-suspendus"]
    assert result["ingest"]["quarantined"] == ["broken-no-title.md"]
    site = bucket_for(b).listing()
    live = open_store(b).articles.records(result["ingest"]["ids"]).values()
    assert [r.status for r in live] == ["published"] * 2 and all(r.path in site for r in live)

    assert files.keys("inbox/") == []
    day = utcnow().astimezone(a.site.tz).strftime("%Y-%m-%d")
    assert files.keys("archive/") == [f"archive/{day}/benin-motos-godomey.md", f"archive/{day}/parakou-detournement.md"]
    assert files.get(f"archive/{day}/parakou-detournement.md") == (SAMPLES_DIR / "parakou-detournement.md").read_bytes()
    assert files.keys("quarantine/") == ["quarantine/broken-no-title.md", "quarantine/broken-no-title.md.report.json"]
    report = json.loads(files.get("quarantine/broken-no-title.md.report.json"))
    assert report["file"] == "broken-no-title.md" and {p["field"] for p in report["problems"]} == {"published", "title"}

    store = open_store(a)
    (row,) = store.status.quarantined()
    assert row.stored_path == f"s3://{files.bucket}/desk/quarantine/broken-no-title.md"
    kept = files.get(files.key_of(row.stored_path))  # what the desk's "refile" reads, on any worker
    assert kept == (SAMPLES_DIR / "broken-no-title.md").read_bytes()
    with store.session() as session:
        kept_at = session.get(VersionRow, ("parakou-agents-suspendus", 1)).archived_path  # type: ignore[union-attr]
    assert kept_at == files.location(f"archive/{day}/parakou-detournement.md")

    assert _local_files(a) == [] and _local_files(b) == []
    assert not ingest.missed(a, now=utcnow() + timedelta(minutes=5)), "the sweep reads the same inbox"


def test_a_rebuild_rendered_on_one_worker_is_published_by_the_other(workers: tuple[Worker, Worker]) -> None:
    a, b = workers
    Inbox(a, files_for(a)).file(SAMPLES_DIR / "benin-motos-godomey.md")
    ingest.process(a, run_id="manual__first")
    before = bucket_for(a).listing()

    rendered = ingest.render([], "manual__rebuild", full=True, config=a, handover=True)  # the DAG's first task
    assert rendered["build"] == "build/runs/manual__rebuild", "a key, not a worker's path"
    files = _private(a)
    assert files.keys("build/") == ["build/runs/manual__rebuild.tar"]
    assert _local_files(a) == [], "the render worker keeps no copy"

    published = ingest.publish_build(rendered["build"], b)  # the second task, on the other worker
    assert published["uploaded"] == 0 and published["unchanged"] == rendered["pages"]
    assert bucket_for(b).listing() == before
    assert files.keys("build/") == [] and _local_files(b) == []


def test_the_digest_built_on_one_worker_is_published_and_sent_by_the_other(
    workers: tuple[Worker, Worker], smtp_server: DevSmtpServer
) -> None:
    a, b = workers
    Inbox(a, files_for(a)).file(SAMPLES_DIR / "benin-motos-godomey.md")
    ingest.process(a, run_id="manual__first")
    day = date.today().isoformat()

    built = digest.build(day=day, config=a)
    assert built["build"] == f"build/digest/{day}" and _local_files(a) == []
    assert _private(a).keys("build/digest/") == [f"build/digest/{day}.tar"]

    page = digest.publish_page(built, config=b)
    assert page["published"] and page["uploaded"] == 2
    sent = digest.send(built, config=b, force=True)
    assert sent["lists"]["quotidien"]["sent"] == 5, sent
    assert len(smtp_server.messages) == 5
    subject = smtp_server.messages[0].parsed()["Subject"]
    assert subject == built["subject"]
    assert all(p.startswith("build/digest/") for p in _local_files(b)), _local_files(b)


def test_a_missing_hand_over_is_one_clear_error(workers: tuple[Worker, Worker]) -> None:
    _, b = workers
    with pytest.raises(FileNotFoundError) as missing:
        ingest.publish_build("build/runs/never-rendered", b)
    assert "never-rendered.tar" in str(missing.value) and str(missing.value).startswith("s3://")
