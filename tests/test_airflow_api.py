"""The REST client ``newsroom file`` uses, against a real HTTP server on loopback that answers like
Airflow's api-server: a busy database (HTTP 500), a stalled api-server (it accepts and answers nothing,
then answers), cut connections and garbage, and the simple auth manager with and without users."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from newsroom import airflow_api
from newsroom.airflow_api import (
    TOKEN_FILE,
    AirflowApi,
    AirflowApiError,
    AirflowAuthError,
    AirflowUnavailable,
    request_runs_at,
    signal_filed,
)
from newsroom.airflow_tokens import TokenCache
from newsroom.config import NewsroomConfig
from tests.support.fakes.airflow import INBOX, TOKEN, FakeAirflow
from tests.support.loopback import serving

EVENTS = "/api/v2/assets/events"
HOUR = timedelta(hours=1)


@pytest.fixture
def api_server() -> Iterator[FakeAirflow]:
    with serving(FakeAirflow()) as server:
        yield server


@pytest.fixture
def users_server() -> Iterator[FakeAirflow]:
    with serving(FakeAirflow(users={"newsroom": "s3cret-of-this-run"})) as server:
        yield server


def _api(server: FakeAirflow, lines: list[str] | None = None, **options: Any) -> AirflowApi:
    settings: dict[str, Any] = {"timeout": 5, "backoff": 0.01, "wait": 60}
    settings.update(options)
    return AirflowApi(server.url, token=TOKEN, notify=(lines if lines is not None else []).append, **settings)


def test_asset_event_retried_when_the_api_server_is_busy(api_server: FakeAirflow) -> None:
    api_server.failures[EVENTS] = [500, 503]
    event = _api(api_server).create_asset_event(INBOX, {"files": ["a.md"]})
    assert event["extra"] == {"files": ["a.md"]}
    assert [e["extra"] for e in api_server.events] == [{"files": ["a.md"]}]
    posts = [r for r in api_server.requests if r[0] == "POST"]
    assert len(posts) == 3  # two refusals, then the event


def test_gives_up_after_its_attempts_with_the_server_s_answer(api_server: FakeAirflow) -> None:
    api_server.failures[EVENTS] = [500] * 10
    with pytest.raises(AirflowApiError, match=r"HTTP 500.*database is locked.*after 3 attempts"):
        _api(api_server, attempts=3).create_asset_event(INBOX, {"files": ["a.md"]})
    assert api_server.events == []
    assert sum(1 for r in api_server.requests if r[0] == "POST") == 3


def test_client_errors_are_not_retried(api_server: FakeAirflow) -> None:
    with pytest.raises(AirflowApiError, match="HTTP 404"):
        _api(api_server)._request("GET", "/api/v2/nowhere")
    assert len(api_server.requests) == 1


def test_no_answer_is_reported_after_retrying() -> None:
    server = FakeAirflow()
    url = server.url
    server.server_close()  # nothing listens there any more
    api = AirflowApi(url, token="token", timeout=2, attempts=2, backoff=0.01, notify=lambda line: None)
    with pytest.raises(AirflowApiError, match=r"did not answer.*after 2 attempts"):
        api.health()


# -- a stalled api-server ---------------------------------------------------------------------
def test_a_stalled_api_server_is_waited_for_visibly_until_it_answers(api_server: FakeAirflow) -> None:
    """It accepts and answers nothing three times (as under load, for tens of seconds), then answers."""
    api_server.stall[EVENTS] = 3
    lines: list[str] = []
    event = _api(api_server, lines, timeout=0.5).create_asset_event(INBOX, {"files": ["a.md"]})
    assert event["extra"] == {"files": ["a.md"]} and len(api_server.events) == 1
    assert sum(1 for r in api_server.requests if r[0] == "POST") == 4
    assert lines[0] == f"waiting for Airflow at {api_server.url} (not answering: timed out)…"
    assert lines[-1].startswith("Airflow answered after ")


def test_a_stall_longer_than_the_wait_is_one_line(api_server: FakeAirflow) -> None:
    api_server.stall[EVENTS] = 1000
    lines: list[str] = []
    with pytest.raises(AirflowUnavailable) as caught:
        _api(api_server, lines, timeout=0.3, wait=1.5).create_asset_event(INBOX, {"files": ["a.md"]})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"POST {EVENTS}: Airflow at {api_server.url} did not answer (timed out) (gave up after")
    assert lines[0].startswith("waiting for Airflow at") and not lines[-1].startswith("Airflow answered")
    assert api_server.events == []


@pytest.mark.parametrize("mode", ["close", "reset", "garbage"])
def test_a_cut_connection_or_garbage_is_retried(api_server: FakeAirflow, mode: str) -> None:
    api_server.broken[EVENTS] = [mode, mode]
    lines: list[str] = []
    event = _api(api_server, lines).create_asset_event(INBOX, {"files": ["a.md"]})
    assert event["id"] == 1 and len(api_server.events) == 1
    assert lines[0].startswith(f"waiting for Airflow at {api_server.url} (not answering: ")


@pytest.mark.parametrize("mode", ["close", "reset", "garbage", "html"])
def test_every_failure_is_an_airflow_api_error(api_server: FakeAirflow, mode: str) -> None:
    api_server.broken[EVENTS] = [mode] * 10
    with pytest.raises(AirflowApiError) as caught:
        _api(api_server, attempts=2).create_asset_event(INBOX, {"files": ["a.md"]})
    assert "\n" not in str(caught.value)
    if mode == "html":
        assert "answered something not JSON" in str(caught.value)


# -- authentication ------------------------------------------------------------------------
@pytest.fixture
def configured(
    make_config: Callable[..., NewsroomConfig], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., NewsroomConfig]:
    def factory(server: FakeAirflow, password: str | None = None) -> NewsroomConfig:
        airflow: dict[str, Any] = {"url": server.url, "wait_seconds": 5}
        if password is not None:
            airflow["conn_id"] = "newsroom_airflow"
            host, port = server.url.removeprefix("http://").split(":")
            monkeypatch.setenv(
                "AIRFLOW_CONN_NEWSROOM_AIRFLOW",
                f'{{"conn_type": "http", "host": "{host}", "port": {port}, "login": "newsroom",'
                f' "password": "{password}"}}',
            )
        return make_config({"airflow": airflow})

    return factory


def test_all_admins_needs_no_credentials(api_server: FakeAirflow, configured: Callable[..., NewsroomConfig]) -> None:
    api = AirflowApi.from_config(configured(api_server))
    assert api.token == TOKEN and api.health()


def test_without_credentials_an_authenticated_airflow_is_one_line_naming_the_setting(
    users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    with pytest.raises(AirflowAuthError, match=r"no credentials: .*GET /auth/token: HTTP 403.*set airflow.conn_id"):
        AirflowApi.from_config(configured(users_server))
    assert [r[:2] for r in users_server.requests] == [("GET", "/auth/token")]


def test_the_connection_s_user_logs_in(users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]) -> None:
    api = AirflowApi.from_config(configured(users_server, "s3cret-of-this-run"))
    assert api.token == TOKEN
    assert users_server.requests[0] == (
        "POST",
        "/auth/token",
        {"username": "newsroom", "password": "s3cret-of-this-run"},
    )
    assert api.create_asset_event(INBOX, {"files": ["a.md"]})["id"] == 1


def test_a_wrong_password_is_refused_in_one_line_naming_the_connection(
    users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    with pytest.raises(AirflowAuthError) as caught:
        AirflowApi.from_config(configured(users_server, "not-the-password"))
    message = str(caught.value)
    assert "refused the credentials of connection 'newsroom_airflow' (user 'newsroom')" in message
    assert "HTTP 401" in message and "not-the-password" not in message and "\n" not in message
    assert len(users_server.requests) == 1  # a refusal is not retried


def test_a_missing_connection_is_one_line(
    users_server: FakeAirflow, make_config: Callable[..., NewsroomConfig]
) -> None:
    config = make_config({"airflow": {"url": users_server.url, "conn_id": "nowhere_to_be_found"}})
    with pytest.raises(AirflowAuthError, match="no credentials: the Airflow connection 'nowhere_to_be_found'"):
        AirflowApi.from_config(config)


# -- runs asked for, and the token kept between commands ----------------------------------
def test_a_filing_asks_for_a_run_of_the_ingest_dag(
    api_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    run = signal_filed(configured(api_server), ["a.md", "b.md"])
    assert run["dag_id"] == "ingest_articles" and run["state"] == "queued"
    (asked,) = api_server.runs
    assert asked["conf"] == {"files": ["a.md", "b.md"]} and asked["logical_date"] is None
    assert "run_after" not in asked  # now
    assert not any(path.startswith("/api/v2/assets") for _, path, _ in api_server.requests)  # one round trip


def test_runs_at_exact_times_are_asked_once_per_instant(api_server: FakeAirflow) -> None:
    at = datetime(2025, 6, 24, 5, 0, tzinfo=UTC)
    outcome = request_runs_at(_api(api_server), [at, at.astimezone(timezone(timedelta(hours=1))), at + HOUR])
    assert outcome == {
        "at__2025-06-24T05:00:00+00:00": "requested",
        "at__2025-06-24T06:00:00+00:00": "requested",
    }
    assert [(r["dag_run_id"], r["run_after"]) for r in api_server.runs] == [
        ("at__2025-06-24T05:00:00+00:00", "2025-06-24T05:00:00+00:00"),
        ("at__2025-06-24T06:00:00+00:00", "2025-06-24T06:00:00+00:00"),
    ]
    # a refiling asks again: the run is already there (409), nothing doubles
    assert request_runs_at(_api(api_server), [at]) == {"at__2025-06-24T05:00:00+00:00": "already requested"}
    assert len(api_server.runs) == 2


def test_the_token_is_kept_between_commands_readable_by_its_owner_only(
    users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    config = configured(users_server, "s3cret-of-this-run")
    for _ in range(3):
        signal_filed(config, ["a.md"])
    assert users_server.tokens_issued == 1 and len(users_server.runs) == 3
    cache = config.state_dir / TOKEN_FILE
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert "s3cret-of-this-run" not in cache.read_text(encoding="utf-8")


def test_a_cached_token_is_not_lent_to_other_credentials(
    users_server: FakeAirflow, configured: Callable[..., NewsroomConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong password must be refused even while a token got with the right one is still cached."""
    signal_filed(configured(users_server, "s3cret-of-this-run"), ["a.md"])
    wrong = configured(users_server, "not-this-one")
    with pytest.raises(AirflowAuthError, match="refused the credentials of connection 'newsroom_airflow'"):
        signal_filed(wrong, ["b.md"])
    assert len(users_server.runs) == 1
    # the same credentials read from a secrets backend (no AIRFLOW_CONN_* value): the same rule
    monkeypatch.setattr(airflow_api, "connection_source", lambda conn_id: "")
    read = {"login": "newsroom", "password": "not-this-one"}
    monkeypatch.setattr(
        airflow_api, "_read_connection", lambda conn_id, url: (users_server.url, read["login"], read["password"])
    )
    with pytest.raises(AirflowAuthError, match="refused the credentials"):
        signal_filed(wrong, ["c.md"])
    read["password"] = "s3cret-of-this-run"
    signal_filed(wrong, ["d.md"])
    assert len(users_server.runs) == 2


