"""Shared fixtures: the shipped configuration with state in a temp folder, a real SeaweedFS,
and Airflow's own test home.

Airflow reads AIRFLOW_HOME when first imported, so it is set here, before
any test module imports Airflow: tests never touch a developer's var/.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import CONFIG_FILE, REPO_ROOT

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="newsroom-airflow-home-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO_ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO_ROOT / "plugins")

pytest_plugins = ["tests.support.fakes.fixtures", "tests.support.airflow"]

from dev.devsmtp import DevSmtpServer  # noqa: E402
from dev.devstack import SeaweedServer  # noqa: E402
from newsroom.config import NewsroomConfig, parse_config  # noqa: E402
from newsroom.store import Store  # noqa: E402


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in overrides.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's NEWSROOM_* variables must not leak into the tests."""
    for name in ("NEWSROOM_CONFIG", "NEWSROOM_STATE_DIR", "NEWSROOM_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _log_stream_open() -> None:
    """Airflow configures logging once per process, its handler writing to the ``sys.stdout`` of that
    moment: under pytest, the capture stream of whichever test first imported Airflow, closed when that
    test ended ("--- Logging error --- ValueError: I/O operation on closed file" in every later test's
    output). Point such a handler at this test's stdout."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False):
            handler.stream = sys.stdout  # not setStream: it flushes the closed one


@pytest.fixture
def config_data() -> dict[str, Any]:
    """The YAML of include/newsroom.yaml as plain data (a fresh copy per test)."""
    data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., NewsroomConfig]:
    """A config like include/newsroom.yaml, its state in tmp_path, with overrides merged in."""

    def factory(overrides: dict[str, Any] | None = None, state_dir: Path | None = None) -> NewsroomConfig:
        data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
        data = _merge(data, overrides or {})
        return parse_config(data, CONFIG_FILE, state_dir=state_dir or tmp_path / "state")

    return factory


@pytest.fixture
def config(config_data: dict[str, Any], tmp_path: Path) -> NewsroomConfig:
    """The shipped configuration, with its state (inbox, SQLite...) in a temp folder."""
    return parse_config(config_data, CONFIG_FILE, state_dir=tmp_path / "state")


@pytest.fixture
def store(config: NewsroomConfig) -> Store:
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return Store.from_url(config.database_url())


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """One real SeaweedFS S3 server on free loopback ports for the whole session."""
    server = SeaweedServer.on_free_ports(tmp_path_factory.mktemp("seaweed"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_config(
    seaweed: SeaweedServer, make_config: Callable[..., NewsroomConfig], monkeypatch: pytest.MonkeyPatch, request: Any
) -> NewsroomConfig:
    """A config publishing to a fresh bucket on the test SeaweedFS, its connection in AIRFLOW_CONN_*."""
    bucket = "t-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-") + f"-{os.getpid()}"
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    return make_config({"site": {"base_url": f"{seaweed.endpoint}/{bucket}/"}, "storage": {"bucket": bucket}})


@pytest.fixture
def diskless_config(s3_config: NewsroomConfig) -> NewsroomConfig:
    """``s3_config`` whose own files (inbox, quarantine, partitions, builds) live in a private bucket."""
    storage = s3_config.storage.model_copy(update={"files_bucket": s3_config.storage.bucket + "-files"})
    return s3_config.model_copy(update={"storage": storage})


@pytest.fixture
def smtp_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DevSmtpServer]:
    """A real SMTP server on a free loopback port; AIRFLOW_CONN_NEWSROOM_SMTP points at it."""
    server = DevSmtpServer(tmp_path / "mail")
    server.start()
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_SMTP", server.airflow_connection_uri())
    try:
        yield server
    finally:
        server.stop()
