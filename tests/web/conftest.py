"""Fixtures of the filing API's tests: the app (newsroom.web) served by uvicorn on loopback, with
its connections (service token, Superdesk secret, preview secret) and a loopback Airflow."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from newsroom.config import NewsroomConfig
from newsroom.web.app import create_app
from tests.support.fakes.airflow import FakeAirflow
from tests.support.loopback import serving

SAMPLES = Path(__file__).resolve().parents[2] / "include" / "samples"
TOKEN = "cms-service-token-of-this-test"
SECRET = "superdesk-secret-of-this-test"
PREVIEW_SECRET = "preview-secret-of-this-test"


@pytest.fixture
def airflow() -> Iterator[FakeAirflow]:
    with serving(FakeAirflow()) as server:
        yield server


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWSROOM_CMS", json.dumps({"conn_type": "http", "login": "cms-bot", "password": TOKEN})
    )
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_SUPERDESK", json.dumps({"conn_type": "http", "password": SECRET}))
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_PREVIEW", json.dumps({"conn_type": "http", "password": PREVIEW_SECRET}))


class Api:
    def __init__(self, url: str, config: NewsroomConfig) -> None:
        self.url = url
        self.config = config

    def call(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        *,
        token: str | None = TOKEN,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any], Message]:
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read()), answer.headers
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read()), exc.headers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serve(
    make_config: Callable[..., NewsroomConfig], airflow: FakeAirflow, connections: None
) -> Iterator[Callable[..., Api]]:
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(web: dict[str, Any] | None = None, *, local: bool = False) -> Api:
        config = make_config(
            {
                "airflow": {"url": airflow.url, "wait_seconds": 5},
                "web": {"superdesk_conn_id": "newsroom_superdesk"} | (web or {}),
            }
        )
        port = _free_port()
        app = create_app(lambda: config, local_all_admins=lambda: local)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        servers.append((server, thread))
        return Api(f"http://127.0.0.1:{port}", config)

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)
