"""Wrong S3 credentials: one line naming the connection, and the run's articles marked publish_failed.

Against a real SeaweedFS that requires signed requests (its own server, with an identity).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dev.devstack import SeaweedServer
from newsroom.cli import main
from newsroom.config import load_config
from newsroom.ingest import Inbox
from newsroom.phases.ingest import PUBLISH_FAILED
from newsroom.resources import files_for, open_store
from tests.support.airflow import write_config
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e

KEYS = ("newsroom-ak", "newsroom-secret-key")


@pytest.fixture(scope="module")
def locked_seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    server = SeaweedServer.on_free_ports(tmp_path_factory.mktemp("seaweed-auth"), credentials=KEYS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_refused_credentials_are_one_line_naming_the_connection_and_flag_the_articles(
    locked_seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, locked_seaweed, "site")
    for name in ("NEWSROOM_CONFIG", "NEWSROOM_STATE_DIR", "NEWSROOM_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(path)
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", locked_seaweed.connection_uri(("newsroom-ak", "wrong-secret")))
    Inbox(config, files_for(config)).file(SAMPLES_DIR / "benin-motos-godomey.md")

    code = main(["--config", str(path), "process"])

    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "storage connection 'newsroom_s3' refused the credentials" in err[0]
    status = open_store(config).status.of("benin-motos-godomey")
    assert status is not None and status["article"]["status"] == PUBLISH_FAILED
    assert "refused the credentials" in status["events"][-1]["detail"]

    # the right credentials: the next run publishes it
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", locked_seaweed.connection_uri())
    assert main(["--config", str(path), "process"]) == 0  # never live yet: the next run retries it
    again = open_store(config).status.of("benin-motos-godomey")
    assert again is not None and again["article"]["status"] == "published"
