"""Fault scenarios as functions: each runs one fault against real components and returns what it cost.

What a fault may cost is counted the same way everywhere: **lost** (filed or planned,
never published), **duplicated** (published, stored or posted twice) and
**re-uploaded** (objects sent again on the rerun although they had landed). The
tests under ``tests/phases`` and ``tests/publish`` assert on these figures;
``python -m bench.faults`` prints them as a table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dev.devstack import SeaweedServer
from newsroom.config import NewsroomConfig, load_config
from newsroom.ingest import Inbox
from newsroom.resources import open_store
from newsroom.store.tables import EventRow, VersionRow
from tests.support.airflow import write_config
from tests.support.backfill import bucket_objects
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
    inbox = Inbox(config)
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
