"""Fault scenarios as functions: each runs one fault against real components and returns what it cost.

What a fault may cost is counted the same way everywhere: **lost** (filed or planned,
never published), **duplicated** (published, stored or posted twice) and
**re-uploaded** (objects sent again on the rerun although they had landed). The
tests under ``tests/phases`` and ``tests/publish`` assert on these figures;
``python -m bench.faults`` prints them as a table.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select

from dev.devsmtp import DevSmtpServer
from dev.devstack import SeaweedServer
from dev.ports import port_open
from newsroom.config import NewsroomConfig, load_config
from newsroom.ingest import Inbox
from newsroom.models import Article
from newsroom.phases import digest as digest_phase
from newsroom.phases.ingest import ingest
from newsroom.publish.s3 import BucketClient, Planned, publish
from newsroom.resources import files_for, open_store
from newsroom.store import Store, utcnow
from newsroom.store.engine import engine_for
from newsroom.store.tables import EventRow, QuarantineRow, VersionRow
from tests.support.airflow import write_config
from tests.support.backfill import bucket_objects
from tests.support.distribution import TYPES, distribute_all, today
from tests.support.distribution import publish as publish_samples
from tests.support.fakes import FakeBluesky, FakeFacebook, FakeMastodon, FakePlatform, FakeTelegram, FakeWebhook, FakeX
from tests.support.paths import REPO_ROOT


@dataclass
class Cost:
    """What one fault cost, and what a reader needs to see when it is not zero."""

    fault: str
    lost: int
    duplicated: int
    reuploaded: int | None  # None: nothing is uploaded in this scenario
    detail: dict[str, Any] = field(default_factory=dict)


def child_env(seaweed: SeaweedServer | None = None) -> dict[str, str]:
    """The environment of a ``python -m newsroom.cli`` child: this repository on its path, no NEWSROOM_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "plugins"), str(REPO_ROOT)])
    if seaweed is not None:
        env["AIRFLOW_CONN_NEWSROOM_S3"] = seaweed.connection_uri()
    return env


def last_json(output: str) -> Any:
    """The JSON document a command printed last (Airflow's SDK may log a line on stdout before it)."""
    return json.loads(output[output.rindex("\n{\n") + 1 :] if not output.startswith("{\n") else output)


