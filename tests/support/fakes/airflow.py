"""A loopback HTTP server that answers like Airflow's api-server for ``newsroom.airflow_api``: the simple
auth manager (all-admins, or users with passwords; tokens are JWTs with an ``exp``), DAG runs asked
for (a run id taken twice: 409), the inbox asset and its events, and the ways a loaded api-server
misbehaves (5xx, a stall, a cut connection, garbage, a proxy's HTML page).

Used by tests/test_airflow_api.py and tests/cli/test_file_airflow.py::

    with serving(FakeAirflow(users={"newsroom": "pw"})) as api:   # None: all-admins, as `make run`
        api.url
        api.failures["/api/v2/assets/events"] = [500, 503]   # answer these first, in order
        api.stall["/api/v2/assets/events"] = 3               # accept the next 3 and answer nothing
        api.broken["/api/v2/assets/events"] = ["close"]      # or "reset", "garbage", "html"
        api.events                                            # the asset events created
        api.runs                                              # the DAG runs asked for (POST dagRuns bodies)
        api.tokens_issued                                     # how many logins it answered
        api.revoke()                                          # tokens issued so far are refused (401)
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INBOX = "newsroom://inbox"


def jwt(generation: int = 0, lifetime: float = 86400) -> str:
    """An unsigned JWT with ``exp`` (the client only reads that claim); ``generation`` makes it distinct."""
    claims = base64.urlsafe_b64encode(json.dumps({"exp": int(time.time() + lifetime), "g": generation}).encode())
    return "eyJhbGciOiJIUzUxMiJ9." + claims.decode().rstrip("=") + ".c2lnbmF0dXJl"


TOKEN = jwt()


class FakeAirflow(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, users: dict[str, str] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.users = users  # None: all-admins mode (GET /auth/token hands out a token)
        self.failures: dict[str, list[int]] = {}  # path -> statuses to answer first, in order
        self.stall: dict[str, int] = {}  # path -> how many of its next requests get no answer at all
        self.broken: dict[str, list[str]] = {}  # path -> misbehaviours for its next requests, in order
        self.release = threading.Event()  # set at the end: stalled handlers return
        self.requests: list[tuple[str, str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.runs: list[dict[str, Any]] = []
        self.generation = 0  # revoke() moves it on: tokens of older generations are refused
        self.token_lifetime = 86400.0
        self.tokens_issued = 0
        self.lock = threading.Lock()

    def issue(self) -> str:
        with self.lock:
            self.tokens_issued += 1
            fresh = self.generation or self.token_lifetime != 86400
            return jwt(self.generation, self.token_lifetime) if fresh else TOKEN

    def valid(self, header: str | None) -> bool:
        """A bearer token of the current generation, not expired."""
        if not header or not header.startswith("Bearer "):
            return False
        try:
            payload = header[7:].split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError):
            return False
        return bool(claims.get("g") == self.generation and claims.get("exp", 0) > time.time())

    def revoke(self) -> None:
        """As if the api-server's JWT secret changed: every token issued so far is refused."""
        with self.lock:
            self.generation += 1

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def server_close(self) -> None:
        self.release.set()
        super().server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that gave up on a stalled answer


class _Handler(BaseHTTPRequestHandler):
    server: FakeAirflow

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _misbehave(self, path: str) -> bool:
        server = self.server
        with server.lock:
            stalled = server.stall.get(path, 0)
            if stalled:
                server.stall[path] = stalled - 1
            broken = server.broken.get(path) or []
            mode = broken.pop(0) if broken and not stalled else None
            failures = server.failures.get(path) or []
            status = failures.pop(0) if failures and not stalled and mode is None else None
        if stalled:  # accepted, read, and never answered: the client times out
            server.release.wait(60)
            return True
        if mode == "close":
            self.close_connection = True
        elif mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif mode == "garbage":
            self.wfile.write(b"HELLO THERE\r\n\r\n")
        elif mode == "html":
            self._answer(200, b"<html><body>Bad gateway, try later</body></html>", "text/html")
        elif status is not None:
            self._answer(status, {"detail": {"reason": "database is locked"}})
        return mode is not None or status is not None

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.requests.append((method, path, body))
        if self._misbehave(path):
            return
        users = self.server.users
        if path == "/auth/token" and method == "GET":
            if users is None:
                self._answer(201, {"access_token": self.server.issue()})
            else:
                self._answer(403, {"detail": "This method is only allowed if simple_auth_manager_all_admins is True"})
        elif path == "/auth/token" and method == "POST":
            assert isinstance(body, dict)
            if users is not None and users.get(body.get("username", "")) == body.get("password"):
                self._answer(201, {"access_token": self.server.issue()})
            else:
                self._answer(401, {"detail": "Invalid credentials"})
        elif not self.server.valid(self.headers["Authorization"]):
            self._answer(401, {"detail": "Not authenticated"})
        elif path.startswith("/api/v2/dags/") and path.endswith("/dagRuns") and method == "POST":
            assert isinstance(body, dict)
            dag_id = path.split("/")[4]
            with self.server.lock:
                run_id = body.get("dag_run_id") or f"manual__{len(self.server.runs) + 1}"
                taken = any(r["dag_run_id"] == run_id for r in self.server.runs)
                run = {**body, "dag_id": dag_id, "dag_run_id": run_id, "state": "queued"}
                if not taken:
                    self.server.runs.append(run)
            if taken:
                self._answer(409, {"detail": f"DAGRun with dag_id: '{dag_id}' and run_id: '{run_id}' already exists"})
            else:
                self._answer(200, run)
        elif path == "/api/v2/assets":
            self._answer(200, {"assets": [{"id": 7, "uri": INBOX}], "total_entries": 1})
        elif path == "/api/v2/assets/events" and method == "POST":
            assert isinstance(body, dict)
            with self.server.lock:
                event = {"id": len(self.server.events) + 1, "asset_id": body["asset_id"], "extra": body["extra"]}
                self.server.events.append(event)
            self._answer(200, event)
        elif path == "/api/v2/backfills" and method == "POST":
            assert isinstance(body, dict)
            self._answer(200, {"id": 1, **body})
        elif path == "/api/v2/monitor/health":
            self._answer(200, {"metadatabase": {"status": "healthy"}})
        else:
            self._answer(404, {"detail": "Not Found"})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")
