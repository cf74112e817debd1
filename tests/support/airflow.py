"""Fixtures for running the real DAGs with ``dag.test()``: Airflow's metadata DB, and the env its tasks see.

Registered for the whole suite in ``tests/conftest.py`` (the e2e tests and the digest's DAG test use them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev.devstack import SeaweedServer
from newsroom.config import DEFAULT_CONFIG, NewsroomConfig, load_config

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Migrate the (temporary, SQLite) Airflow metadata DB that dag.test() runs against."""
    result = subprocess.run(
        [str(BIN / "airflow"), "db", "migrate"], env=dict(os.environ), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def write_config(folder: Path, seaweed: SeaweedServer, bucket: str, **site: Any) -> Path:
    """A newsroom.yaml for a test: site served from the test bucket, shipped taxonomy, templates and subscribers."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["site"].update({"base_url": f"{seaweed.endpoint}/{bucket}/", **site})
    data["storage"]["bucket"] = bucket
    data["taxonomy"] = str(DEFAULT_CONFIG.parent / "taxonomy.yaml")
    data["templates"] = str(DEFAULT_CONFIG.parent / "templates")
    data["paths"]["state_dir"] = str(folder / "state")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULT_CONFIG.parent / "subscribers.csv", folder / "subscribers.csv")  # the list, beside it
    path = folder / "newsroom.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def pipeline_env(
    seaweed: SeaweedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: Any
) -> Iterator[NewsroomConfig]:
    """NEWSROOM_CONFIG and the S3 connection set as Airflow tasks will see them."""
    bucket = "e2e-" + "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:40].strip("-")
    path = write_config(tmp_path, seaweed, bucket)
    monkeypatch.setenv("NEWSROOM_CONFIG", str(path))
    monkeypatch.delenv("NEWSROOM_STATE_DIR", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    yield load_config(path)


def for_dag_test(dag: Any) -> Any:
    """``dag`` ready for ``dag.test()``: without its ``DeadlineAlert``s. Airflow 3.3.2's ``dag.test()``
    cannot finish a run of a DAG that has one (``DagRun.update_state`` looks each alert up by id, but a
    DAG that was never serialized holds the alerts themselves: StatementError, 'dict' object has no
    attribute 'hex'). The scheduler is not affected; tests/dags checks the alerts themselves."""
    dag.deadline = None
    return dag
