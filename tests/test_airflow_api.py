"""The REST client ``newsroom file`` uses, against a real HTTP server on loopback that answers
like Airflow's api-server, including the moment its database is busy (HTTP 500)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from newsroom.airflow_api import AirflowApi, AirflowApiError
from tests.support.loopback import serving

INBOX = "file:///inbox/"


class _ApiServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures: dict[str, list[int]] = {}  # path -> statuses to answer first, in order
        self.requests: list[tuple[str, str, Any]] = []
        self.events: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _ApiServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        path = self.path.split("?")[0]
        self.server.requests.append((method, path, body))
        pending = self.server.failures.get(path)
        if pending:
            status = pending.pop(0)
            self._answer(status, {"detail": {"reason": "database is locked"}})
            return
        if path == "/auth/token":
            self._answer(201, {"access_token": "token"})
        elif path == "/api/v2/assets":
            self._answer(200, {"assets": [{"id": 7, "uri": INBOX}], "total_entries": 1})
        elif self.headers["Authorization"] != "Bearer token":
            self._answer(401, {"detail": "Not authenticated"})
        elif path == "/api/v2/assets/events" and method == "POST":
            assert body is not None
            event = {"id": len(self.server.events) + 1, "asset_id": body["asset_id"], "extra": body["extra"]}
            self.server.events.append(event)
            self._answer(200, event)
        else:
            self._answer(404, {"detail": "Not Found"})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


@pytest.fixture
def api_server() -> Iterator[_ApiServer]:
    with serving(_ApiServer()) as server:
        yield server


def _api(server: _ApiServer, attempts: int = 4) -> AirflowApi:
    return AirflowApi(server.url, token="token", timeout=5, attempts=attempts, backoff=0.01)


def test_asset_event_retried_when_the_api_server_is_busy(api_server: _ApiServer) -> None:
    api_server.failures["/api/v2/assets/events"] = [500, 503]
    event = _api(api_server).create_asset_event(INBOX, {"files": ["a.md"]})
    assert event["extra"] == {"files": ["a.md"]}
    assert [e["extra"] for e in api_server.events] == [{"files": ["a.md"]}]
    posts = [r for r in api_server.requests if r[0] == "POST"]
    assert len(posts) == 3  # two refusals, then the event


def test_gives_up_after_its_attempts_with_the_server_s_answer(api_server: _ApiServer) -> None:
    api_server.failures["/api/v2/assets/events"] = [500] * 10
    with pytest.raises(AirflowApiError, match=r"HTTP 500.*database is locked.*after 3 attempts"):
        _api(api_server, attempts=3).create_asset_event(INBOX, {"files": ["a.md"]})
    assert api_server.events == []
    assert sum(1 for r in api_server.requests if r[0] == "POST") == 3


def test_client_errors_are_not_retried(api_server: _ApiServer) -> None:
    with pytest.raises(AirflowApiError, match="HTTP 404"):
        _api(api_server)._request("GET", "/api/v2/nowhere")
    assert len(api_server.requests) == 1


def test_no_answer_is_reported_after_retrying() -> None:
    server = _ApiServer()
    url = server.url
    server.server_close()  # nothing listens there any more
    api = AirflowApi(url, token="token", timeout=2, attempts=2, backoff=0.01)
    with pytest.raises(AirflowApiError, match=r"did not answer.*after 2 attempts"):
        api.health()
