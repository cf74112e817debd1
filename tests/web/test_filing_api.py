"""The filing API a CMS calls (newsroom.web), served by uvicorn on loopback, asking a loopback
Airflow (tests/support/fakes/airflow.py) for runs: filing, status, refusals, the Superdesk push,
authentication, the size cap and the rate limit. In Airflow's own api-server: tests/e2e/test_filing_api.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsroom.ingest import Inbox
from newsroom.resources import files_for, open_store
from tests.support.fakes.airflow import FakeAirflow
from tests.web.conftest import SAMPLES, SECRET, TOKEN, Api


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_a_cms_files_an_article_and_follows_it(serve: Callable[..., Api], airflow: FakeAirflow) -> None:
    api = serve()
    code, answer, _ = api.call("POST", "/articles?name=benin-motos-godomey.md", _sample("benin-motos-godomey.md"))
    assert code == 202, answer
    assert answer["id"] == "benin-motos-godomey" and answer["by"] == "cms-bot" and answer["status"] == "filed"
    assert answer["status_url"] == "/newsroom/articles/benin-motos-godomey"
    assert [r["dag_run_id"] for r in airflow.runs] == [answer["run"]]  # a run asked for at once
    pending = Inbox(api.config, files_for(api.config)).pending()
    assert [Inbox.original_name(p) for p in pending] == ["benin-motos-godomey.md"]
    assert files_for(api.config).get(str(pending[0])) == _sample("benin-motos-godomey.md")

    assert api.call("GET", answer["status_url"].removeprefix("/newsroom"))[0] == 404  # not ingested yet
    Inbox(api.config, files_for(api.config)).process(open_store(api.config))
    code, info, _ = api.call("GET", "/articles/benin-motos-godomey")
    assert code == 200 and info["id"] == "benin-motos-godomey", info

    # the same content again changes nothing: not filed, no run
    code, again, _ = api.call("POST", "/articles?name=benin-motos-godomey.md", _sample("benin-motos-godomey.md"))
    assert code == 200 and again["status"] == "unchanged"
    assert len(airflow.runs) == 1 and Inbox(api.config, files_for(api.config)).pending() == []


def test_ninjs_is_filed_with_its_own_id(serve: Callable[..., Api]) -> None:
    api = serve()
    data = _sample("centrafrique-touadera-bruxelles.json")
    code, answer, _ = api.call("POST", "/articles", data, headers={"Content-Type": "application/json"})
    assert code == 202, answer
    assert answer["id"] == json.loads(data).get("id", answer["id"]) and answer["id"] != "untitled"


def test_a_filing_to_be_refused_answers_422_with_the_report_and_is_kept(
    serve: Callable[..., Api], airflow: FakeAirflow
) -> None:
    api = serve()
    code, answer, _ = api.call("POST", "/articles?name=broken-no-title.md", _sample("broken-no-title.md"))
    assert code == 422, answer
    assert any(p["field"] == "title" for p in answer["problems"]), answer
    Inbox(api.config, files_for(api.config)).process(
        open_store(api.config)
    )  # kept: the ingest quarantines it beside its report
    reports = list(api.config.quarantine_dir.glob("*.report.json"))
    assert len(reports) == 1 and "title" in reports[0].read_text(encoding="utf-8")
    originals = [p for p in api.config.quarantine_dir.iterdir() if not p.name.endswith(".report.json")]
    assert [p.read_bytes() for p in originals] == [_sample("broken-no-title.md")]


def test_no_id_and_no_name_is_refused_before_anything_is_filed(serve: Callable[..., Api]) -> None:
    api = serve()
    text = _sample("benin-motos-godomey.md").decode().replace("id: benin-motos-godomey\n", "")
    code, answer, _ = api.call("POST", "/articles", text.encode(), headers={"Content-Type": "text/markdown"})
    assert code == 422 and answer["problems"] == [{"field": "id", "reason": "missing"}]
    assert Inbox(api.config, files_for(api.config)).pending() == []
    code, answer, _ = api.call("POST", "/articles?name=../etc/x.md", text.encode())
    assert code == 422 and answer["problems"][0]["field"] == "name"


@pytest.mark.parametrize(
    ("token", "status"), [(None, 401), ("not-the-token", 403), ("", 401)], ids=["none", "wrong", "empty"]
)
def test_no_filing_without_a_valid_token(
    serve: Callable[..., Api], airflow: FakeAirflow, token: str | None, status: int
) -> None:
    api = serve()
    for method, path in (("POST", "/articles?name=a.md"), ("GET", "/articles/a"), ("POST", "/articles/a/restore")):
        code, answer, _ = api.call(method, path, _sample("benin-motos-godomey.md"), token=token)
        assert code == status, (path, answer)
    assert Inbox(api.config, files_for(api.config)).pending() == [] and airflow.runs == []


def test_make_run_s_local_all_admins_mode_needs_no_token(serve: Callable[..., Api]) -> None:
    api = serve(local=True)
    code, answer, _ = api.call(
        "POST", "/articles?name=benin-motos-godomey.md", _sample("benin-motos-godomey.md"), token=None
    )
    assert code == 202 and answer["by"] == "local admin"


def test_bodies_are_capped_and_callers_rate_limited(serve: Callable[..., Api]) -> None:
    api = serve({"max_request_bytes": 4096, "requests_per_minute": 3})
    code, answer, _ = api.call("POST", "/articles?name=big.md", b"x" * 5000)
    assert code == 413 and "at most 4096" in answer["error"]
    codes = [api.call("GET", "/articles/nothing-here")[0] for _ in range(4)]
    assert codes[:2] == [404, 404] and codes[-1] == 429  # the 413 took one of the three
    code, answer, headers = api.call("GET", "/articles/nothing-here")
    assert code == 429 and int(headers["Retry-After"]) >= 1 and "at most 3 a minute" in answer["error"]
    assert Inbox(api.config, files_for(api.config)).pending() == []


def test_superdesk_pushes_are_checked_against_their_signature(serve: Callable[..., Api], airflow: FakeAirflow) -> None:
    api = serve()
    data = _sample("centrafrique-touadera-bruxelles.json")
    signature = "sha1=" + hmac.new(SECRET.encode(), data, hashlib.sha1).hexdigest()
    for wrong in ("", "sha1=" + "0" * 40, signature.upper()):
        code, answer, _ = api.call("POST", "/superdesk", data, token=None, headers={"x-superdesk-signature": wrong})
        assert code == 403, answer
    assert Inbox(api.config, files_for(api.config)).pending() == []
    code, answer, _ = api.call("POST", "/superdesk", data, token=None, headers={"x-superdesk-signature": signature})
    assert code == 202 and answer["by"] == "superdesk", answer
    assert len(airflow.runs) == 1

    unset = serve({"superdesk_conn_id": None})
    code, answer, _ = unset.call("POST", "/superdesk", data, token=None, headers={"x-superdesk-signature": signature})
    assert code == 403 and "web.superdesk_conn_id" in answer["error"]


def test_takedown_and_restore_answer_for_unknown_and_incomplete_requests(serve: Callable[..., Api]) -> None:
    api = serve()
    assert api.call("POST", "/articles/nobody/takedown", b'{"reason": "legal"}')[0] == 404
    code, answer, _ = api.call("POST", "/articles/nobody/takedown", b"{}")
    assert code == 422 and answer["problems"] == [{"field": "reason", "reason": "missing"}]
    assert api.call("POST", "/articles/nobody/restore")[0] == 404
    api.call("POST", "/articles?name=benin-motos-godomey.md", _sample("benin-motos-godomey.md"))
    Inbox(api.config, files_for(api.config)).process(open_store(api.config))
    code, answer, _ = api.call("POST", "/articles/benin-motos-godomey/restore")
    assert code == 409 and "not taken down" in answer["error"]


def _newsroom(*args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSROOM_API_TOKEN": token}
    newsroom = Path(sys.executable).parent / "newsroom"
    return subprocess.run([str(newsroom), *args], env=env, capture_output=True, text=True, timeout=300)


def test_newsroom_file_to_a_url_files_through_the_api(serve: Callable[..., Api], airflow: FakeAirflow) -> None:
    api = serve()
    done = _newsroom("file", "--to", api.url, str(SAMPLES / "benin-motos-godomey.md"))
    assert done.returncode == 0, done.stderr
    assert "article benin-motos-godomey: filed, by cms-bot" in done.stdout
    assert [Inbox.original_name(p) for p in Inbox(api.config, files_for(api.config)).pending()] == [
        "benin-motos-godomey.md"
    ]
    assert len(airflow.runs) == 1

    done = _newsroom("file", "--to", api.url, str(SAMPLES / "broken-no-title.md"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "broken-no-title.md: will be quarantined: " in done.stderr and "title: missing or empty" in done.stderr

    done = _newsroom("file", "--to", api.url, str(SAMPLES / "benin-motos-godomey.md"), token="wrong")
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "HTTP 403" in done.stderr