def write_filings(folder: Path, count: int, prefix: str = "filing") -> list[Path]:
    """``count`` small valid Markdown filings (distinct ids and titles, one day), as files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"{prefix}-{index:03d}.md"
        path.write_text(
            "---\n"
            f"id: {prefix}-{index:03d}\n"
            f'title: "Dépêche numéro {index} de la série {prefix}"\n'
            "section: economie\n"
            "published: 2025-06-23T08:00:00+01:00\n"
            f'summary: "Le résumé de la dépêche {index}."\n'
            "---\n"
            f"Le port de Cotonou a traité {1000 + index} conteneurs cette semaine, selon la direction.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def publication_counts(config: NewsroomConfig, ids: list[str]) -> tuple[Counter[str], Counter[str]]:
    """(how many times each article was marked published, how many versions it has)."""
    store = open_store(config)
    with store.session() as session:
        published = Counter(
            session.scalars(
                select(EventRow.article_id).where(EventRow.kind == "published", EventRow.article_id.in_(ids))
            )
        )
        versions = Counter(session.scalars(select(VersionRow.article_id).where(VersionRow.article_id.in_(ids))))
    return published, versions


def two_processes(
    folder: Path, seaweed: SeaweedServer, bucket: str, *, database_url: str | None = None, count: int = 24
) -> Cost:
    """Two ``newsroom process`` started at once on one state (SQLite, or ``database_url``) and one inbox.

    The caller sets ``AIRFLOW_CONN_NEWSROOM_S3`` for ``seaweed`` (the bucket is read back through it).
    """
    path = write_config(folder, seaweed, bucket)
    if database_url:
        text = path.read_text(encoding="utf-8").replace("  url: null\n", f"  url: {json.dumps(database_url)}\n", 1)
        path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert config.database_url() == (database_url or config.database_url())
    inbox = Inbox(config, files_for(config))
    for filing in write_filings(folder / "filings", count, prefix=f"duo-{bucket}"):
        inbox.file(filing)
    ids = [f"duo-{bucket}-{i:03d}" for i in range(count)]
    command = [sys.executable, "-m", "newsroom.cli", "--config", str(path), "process"]
    runs = [
        subprocess.Popen(command, env=child_env(seaweed), cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=900) for run in runs]
    codes = [run.returncode for run in runs]
    stderr = [err.decode("utf-8", "replace") for _out, err in outputs]
    results = [
        last_json(out.decode("utf-8")) if code == 0 else {} for (out, _err), code in zip(outputs, codes, strict=True)
    ]

    published, versions = publication_counts(config, ids)
    in_bucket = bucket_objects(config)
    records = open_store(config).articles.records(ids)
    live = {i for i, r in records.items() if r.status == "published" and r.path in in_bucket}
    archived = Counter(p.name.split("--", 1)[-1] for p in config.archive_dir.rglob("*.md"))
    uploads = sum(r.get("publish", {}).get("uploaded", 0) for r in results)
    return Cost(
        "two `newsroom process` at once" + (" (PostgreSQL)" if database_url else " (SQLite)"),
        lost=count - len(live),
        duplicated=sum(n - 1 for n in published.values() if n > 1)
        + sum(n - 1 for n in versions.values() if n > 1)
        + sum(n - 1 for n in archived.values() if n > 1),
        reuploaded=max(0, uploads - len(in_bucket)),
        detail={
            "exit_codes": codes,
            "stderr": stderr,
            "left_in_inbox": len(inbox.pending()),
            "published_by": [len(r.get("ingest", {}).get("ids", [])) for r in results],
            "at": datetime.now().isoformat(timespec="seconds"),
        },
    )


def planned_objects(count: int, seed: int = 7) -> list[Planned]:
    """``count`` objects to publish, in three groups (static, article, tag pages), a few KB each."""
    rng = random.Random(seed)
    items = []
    for index in range(count):
        kind = "static" if index < count // 10 else "article" if index < count * 7 // 10 else "tag"
        body = f"<p>{kind} {index}</p>".encode() + rng.randbytes(rng.randint(1_000, 6_000)).hex().encode()
        items.append(
            Planned(
                f"{kind}/{index:04d}.html",
                hashlib.md5(body).hexdigest(),
                len(body),
                kind,
                None,
                lambda body=body: body,  # type: ignore[misc]
            )
        )
    return items


def restart(server: SeaweedServer, attempts: int = 3) -> None:
    """Start a killed SeaweedFS again on its folder and ports, once the killed one has let go of them."""
    ports = (server.s3_port, server.master_port, server.volume_port, server.filer_port)
    error: Exception | None = None
    for _attempt in range(attempts):
        server.proc = None
        deadline = time.monotonic() + 30
        while any(port_open(port) for port in ports) and time.monotonic() < deadline:
            time.sleep(0.2)
        try:
            server.start()
            return
        except RuntimeError as exc:  # a port still held, the data folder's lock not yet released
            log_tail = server.log_path.read_text(errors="replace")[-1500:] if server.log_path else ""
            error = RuntimeError(f"{exc}\n{log_tail}")
            if server.proc is not None and server.proc.poll() is None:
                os.killpg(server.proc.pid, signal.SIGKILL)
                server.proc.wait()
            time.sleep(2)
    assert error is not None
    raise error


def seaweed_killed_mid_publish(folder: Path, *, objects: int = 300, kill_after: int = 100, workers: int = 8) -> Cost:
    """Publish ``objects`` objects; SIGKILL SeaweedFS once ``kill_after`` have landed; restart it on the
    same data folder; publish again, as the retried task does."""
    server = SeaweedServer.on_free_ports(folder / "seaweed")
    server.start()
    conn_id = f"faults_{os.getpid()}_{time.time_ns()}"
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = server.connection_uri()
    store = Store.from_url(f"sqlite:///{folder / 'state.db'}")
    planned = planned_objects(objects)
    try:
        bucket = BucketClient.from_connection(conn_id, "mid-publish")
        bucket.ensure_bucket()
        landed, lock = [0], threading.Lock()
        real_put = bucket.put

        def put_then_kill(key: str, body: bytes, md5_hex: str, kind: str) -> None:
            real_put(key, body, md5_hex, kind)
            with lock:
                landed[0] += 1
                if landed[0] == kill_after and server.proc is not None:
                    os.killpg(server.proc.pid, signal.SIGKILL)  # mid-publish: the other uploads are cut off
                    server.proc.wait()

        bucket.put = put_then_kill  # type: ignore[method-assign]
        failed = ""
        try:
            publish(planned, store, bucket, workers=workers)
        except Exception as exc:  # StorageError; whatever it is, the task fails and Airflow retries it
            failed = f"{type(exc).__name__}: {exc}"
        restart(server)  # the same folder and ports: what was written before the kill is there
        before = BucketClient.from_connection(conn_id, "mid-publish").listing()
        recorded = len(store.objects.get())

        rerun = BucketClient.from_connection(conn_id, "mid-publish")
        uploads: list[str] = []
        real_rerun_put = rerun.put

        def counted_put(key: str, body: bytes, md5_hex: str, kind: str) -> None:
            real_rerun_put(key, body, md5_hex, kind)
            with lock:
                uploads.append(key)

        rerun.put = counted_put  # type: ignore[method-assign]
        publish(planned, store, rerun, workers=workers)
        after = rerun.listing()
    finally:
        server.stop()
        store.close()
        del os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"]
    wanted = {p.key: p.md5 for p in planned}
    again = Counter(uploads)
    return Cost(
        "SeaweedFS SIGKILLed mid-publish, restarted, publish rerun",
        lost=sum(1 for key, md5 in wanted.items() if after.get(key, ("", 0))[0] != md5),
        duplicated=sum(n - 1 for n in again.values() if n > 1) + len(set(after) - set(wanted)),
        reuploaded=sum(1 for key in again if before.get(key, ("", 0))[0] == wanted[key]),
        detail={
            "objects": objects,
            "landed_when_killed": kill_after,
            "in_bucket_after_restart": len(before),
            "recorded_before_rerun": recorded,
            "uploaded_by_rerun": len(uploads),
            "workers": workers,
            "first_run_error": failed,
        },
    )


KILLED_INGEST = """
import os, signal, sys
from newsroom.config import load_config
from newsroom.ingest import inbox
from newsroom.phases import ingest
from newsroom.store.articles import ArticleRepository

