"""Scale-out: the archive backfill on Airflow's CeleryExecutor, two workers, PostgreSQL and Redis.

One :class:`~dev.scalestack.CeleryStack` (PostgreSQL metadata and state
databases of its own, Redis keys under its own prefix, an api-server,
scheduler, dag-processor, triggerer and two Celery workers) runs
``airflow backfill create --dag-id backfill_archive`` over a small generated
archive, several batches a day. The workers share no folder: each process of
the stack has a state folder of its own, and the archive's day partitions are
written into the newsroom's private bucket (``storage.files_bucket``), where
any worker finds them. Then: every run succeeded, task instances ran on both
workers, every article is published exactly once in the PostgreSQL state
database, the bucket holds exactly what the same backfill run inline
(``newsroom.phases.backfill.run_days``, its partitions in a local state
folder, fresh bucket) publishes, nothing of the archive was written to disk
anywhere, and a second backfill of the same range (every day run again)
uploads nothing. The stack has real users: the API refuses anonymous callers,
and `newsroom file` gets in only with the stack's connection.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev.auth import CONN_ID
from dev.devstack import SeaweedServer
from dev.scalestack import BACKFILL_DAG, CeleryStack, fresh_database, write_archive, write_config
from newsroom.cli import main
from newsroom.config import NewsroomConfig, load_config
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e

ARTICLES = 120
DAYS = 4
FIRST_DAY = date(2025, 6, 1)
BATCH_SIZE = 8  # about 30 articles a day: 4 batches a day, mapped over both workers


@dataclass
class ScaleRun:
    folder: Path  # everything the test and the stack wrote on disk is under it
    config: NewsroomConfig
    stack: CeleryStack
    by_day: dict[date, list[str]]
    runs: list[dict[str, Any]]
    tis: list[dict[str, Any]]
    seconds: float


def _objects(config: NewsroomConfig) -> dict[str, tuple[str, int, datetime]]:
    """key -> (ETag, size, LastModified) of every object of the config's bucket."""
    from newsroom.resources import bucket_for

    client = bucket_for(config).client
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=config.storage.bucket):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = (obj["ETag"].strip('"'), int(obj["Size"]), obj["LastModified"])
    return found


def _diff(left: NewsroomConfig, right: NewsroomConfig, keys: list[str], lines: int = 40) -> str:
    """A short unified diff of the first differing objects (Celery run, inline run), for the failure message."""
    import difflib

    from newsroom.resources import bucket_for

    out: list[str] = []
    for key in keys[:2]:
        a, b = (bucket_for(c).get(key)["Body"].read().decode("utf-8", "replace").splitlines() for c in (left, right))
        out += list(difflib.unified_diff(a, b, f"celery/{key}", f"inline/{key}", n=1, lineterm=""))[:lines]
    return "\n".join(out)


@pytest.fixture(scope="module")
def scale(seaweed: SeaweedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleRun]:
    """The Celery stack, the archive written into day partitions in the private bucket, and the backfill done."""
    folder = tmp_path_factory.mktemp("scale")
    base_url = f"{seaweed.endpoint}/scale-site/"  # the same in both runs: pages carry it
    stack = CeleryStack(folder / "stack")
    bucket, private = f"scale-celery-{stack.token}", f"scale-files-{stack.token}"
    path = write_config(folder / "celery", base_url, bucket, BATCH_SIZE, stack.url, files_bucket=private)
    config = load_config(path)
    stack.extra_env.update({"NEWSROOM_CONFIG": str(path), "AIRFLOW_CONN_NEWSROOM_S3": seaweed.connection_uri()})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
        by_day = write_archive(config, ARTICLES, FIRST_DAY, DAYS)
        began = time.monotonic()
        with stack.running():
            started = time.monotonic()
            # "failed": every day of a fresh range runs (the DAG's depends_on_past rules out "none")
            backfill = stack.backfill(BACKFILL_DAG, min(by_day), max(by_day), reprocess="failed")
            runs = stack.wait_backfill(backfill, timeout=240)
            seconds = time.monotonic() - started
            tis = stack.task_instance_workers(BACKFILL_DAG)
            print(f"\nCelery stack ready in {started - began:.0f}s; backfill of {len(runs)} days in {seconds:.0f}s")
            yield ScaleRun(folder, config, stack, by_day, runs, tis, seconds)
        assert stack.redis_keys() == [], "the stack left keys in Redis"


