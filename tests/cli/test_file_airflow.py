"""``newsroom file`` against an Airflow that wants credentials or stops answering: one line, never a
traceback, and the filing safe in the inbox. Airflow is a loopback server answering as its api-server does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsroom.cli import main
from tests.support.fakes.airflow import FakeAirflow
from tests.support.loopback import serving
from tests.support.paths import CONFIG_FILE, SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "mali-russie-goita-poutine.md"
PASSWORD = "s3cret-of-this-run"


@pytest.fixture
def airflow() -> Iterator[FakeAirflow]:
    with serving(FakeAirflow(users={"newsroom": PASSWORD})) as server:
        yield server


@pytest.fixture
def use_airflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """The shipped config pointed at ``server`` (with ``airflow`` settings merged in); its inbox."""

    def configure(server: FakeAirflow, **airflow: Any) -> Path:
        data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
        data["taxonomy"] = str(CONFIG_FILE.parent / "taxonomy.yaml")
        data["templates"] = str(CONFIG_FILE.parent / "templates")
        for listing in data["digest"]["lists"]:  # checked at load: the shipped lists, where they are
            listing["subscribers"] = str(CONFIG_FILE.parent / listing["subscribers"])
        data["paths"]["state_dir"] = str(tmp_path / "state")
        data["airflow"].update({"url": server.url, **airflow})
        path = tmp_path / "newsroom.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("NEWSROOM_CONFIG", str(path))
        return tmp_path / "state" / "inbox"

    return configure


def test_without_credentials_it_fails_in_one_line_and_the_filing_is_kept(
    airflow: FakeAirflow, use_airflow: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = use_airflow(airflow)
    code = main(["file", str(SAMPLE), "--wait", "60"])
    _, err = capsys.readouterr()
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("newsroom file: no credentials: ") and "set airflow.conn_id" in err
    assert "safe in the inbox" in err and "Traceback" not in err
    assert [p.name.endswith(SAMPLE.name) for p in inbox.iterdir()] == [True] and airflow.runs == []


def test_refused_credentials_fail_in_one_line(
    airflow: FakeAirflow,
    use_airflow: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_airflow(airflow, conn_id="newsroom_airflow")
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_AIRFLOW", f"http://newsroom:wrong@127.0.0.1:{airflow.server_address[1]}")
    code = main(["file", str(SAMPLE)])
    _, err = capsys.readouterr()
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "refused the credentials of connection 'newsroom_airflow' (user 'newsroom')" in err
    assert "wrong" not in err.replace("newsroom", "")


def test_with_the_connection_it_logs_in_and_tells_airflow(
    airflow: FakeAirflow,
    use_airflow: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_airflow(airflow, conn_id="newsroom_airflow")
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWSROOM_AIRFLOW", f"http://newsroom:{PASSWORD}@127.0.0.1:{airflow.server_address[1]}"
    )
    code = main(["file", str(SAMPLE)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Airflow told: run manual__1 of ingest_articles requested" in out
    (filed,) = airflow.runs[0]["conf"]["files"]
    assert filed.endswith(SAMPLE.name)


def test_a_stalled_api_server_is_waited_for_then_a_warning(
    use_airflow: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(FakeAirflow()) as stalled:  # all-admins, as `make run`; stalls every call
        stalled.stall["/auth/token"] = 1000
        inbox = use_airflow(stalled, wait_seconds=3)
        code = main(["file", str(SAMPLE)])
    _, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 0  # the filing is in the inbox: the safety net will pick it up
    assert lines[0] == f"waiting for Airflow at {stalled.url} (not answering: timed out)…"
    assert lines[-1].startswith("Warning: GET /auth/token: Airflow at") and "did not answer" in lines[-1]
    assert "safety-net schedule will pick the filing up" in lines[-1] and "Traceback" not in err
    assert [p.name.endswith(SAMPLE.name) for p in inbox.iterdir()] == [True]