point, after = sys.argv[2], int(sys.argv[3])
calls = [0]

def killer(real):
    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        calls[0] += 1
        if calls[0] == after:
            os.kill(os.getpid(), signal.SIGKILL)  # no handler, no cleanup: an OOM kill, a lost node
        return result
    return wrapped

if point == "stored":  # the version committed, its file not yet moved to the archive
    ArticleRepository.record_version = killer(ArticleRepository.record_version)
elif point == "archived":  # the file moved, the next one not read yet
    inbox._move = killer(inbox._move)
elif point == "quarantine":  # the report written, the refused file not yet moved nor recorded
    real_move = inbox._move
    def move(path, target):
        if "quarantine" in str(target):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_move(path, target)
    inbox._move = move
ingest.ingest(load_config(sys.argv[1]))
"""

KILL_POINTS = [("stored", 1), ("stored", 25), ("archived", 25), ("stored", 49), ("quarantine", 1)]


def ingest_killed(folder: Path, point: str, after: int, *, count: int = 50) -> Cost:
    """``count`` filings (one of them refused) read by an ingest SIGKILLed at ``point`` (after ``after`` calls),
    then the next run (the retried task). Lost: a good filing not stored, or not among the ids the rerun
    hands to enrich (so never published), the refused one not quarantined, anything left in the inbox."""
    path = write_config(folder, SeaweedServer(folder / "unused"), "unused")
    config = load_config(path)
    inbox = Inbox(config, files_for(config))
    filings = write_filings(folder / "filings", count - 1, prefix="kill")
    bad = folder / "filings" / "kill-bad.md"
    bad.write_text("---\ntitle: sans section ni date\n---\nRefusé.\n", encoding="utf-8")
    filings.insert(count // 2, bad)
    for filing in filings:
        inbox.file(filing)
    child = subprocess.run(
        [sys.executable, "-c", KILLED_INGEST, str(path), point, str(after)],
        env=child_env(),
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=600,
    )
    killed = child.returncode == -signal.SIGKILL
    rerun = ingest(config, lock_wait=60)  # the ids the rest of the DAG enriches, renders and publishes
    ids = [f"kill-{i:03d}" for i in range(count - 1)]
    carried = set(rerun["ids"])
    _published, versions = publication_counts(config, ids)
    archived = Counter(p.name.split("--", 1)[-1] for p in config.archive_dir.rglob("*.md"))
    store = open_store(config)
    with store.session() as session:
        quarantined = Counter(session.scalars(select(QuarantineRow.file).where(QuarantineRow.file == "kill-bad.md")))
    return Cost(
        f"ingest of {count} SIGKILLed at {point} #{after}, then rerun",
        lost=sum(1 for i in ids if versions[i] == 0 or i not in carried)
        + (1 - min(1, quarantined["kill-bad.md"]))
        + len(inbox.pending()),
        duplicated=sum(n - 1 for n in versions.values() if n > 1)
        + sum(n - 1 for n in archived.values() if n > 1)
        + max(0, quarantined["kill-bad.md"] - 1),
        reuploaded=None,
        detail={"killed": killed, "stderr": child.stderr.decode("utf-8", "replace")[-2000:]},
    )


PLATFORM_FAULTS = ("429", "500", "hang", "reset")
DIGEST_DAY_AT = datetime(2025, 6, 23, 9, tzinfo=ZoneInfo("Africa/Porto-Novo"))  # the digest's day, in the site's zone
DIGEST_DAY = DIGEST_DAY_AT.date()
DIGEST_NOW = DIGEST_DAY_AT + timedelta(hours=22)  # the morning after


def platforms_failing(folder: Path, seaweed: SeaweedServer, bucket: str) -> list[Cost]:
    """The sample articles published once; then, for each fault, every platform answers its first post
    with it (429 with Retry-After, 500, a hang past the timeout, a reset after posting) and the
    distribution runs three times (now, +5 and +10 minutes). The caller sets AIRFLOW_CONN_NEWSROOM_S3."""
    base = _channel_config(folder / "published", seaweed, bucket)
    files = today(base)
    with _platform_fakes():  # publishing plans no post; the fakes only have to exist
        publish_samples(base, files, "faults")
    open_store(base).close()
    engine_for.cache_clear()
    costs = []
    for mode in PLATFORM_FAULTS:
        config = _channel_config(folder / mode, seaweed, bucket)
        shutil.copytree(base.state_dir, config.state_dir, dirs_exist_ok=True)
        with _platform_fakes() as fakes:
            for fake in fakes.values():
                fake.fail_next(int(mode) if mode.isdigit() else mode, retry_after=1, seconds=2)
            now = utcnow()
            for minutes in (0, 5, 10):
                distribute_all(config, now + timedelta(minutes=minutes))
            posts = {kind: len(fake.posts) for kind, fake in fakes.items()}
        expected = len(files)
        costs.append(
            Cost(
                f"every platform answers {mode} to its first post",
                lost=sum(max(0, expected - n) for n in posts.values()),
                duplicated=sum(max(0, n - expected) for n in posts.values()),
                reuploaded=None,
                detail={"posts": posts, "expected_each": expected},
            )
        )
        open_store(config).close()
    return costs


def _channel_config(folder: Path, seaweed: SeaweedServer, bucket: str) -> NewsroomConfig:
    path = write_config(folder, seaweed, bucket)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["channels"] = [
        {"name": kind, "type": kind, "conn_id": f"newsroom_{kind}", "timeout_seconds": 1} for kind in TYPES
    ]
    data["distribution"].update({"backoff_seconds": 1, "stale_after_minutes": 1})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_config(path)


@contextmanager
def _platform_fakes() -> Iterator[dict[str, FakePlatform]]:
    """Every platform's fake on a free port, its Airflow connection in the environment."""
    fakes: dict[str, FakePlatform] = {
        "facebook": FakeFacebook(),
        "x": FakeX(),
        "telegram": FakeTelegram(),
        "mastodon": FakeMastodon(),
        "bluesky": FakeBluesky(),
        "webhook": FakeWebhook(),
    }
    for fake in fakes.values():
        fake.start()
    f: Any = fakes
    connections = {
        "facebook": {
            "host": f["facebook"].url,
            "password": f["facebook"].token,
            "extra": {"page_id": f["facebook"].page_id},
        },
        "x": {"host": f["x"].url, "password": f["x"].token, "extra": {"user_id": f["x"].user_id}},
        "telegram": {
            "host": f["telegram"].url,
            "password": f["telegram"].token,
            "extra": {"chat_id": f["telegram"].chat_id},
        },
        "mastodon": {"host": f["mastodon"].url, "password": f["mastodon"].token},
        "bluesky": {"host": f["bluesky"].url, "login": f["bluesky"].handle, "password": f["bluesky"].password},
        "webhook": {"host": f["webhook"].hook_url, "password": f["webhook"].secret},
    }
    names = [f"AIRFLOW_CONN_NEWSROOM_{kind.upper()}" for kind in connections]
    saved = {name: os.environ.get(name) for name in names}
    try:
        for kind, fields in connections.items():
            os.environ[f"AIRFLOW_CONN_NEWSROOM_{kind.upper()}"] = json.dumps({"conn_type": "http", **fields})
        yield fakes
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for fake in fakes.values():
            fake.stop()