def test_every_day_ran_and_succeeded(scale: ScaleRun) -> None:
    # a run's day (its partition) is the UTC date of its data interval's start
    logical_days = sorted(datetime.fromisoformat(r["logical_date"].replace("Z", "+00:00")).date() for r in scale.runs)
    assert logical_days == sorted(scale.by_day), "one backfill run per day of the archive"
    assert [r["state"] for r in scale.runs] == ["success"] * len(scale.runs)
    assert all(ti["state"] == "success" for ti in scale.tis), [ti for ti in scale.tis if ti["state"] != "success"]


def test_task_instances_ran_on_both_workers(scale: ScaleRun) -> None:
    names = set(scale.stack.worker_names())
    hosts = Counter(ti["hostname"] for ti in scale.tis)
    assert set(hosts) == names, f"task instances per hostname: {dict(hosts)}"
    # Celery's own record agrees with the hostname each task reported through the Task SDK
    for ti in scale.tis:
        assert ti["worker"] == ti["hostname"], ti
    batches = Counter(ti["hostname"] for ti in scale.tis if ti["task_id"] == "batch")
    assert set(batches) == names, f"mapped batches per worker: {dict(batches)}"


def test_every_article_published_exactly_once(scale: ScaleRun) -> None:
    from sqlalchemy import func, select

    from newsroom.store import Store
    from newsroom.store.tables import ArticleRow, DeliveryRow, VersionRow

    expected = {i for ids in scale.by_day.values() for i in ids}
    assert len(expected) == ARTICLES
    store = Store.from_url(scale.stack.state_url)  # the PostgreSQL state database the workers shared
    assert store.engine.dialect.name == "postgresql"
    with store.session() as session:
        rows = session.execute(select(ArticleRow.id, ArticleRow.status, ArticleRow.version, ArticleRow.path)).all()
        versions = dict(
            session.execute(select(VersionRow.article_id, func.count()).group_by(VersionRow.article_id)).all()
        )
        deliveries = session.scalar(select(func.count()).select_from(DeliveryRow))
    assert {r.id for r in rows} == expected, "lost or unexpected articles"
    assert Counter(r.status for r in rows) == Counter({"published": ARTICLES})
    assert {r.version for r in rows} == {1}
    assert versions == dict.fromkeys(expected, 1), "an article was recorded twice"
    assert deliveries == 0, "a backfill is silent on the social channels"
    objects = _objects(scale.config)
    assert all(r.path in objects for r in rows)