def test_a_refused_token_is_replaced_by_one_login(
    users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    config = configured(users_server, "s3cret-of-this-run")
    signal_filed(config, ["a.md"])
    users_server.revoke()  # the api-server's secret changed: the cached token is refused (401)
    signal_filed(config, ["b.md"])
    assert users_server.tokens_issued == 2 and len(users_server.runs) == 2
    signal_filed(config, ["c.md"])  # and the new one is kept
    assert users_server.tokens_issued == 2


def test_an_expiring_token_is_not_used(users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]) -> None:
    config = configured(users_server, "s3cret-of-this-run")
    users_server.token_lifetime = 30  # expires within the margin
    signal_filed(config, ["a.md"])
    signal_filed(config, ["b.md"])
    assert users_server.tokens_issued == 2


def test_a_cache_others_may_read_is_not_trusted(
    users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    config = configured(users_server, "s3cret-of-this-run")
    signal_filed(config, ["a.md"])
    cache = config.state_dir / TOKEN_FILE
    cache.chmod(0o644)
    signal_filed(config, ["b.md"])
    assert users_server.tokens_issued == 2
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600  # rewritten, private again


def test_each_url_and_user_has_its_own_token(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / TOKEN_FILE)
    cache.put("http://a:8080", "newsroom", TOKEN)
    assert cache.get("http://a:8080", "newsroom") is not None
    assert cache.get("http://b:8080", "newsroom") is None and cache.get("http://a:8080", "admin") is None
    (tmp_path / TOKEN_FILE).write_text("{not json", encoding="utf-8")
    assert cache.get("http://a:8080", "newsroom") is None  # a broken file is a miss, not an error


def test_a_filing_with_a_cached_token_does_not_import_airflow(
    users_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    """Reading the connection costs an Airflow import (about 2 s of CPU): only the first filing pays it."""
    config = configured(users_server, "s3cret-of-this-run")
    signal_filed(config, ["a.md"])
    script = (
        "import sys, yaml\n"
        "from pathlib import Path\n"
        "from newsroom.airflow_api import signal_filed\n"
        "from newsroom.config import DEFAULT_CONFIG, parse_config\n"
        "data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding='utf-8'))\n"
        f"data['airflow'].update({config.airflow.model_dump()!r})\n"
        f"signal_filed(parse_config(data, DEFAULT_CONFIG, state_dir=Path({str(config.state_dir)!r})), ['b.md'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'airflow'}))\n"
    )
    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert users_server.tokens_issued == 1 and len(users_server.runs) == 2


def test_a_backfill_tells_each_run_the_range_s_last_day(
    api_server: FakeAirflow, configured: Callable[..., NewsroomConfig]
) -> None:
    """So the runs before it leave the listings to its run, which renders each once for the range."""
    import argparse

    from newsroom.cli.archive import cmd_backfill

    args = argparse.Namespace(
        from_date="2019-01-01",
        to_date="2019-03-31",
        inline=False,
        reprocess_behavior="failed",
        max_active_runs=4,
        wait=0,
    )
    assert cmd_backfill(args, configured(api_server)) == 0
    (asked,) = [body for method, path, body in api_server.requests if path == "/api/v2/backfills"]
    assert asked["dag_id"] == "backfill_archive" and asked["dag_run_conf"] == {"until": "2019-03-31"}
    assert (asked["from_date"], asked["to_date"]) == ("2019-01-01T00:00:00Z", "2019-03-31T00:00:00Z")