def smtp_killed_mid_digest(folder: Path, *, subscribers: int = 20, kill_after: int = 7) -> list[Cost]:
    """The digest of a day to ``subscribers`` addresses (batches of 2); the SMTP server stopped once
    ``kill_after`` messages are in, its sessions cut mid-message; restarted on the same port; the send
    task retried; then what the desk does with ``newsroom digest --release``. Lost: a subscriber who got
    nothing; after the retry that is the in-flight one, held as ``unknown`` (the ledger never resends
    blindly), until a person who checked the mail server's log releases it."""
    path = write_config(folder, SeaweedServer(folder / "unused"), "unused")
    addresses = [f"abonne{i:02d}@example.org" for i in range(subscribers)]
    csv_path = folder / "abonnes.csv"
    csv_path.write_text("email,name\n" + "".join(f"{a},Abonné {i}\n" for i, a in enumerate(addresses)), "utf-8")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["digest"].update({"lists": [{"name": "quotidien", "subscribers": str(csv_path)}], "batch_size": 2})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = load_config(path)
    store = open_store(config)
    for index, section in enumerate(("diplomatie", "economie", "sport")):
        article = Article(
            id=f"jour-{index}",
            slug=f"jour-{index}",
            title=f"Article {index} du jour",
            body_html=f"<p>Corps de l'article {index}.</p>",
            section=section,
            published=DIGEST_DAY_AT + timedelta(hours=index),
            summary=f"Résumé {index}.",
        )
        store.articles.record_version(
            article, source_file=f"jour-{index}.md", archived_path=None, tz=config.site.tz, now=DIGEST_NOW
        )
        store.articles.mark([article.id], "published", DIGEST_NOW)
    built = digest_phase.build(day=DIGEST_DAY.isoformat(), config=config, now=DIGEST_NOW)
    first = DevSmtpServer(folder / "mail-1")
    first.start()
    name = f"AIRFLOW_CONN_{config.digest.conn_id.upper()}"
    saved = os.environ.get(name)
    os.environ[name] = first.airflow_connection_uri()
    stop = threading.Event()

    def kill_when_enough() -> None:
        while not stop.is_set():
            if len(first.messages) >= kill_after:
                first.stop()  # the open session is cut: its recipient's message may or may not be in
                return
            time.sleep(0.0005)

    watcher = threading.Thread(target=kill_when_enough, daemon=True)
    watcher.start()
    failed = ""
    try:
        try:
            digest_phase.send(built, config=config, owner="faults/attempt-1", force=True)
        except Exception as exc:  # the task fails; Airflow retries it
            failed = f"{type(exc).__name__}: {exc}"
        stop.set()
        watcher.join(10)
        first.stop()
        second = DevSmtpServer(folder / "mail-2", port=first.port)
        second.start()
        try:
            result = digest_phase.send(built, config=config, owner="faults/attempt-2", force=True)
            retried = Counter(r.lower() for m in [*first.messages, *second.messages] for r in m.rcpt_tos)
            # the desk: the unknown recipients the mail server's log does not have are released, sent at the next run
            ledger = open_store(config).digests
            held = [
                row.email for row in ledger.recipients(DIGEST_DAY.isoformat(), "quotidien") if row.state == "unknown"
            ]
            released = ledger.release_unknown(DIGEST_DAY.isoformat(), "quotidien", [a for a in held if not retried[a]])
            digest_phase.send(built, config=config, owner="faults/after-release", force=True)
        finally:
            second.stop()
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved
    received = Counter(r.lower() for m in [*first.messages, *second.messages] for r in m.rcpt_tos)
    outcome: dict[str, Any] = dict(result.get("lists", {}).get("quotidien", {}))
    detail = {"first_attempt_error": failed, "received_before_kill": len(first.messages), "outcome": outcome}
    return [
        Cost(
            "SMTP killed mid-digest, restarted, send retried",
            lost=sum(1 for a in addresses if retried[a] == 0),
            duplicated=sum(n - 1 for n in retried.values() if n > 1),
            reuploaded=None,
            detail={**detail, "held_unknown": len(held)},
        ),
        Cost(
            "  then the unknown released (newsroom digest --release)",
            lost=sum(1 for a in addresses if received[a] == 0),
            duplicated=sum(n - 1 for n in received.values() if n > 1),
            reuploaded=None,
            detail={**detail, "released": released},
        ),
    ]