def test_bucket_identical_to_the_inline_backfill(
    scale: ScaleRun, seaweed: SeaweedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same days run inline, one batch after another, into a fresh bucket: the same objects, byte for byte.

    The reference's state is a fresh PostgreSQL database too: related links are chosen by the
    database's own full-text ranking (FTS5 bm25 on SQLite, ts_rank_cd on PostgreSQL), so only
    the same engine can give the same "Sur le même sujet" lists.
    """
    from newsroom.phases.backfill import run_days
    from newsroom.resources import bucket_for

    base_url = scale.config.site.base_url
    path = write_config(tmp_path / "inline", base_url, f"scale-inline-{scale.stack.token}", BATCH_SIZE)
    monkeypatch.setenv("NEWSROOM_CONFIG", str(path))
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    with fresh_database("newsroom_ref") as url:
        monkeypatch.setenv("NEWSROOM_DATABASE_URL", url)
        reference = load_config(path)
        assert write_archive(reference, ARTICLES, FIRST_DAY, DAYS) == scale.by_day
        bucket_for(reference).ensure_bucket()
        result = run_days(reference, min(scale.by_day), max(scale.by_day))
    assert result["articles"] == ARTICLES

    celery = {k: v[:2] for k, v in _objects(scale.config).items()}
    inline = {k: v[:2] for k, v in _objects(reference).items()}
    assert sorted(celery) == sorted(inline), (
        f"only after Celery: {sorted(set(celery) - set(inline))[:10]}; "
        f"only inline: {sorted(set(inline) - set(celery))[:10]}"
    )
    differ = sorted(k for k in celery if celery[k] != inline[k])
    assert differ == [], f"{len(differ)} object(s) differ, e.g. {differ[:5]}\n" + _diff(scale.config, reference, differ)


def test_second_backfill_uploads_nothing(scale: ScaleRun) -> None:
    """Every day run again on the workers (reprocess completed): nothing is stored or uploaded again."""
    from sqlalchemy import func, select

    from newsroom.store import Store
    from newsroom.store.tables import ObjectRow

    before = _objects(scale.config)
    since = datetime.now().astimezone()
    backfill = scale.stack.backfill(BACKFILL_DAG, min(scale.by_day), max(scale.by_day), reprocess="completed")
    runs = scale.stack.wait_backfill(backfill, timeout=180)
    assert len(runs) == len(scale.by_day)
    assert [r["state"] for r in runs] == ["success"] * len(runs)
    assert _objects(scale.config) == before, "objects were uploaded again (LastModified changed)"
    store = Store.from_url(scale.stack.state_url)
    with store.session() as session:
        uploaded = session.scalar(select(func.count()).select_from(ObjectRow).where(ObjectRow.uploaded_at >= since))
    assert uploaded == 0


def test_the_workers_share_no_folder(scale: ScaleRun) -> None:
    """Each process of the stack has its own state folder; the partitions are in the private bucket
    and nowhere on disk (nor a quarantine report or an inbox file: nothing a worker hands to another)."""
    from newsroom.archive.partitions import root
    from newsroom.resources import files_for

    folders = scale.stack.state_dirs  # each process's NEWSROOM_STATE_DIR, as spawned
    assert sorted(folders) == sorted(scale.stack.procs) and len(folders) == 4 + scale.stack.workers
    assert len(set(folders.values())) == len(folders), f"a state folder is shared: {folders}"
    for worker in (n for n in folders if n.startswith("worker")):  # made by the tasks that ran there
        assert folders[worker].is_dir(), f"{worker} ran no task in its own state folder"

    on_disk = [
        p.relative_to(scale.folder)
        for p in scale.folder.rglob("*")
        if p.is_file() and {"partitions", "inbox", "quarantine"} & set(p.relative_to(scale.folder).parts)
    ]
    assert on_disk == [], f"written to disk instead of the private bucket: {on_disk[:10]}"

    files = files_for(scale.config)
    assert files.remote and files.location("").startswith(f"s3://{scale.config.storage.files_bucket}/")
    keys = files.keys(root(scale.config) + "/")
    ids = {i for ids in scale.by_day.values() for i in ids}
    assert {k.rpartition("/")[2].removesuffix(".json") for k in keys} == ids and len(keys) == ARTICLES
    assert files.keys("quarantine/") == []


def test_only_the_stack_s_users_get_in(
    scale: ScaleRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No all-admins token and no anonymous call; `newsroom file` is refused without the stack's
    connection (one line, the filing kept in the inbox) and tells Airflow with it."""
    for path, status in (("/auth/token", 403), ("/api/v2/dags", 401), ("/api/v2/connections", 401)):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(scale.stack.url + path, timeout=60)
        assert refused.value.code == status, path

    sample = str(SAMPLES_DIR / "benin-motos-godomey.md")
    anonymous = tmp_path / "anonymous.yaml"
    data = yaml.safe_load(scale.config.source.read_text(encoding="utf-8"))
    data["airflow"]["conn_id"] = None
    anonymous.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("NEWSROOM_CONFIG", str(anonymous))
    assert main(["file", sample]) == 1
    out, err = capsys.readouterr()
    assert "Filed " in out and len(err.strip().splitlines()) == 1 and "no credentials" in err, err

    monkeypatch.setenv("NEWSROOM_CONFIG", str(scale.config.source))
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", scale.stack.connection_uri())
    assert main(["file", sample]) == 0
    out, err = capsys.readouterr()
    assert "Airflow told: run " in out and " of ingest_articles requested" in out, err
