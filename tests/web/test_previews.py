"""Preview links (newsroom.preview_links, served by newsroom.web): a scheduled article's page for
whoever holds a signed, unexpired link to its current version; nothing without one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from newsroom.ingest import Inbox
from newsroom.preview_links import link, signature
from newsroom.resources import files_for, open_store
from tests.support.paths import CONFIG_FILE
from tests.web.conftest import PREVIEW_SECRET, SAMPLES, Api

LATER = datetime.now(UTC) + timedelta(days=3)


def _scheduled(api: Api, name: str = "benin-motos-godomey.md", extra: str = "") -> str:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    text = text.replace("---\n", f"---\npublish_at: {LATER.isoformat()}\n{extra}", 1)
    code, answer, _ = api.call("POST", f"/articles?name={name}", text.encode())
    assert code == 202, answer
    Inbox(api.config, files_for(api.config)).process(open_store(api.config))
    assert not open_store(api.config).articles.live_ids([answer["id"]], datetime.now(UTC))  # not public yet
    return str(answer["id"])


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, answer.read(), {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def test_a_signed_link_shows_the_scheduled_page_noindex_and_private(serve: Callable[..., Api]) -> None:
    api = serve()
    article_id = _scheduled(api)
    url = link(api.url, PREVIEW_SECRET, article_id, 1, int(time.time()) + 600)
    code, body, headers = _get(url)
    assert code == 200, body
    assert "voleurs de motos" in body.decode("utf-8")
    assert b'<meta name="robots" content="noindex, nofollow">' in body
    assert headers["x-robots-tag"] == "noindex, nofollow" and "no-store" in headers["cache-control"]


def test_no_page_without_a_good_signature(serve: Callable[..., Api]) -> None:
    api = serve()
    article_id = _scheduled(api)
    soon = int(time.time()) + 600
    good = signature(PREVIEW_SECRET, article_id, 1, soon)
    wrong = [
        f"/preview/{article_id}",  # nothing
        f"/preview/{article_id}?v=1&exp={soon}&sig={'0' * 64}",  # forged
        f"/preview/{article_id}?v=1&exp={soon + 3600}&sig={good}",  # expiry stretched
        f"/preview/{article_id}?v=2&exp={soon}&sig={good}",  # another version
        f"/preview/benin-enseignement-technique?v=1&exp={soon}&sig={good}",  # another article
        f"/preview/{article_id}?v=1&exp={soon}&sig={signature('another-secret', article_id, 1, soon)}",
    ]
    expired = int(time.time()) - 1
    wrong.append(f"/preview/{article_id}?v=1&exp={expired}&sig={signature(PREVIEW_SECRET, article_id, 1, expired)}")
    for path in wrong:
        code, body, _ = _get(api.url + path)
        assert code == 403 and b"motos" not in body, (path, body)


def test_a_link_to_an_older_version_stops_working(serve: Callable[..., Api]) -> None:
    api = serve()
    article_id = _scheduled(api)
    url = link(api.url, PREVIEW_SECRET, article_id, 1, int(time.time()) + 600)
    _scheduled(api, extra="updated: 2025-06-21T10:00:00+01:00\n")  # a correction: version 2
    code, body, _ = _get(url)
    assert code == 403 and b"version 2" in body


def test_previews_are_off_without_a_secret(serve: Callable[..., Api]) -> None:
    api = serve({"preview_conn_id": None})
    article_id = _scheduled(api)
    code, body, _ = _get(link(api.url, PREVIEW_SECRET, article_id, 1, int(time.time()) + 600))
    assert code == 403 and b"web.preview_conn_id" in body


def test_newsroom_preview_link_prints_a_working_link(serve: Callable[..., Api], tmp_path: Path) -> None:
    api = serve()
    article_id = _scheduled(api)
    config_file = tmp_path / "newsroom.yaml"
    data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    data["airflow"]["url"] = api.url.removesuffix("/")  # the link is <airflow.url>/newsroom/preview/...
    data["paths"] = {"state_dir": str(api.config.state_dir)}
    data["taxonomy"] = str(CONFIG_FILE.parent / "taxonomy.yaml")
    data["templates"] = str(CONFIG_FILE.parent / "templates")
    for listed in data["digest"]["lists"]:
        listed["subscribers"] = str(CONFIG_FILE.parent / listed["subscribers"])
    config_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    newsroom = Path(sys.executable).parent / "newsroom"
    done = subprocess.run(
        [str(newsroom), "preview", "--link", article_id, "--hours", "1"],
        env={**os.environ, "NEWSROOM_CONFIG": str(config_file)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url.startswith(f"{api.url}/newsroom/preview/{article_id}?v=1&exp=") and "works until" in done.stderr
    code, body, _ = _get(url.replace("/newsroom/", "/", 1))  # this app is served at the root, not under /newsroom
    assert code == 200 and "voleurs de motos" in body.decode("utf-8")
