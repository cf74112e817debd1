"""The real thing: Airflow standalone's scheduler, `newsroom file`, and SeaweedFS.

Airflow here has real users (the simple auth manager, a password per run,
as the scale-out stack and production): `newsroom file` logs in through the
``newsroom_airflow`` connection, asks for a run of the ingest DAG and the
page is in the bucket seconds later; without credentials the API and
`newsroom file` are refused, and the filing waits in the inbox; a file
dropped in the inbox without a run asked for is picked up by the
every-minute sweep; `newsroom status` tells where each one is.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev.auth import CONN_ID, SimpleAuthUsers
from dev.devsmtp import DevSmtpServer
from dev.devstack import AirflowStandalone, SeaweedServer
from dev.ports import free_port
from newsroom.config import NewsroomConfig, load_config
from newsroom.resources import bucket_for, open_store
from tests.support.airflow import write_config
from tests.support.paths import REPO_ROOT as REPO
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


DEADLINE_MINUTES = "0.5"  # the DAGs' deadlines in this stack (NEWSROOM_DEADLINE_MINUTES): 30 seconds


@pytest.fixture(scope="module")
def desk_mail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevSmtpServer]:
    """The desk's mailbox: the SMTP server the stack's alerts go to (alerts.to)."""
    server = DevSmtpServer(tmp_path_factory.mktemp("desk-mail"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stack(
    seaweed: SeaweedServer, desk_mail: DevSmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[NewsroomConfig, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("standalone")
    port = free_port()
    path = write_config(folder, seaweed, "standalone-site")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["airflow"].update({"url": f"http://localhost:{port}", "conn_id": CONN_ID})
    data["alerts"] = {"to": ["desk@example.org"], "sender": "alerts@example.org"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = {
        "NEWSROOM_CONFIG": str(path),
        "AIRFLOW_CONN_NEWSROOM_S3": seaweed.connection_uri(),
        "AIRFLOW_CONN_NEWSROOM_SMTP": desk_mail.airflow_connection_uri(),
        "NEWSROOM_DEADLINE_MINUTES": DEADLINE_MINUTES,
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    }
    # the filing API's service token (newsroom.web), as a CMS would hold it
    env["AIRFLOW_CONN_NEWSROOM_CMS"] = json.dumps(
        {"conn_type": "http", "login": "cms", "password": secrets.token_hex(16)}
    )
    auth = SimpleAuthUsers(folder / "passwords.json")  # a password per run for each user
    airflow = AirflowStandalone(folder / "airflow", port, env, auth=auth)
    # the api-server asks for runs of what a CMS files through the same connection `newsroom file` uses
    airflow.extra_env[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = auth.connection_uri(airflow.url)
    previous = os.environ.get("AIRFLOW_CONN_NEWSROOM_S3")
    os.environ["AIRFLOW_CONN_NEWSROOM_S3"] = seaweed.connection_uri()  # for this process's own checks
    login = {f"AIRFLOW_CONN_{CONN_ID.upper()}": auth.connection_uri(airflow.url)}  # for `newsroom file` only
    try:
        airflow.start()  # inside: a start that times out still stops what it started
        desk = {"NEWSROOM_TEST_DESK_PASSWORD": auth.passwords["admin"]}  # a person, for the browser test
        yield load_config(path), {**os.environ, **env, **login, **desk, "PATH": f"{BIN}:{os.environ['PATH']}"}
    finally:
        airflow.stop()
        if previous is None:
            os.environ.pop("AIRFLOW_CONN_NEWSROOM_S3", None)
        else:
            os.environ["AIRFLOW_CONN_NEWSROOM_S3"] = previous


def _newsroom(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "newsroom"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_filed_article_goes_live(stack: tuple[NewsroomConfig, dict[str, str]]) -> None:
    # The outcome, with a generous wait: how fast it goes live is `make bench`'s figure, not a test's.
    config, env = stack
    result = _newsroom(env, "file", str(SAMPLES_DIR / "mali-russie-goita-poutine.md"), "--wait", "600")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Airflow told: run " in result.stdout and " of ingest_articles requested" in result.stdout

    row = open_store(config).articles.records(["mali-russie-goita-poutine"])["mali-russie-goita-poutine"]
    bucket = bucket_for(config)
    page = bucket.get(row.path)["Body"].read().decode("utf-8")
    assert "Goïta et Poutine élargissent leur partenariat" in page
    home = bucket.get("index.html")["Body"].read().decode("utf-8")
    assert config.site.base_url + row.path in home
    assert config.site.base_url + row.path in bucket.get("diplomatie/index.html")["Body"].read().decode("utf-8")

    status = _newsroom(env, "status", "mali-russie-goita-poutine")
    assert status.returncode == 0
    assert "published (version 1)" in status.stdout
    assert row.path in status.stdout and "uploaded" in status.stdout


def test_broken_filing_is_quarantined_and_status_says_why(stack: tuple[NewsroomConfig, dict[str, str]]) -> None:
    config, env = stack
    result = _newsroom(env, "file", str(SAMPLES_DIR / "broken-no-title.md"))
    assert result.returncode == 1 and "WILL BE QUARANTINED" in result.stdout
    assert "will be quarantined" in result.stderr and "title: missing or empty" in result.stderr
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (config.quarantine_dir / "broken-no-title.md.report.json").exists():
        time.sleep(0.5)
    status = _newsroom(env, "status", "broken-no-title.md")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "QUARANTINED" in status.stdout and "title: missing or empty" in status.stdout


def test_safety_net_picks_up_a_file_dropped_without_an_event(stack: tuple[NewsroomConfig, dict[str, str]]) -> None:
    config, env = stack
    result = _newsroom(env, "file", "--no-signal", str(SAMPLES_DIR / "parakou-detournement.md"))
    assert result.returncode == 0 and "Airflow told" not in result.stdout
    store = open_store(config)
    deadline = time.monotonic() + 150  # the sweep runs every minute (a filing younger than 15 s: the next one)
    row = None
    while time.monotonic() < deadline:
        row = store.articles.records(["parakou-agents-suspendus"]).get("parakou-agents-suspendus")
        if row is not None and row.status == "published":
            break
        time.sleep(1)
    assert row is not None and row.status == "published"
    assert row.path in bucket_for(config).listing()


def test_without_credentials_the_api_and_newsroom_file_are_refused(
    stack: tuple[NewsroomConfig, dict[str, str]], tmp_path: Path
) -> None:
    config, env = stack
    for path, status in (("/auth/token", 403), ("/api/v2/dags", 401)):  # no all-admins token, no anonymous call
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(config.airflow.url + path, timeout=60)
        assert refused.value.code == status, path

    anonymous = tmp_path / "anonymous.yaml"  # the same newsroom, without airflow.conn_id
    shutil.copyfile(Path(env["NEWSROOM_CONFIG"]).parent / "subscribers.csv", tmp_path / "subscribers.csv")
    data = yaml.safe_load(Path(env["NEWSROOM_CONFIG"]).read_text(encoding="utf-8"))
    data["airflow"]["conn_id"] = None
    anonymous.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = _newsroom({**env, "NEWSROOM_CONFIG": str(anonymous)}, "file", str(SAMPLES_DIR / "benin-motos-godomey.md"))
    assert result.returncode == 1, result.stdout + result.stderr
    waiting = ("waiting for Airflow", "still waiting for Airflow", "Airflow answered after")  # a busy api-server
    said = [line for line in result.stderr.splitlines() if not line.startswith(waiting)]
    assert len(said) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "no credentials" in result.stderr and "set airflow.conn_id" in result.stderr
    assert "Airflow told" not in result.stdout
    # filed all the same (the safety net may already be ingesting it: not checked here)
    assert f"-> {config.inbox_dir}/" in result.stdout and "benin-motos-godomey.md (article " in result.stdout

    wrong = json.loads(env[f"AIRFLOW_CONN_{CONN_ID.upper()}"]) | {"password": "not-this-one"}
    result = _newsroom(
        {**env, f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(wrong)},
        "file",
        str(SAMPLES_DIR / "benin-motos-godomey.md"),
    )
    assert result.returncode == 1 and "refused the credentials of connection 'newsroom_airflow'" in result.stderr


def _call(
    url: str, method: str = "GET", data: bytes | None = None, token: str | None = None, *, json_body: bool = False
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=data, method=method)
    if json_body:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _jwt(config: NewsroomConfig, env: dict[str, str]) -> str:
    """A token of the stack's `newsroom` user (role op), from Airflow's /auth/token."""
    login = json.loads(env[f"AIRFLOW_CONN_{CONN_ID.upper()}"])
    body = json.dumps({"username": login["login"], "password": login["password"]}).encode()
    request = urllib.request.Request(
        config.airflow.url + "/auth/token", body, {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        token: str = json.loads(answer.read())["access_token"]
    return token


def test_a_run_that_misses_its_deadline_is_told_to_the_desk(
    stack: tuple[NewsroomConfig, dict[str, str]], desk_mail: DevSmtpServer
) -> None:
    """The real scheduler finds the DeadlineAlert missed and the triggerer runs our callback, which mails
    the desk through the SMTP connection: a digest run that cannot start (its DAG paused) is late."""
    config, env = stack
    base, token = config.airflow.url + "/api/v2/dags/daily_digest", _jwt(config, env)
    code, dag = _call(base, "PATCH", json.dumps({"is_paused": True}).encode(), token, json_body=True)
    assert code == 200 and dag["is_paused"], dag
    body = json.dumps({"logical_date": None, "note": "deadline test"}).encode()
    code, run = _call(base + "/dagRuns", "POST", body, token, json_body=True)
    assert code == 200, run
    wanted = "Newsroom: daily_digest is late"
    deadline = time.monotonic() + 300  # 30 s of deadline, then the scheduler's check and the triggerer
    while time.monotonic() < deadline:
        late = [m for m in desk_mail.messages if m.parsed()["Subject"] == wanted]
        if any(run["dag_run_id"] in m.parsed().get_body(("html", "plain")).get_content() for m in late):  # type: ignore[union-attr]
            break
        time.sleep(2)
    else:
        pytest.fail(f"no alert for {run['dag_run_id']}: {[m.parsed()['Subject'] for m in desk_mail.messages]}")
    (mail,) = [m for m in late if run["dag_run_id"] in m.parsed().get_body(("html", "plain")).get_content()]  # type: ignore[union-attr]
    assert mail.rcpt_tos == ("desk@example.org",)
    text = mail.parsed().get_body(("html", "plain")).get_content()  # type: ignore[union-attr]
    assert f"is not done {DEADLINE_MINUTES} minutes after it was queued" in text


def test_a_cms_files_through_the_api_server_and_the_article_goes_live(
    stack: tuple[NewsroomConfig, dict[str, str]],
) -> None:
    """The filing API mounted in Airflow's own api-server by the plugin's entry point (newsroom.web)."""
    config, env = stack
    api = config.airflow.url + "/newsroom"
    data = (SAMPLES_DIR / "benin-pahou-interpellations.md").read_bytes()
    assert _call(f"{api}/articles?name=benin-pahou-interpellations.md", "POST", data)[0] == 401  # no anonymous filing
    token = json.loads(env["AIRFLOW_CONN_NEWSROOM_CMS"])["password"]
    code, answer = _call(f"{api}/articles?name=benin-pahou-interpellations.md", "POST", data, token)
    assert code == 202 and answer["by"] == "cms", answer
    article_id = answer["id"]
    store = open_store(config)
    deadline = time.monotonic() + 600  # generous: the outcome, not the speed
    while time.monotonic() < deadline:
        row = store.articles.records([article_id]).get(article_id)
        if row is not None and row.status == "published":
            break
        time.sleep(1)
    else:
        pytest.fail(f"{article_id} not published: {store.status.of(article_id)}")
    assert "Pahou" in bucket_for(config).get(row.path)["Body"].read().decode("utf-8")

    # Airflow's own users' tokens are accepted too (checked by the api-server's auth manager)
    jwt = _jwt(config, env)
    code, info = _call(f"{api}/articles/{article_id}", token=jwt)
    assert code == 200 and info["id"] == article_id, info
    assert _call(f"{api}/articles/{article_id}", token=jwt[:-4] + "AAAA")[0] == 403


def test_a_person_takes_an_article_down_from_the_desk_in_a_browser(
    stack: tuple[NewsroomConfig, dict[str, str]], tmp_path: Path
) -> None:
    """Chromium (Debian) driven by playwright-core (npm): Airflow's login form, the desk, a takedown."""
    config, env = stack
    result = _newsroom(env, "file", str(SAMPLES_DIR / "benin-enseignement-technique.md"), "--wait", "600")
    assert result.returncode == 0, result.stdout + result.stderr
    article_id = "benin-enseignement-technique-amoussou"
    row = open_store(config).articles.records([article_id])[article_id]
    bucket = bucket_for(config)
    assert row.path in bucket.listing()

    script = Path(__file__).with_name("desk_browser.mjs")
    shot = tmp_path / "desk.png"
    args = [config.airflow.url, "admin", env["NEWSROOM_TEST_DESK_PASSWORD"], row.id, "erreur de fait", str(shot)]
    browser = subprocess.run(
        ["node", str(script), *args], cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    assert browser.returncode == 0, browser.stdout + browser.stderr
    said = json.loads(browser.stdout.strip().splitlines()[-1])
    assert said["heading"].startswith("Newsroom desk") and "admin" in said["heading"], said
    assert said["error"] == [] and said["done"] and said["done"][0].startswith(f"{row.id} taken down by admin"), said
    assert shot.stat().st_size > 0
    assert row.path not in bucket.listing()  # gone from the bucket
    record = open_store(config).articles.records([row.id])[row.id]
    assert record.taken_down_at is not None
    status = _newsroom(env, "status", row.id)
    assert "admin" in status.stdout and "erreur de fait" in status.stdout, status.stdout
