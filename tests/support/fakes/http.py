"""The shared base of the platform fakes: a real HTTP server on loopback, faults, recorded requests.

Each platform's fake (``tests.support.fakes.<platform>``) subclasses
:class:`FakePlatform` and implements :meth:`FakePlatform.respond`.

What every fake serves, how faults queue up and what it records is described
once, in :mod:`tests.support.fakes`.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import struct
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

URL_RE = re.compile(r"https?://\S+")


@dataclass
class Seen:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def bearer(self) -> str | None:
        value = self.header("Authorization") or ""
        return value[7:] if value.startswith("Bearer ") else None


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds of silence before answering (the client gives up first)
    reset: bool = False  # instead of answering, reset the connection (RST): the post was made


def json_reply(status: int, obj: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        json.dumps(obj).encode("utf-8"),
        {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


@dataclass(frozen=True)
class Fault:
    mode: int | str  # an HTTP status, "hang" or "reset"
    retry_after: int = 3
    seconds: float = 2.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakePlatform

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (after a hang, a timeout) is normal here; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _dispatch(self) -> None:
        fake = self.server.fake
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            seen = Seen(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            with fake.lock:
                fake.requests.append(seen)
            try:
                reply = fake.respond(seen)
            except Exception as exc:  # a bug in the fake: say so loudly in the answer
                reply = json_reply(599, {"fake_error": f"{type(exc).__name__}: {exc}"})
            if reply.hang > 0:
                fake.stopping.wait(reply.hang)
            if reply.reset:  # no answer: SO_LINGER 0 makes close() send RST, the client reads a reset
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (ConnectionError, TimeoutError):
            pass  # the client gave up (the hang mode): exactly what a platform sees

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch


class FakePlatform:
    """A platform API on a loopback port; subclasses implement :meth:`respond`."""

    name: ClassVar[str] = "fake"

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []
        self.requests: list[Seen] = []
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self._faults: deque[Fault] = deque()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)

    # -- lifecycle --
    def start(self) -> Self:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases any hanging handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start the fake first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- programming --
    def fail_next(self, mode: int | str, *, retry_after: int = 3, seconds: float = 2.0, times: int = 1) -> None:
        """The next ``times`` post-creating requests answer ``mode``: a status, "hang" for ``seconds``, or
        "reset" (the post is made, then the connection reset instead of answered)."""
        if mode not in ("hang", "reset") and not isinstance(mode, int):
            mode = int(mode)
        with self.lock:
            self._faults.extend([Fault(mode, retry_after, seconds)] * times)

    def _take_fault(self) -> Fault | None:
        with self.lock:
            return self._faults.popleft() if self._faults else None

    def _faulted(self) -> tuple[Fault | None, Reply | None]:
        """(the fault for this post request, the error to answer now, if any)."""
        fault = self._take_fault()
        if fault is None or fault.mode in ("hang", "reset"):
            return fault, None
        assert isinstance(fault.mode, int)
        return fault, self.error_reply(fault.mode, retry_after=fault.retry_after)

    @staticmethod
    def _deliver(fault: Fault | None, reply: Reply) -> Reply:
        if fault is not None and fault.mode == "hang":
            reply.hang = fault.seconds
        if fault is not None and fault.mode == "reset":
            reply.reset = True
        return reply

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def reset(self) -> None:
        """Forget every post, request and fault (a fake shared by several tests starts each one afresh)."""
        with self.lock:
            self.posts.clear()
            self.deleted.clear()
            self.requests.clear()
            self._faults.clear()

    def accept(self, post: dict[str, Any]) -> None:
        with self.lock:
            self.posts.append(post)

    def remove(self, field: str, value: Any) -> dict[str, Any] | None:
        """Take the post whose ``field`` is ``value`` offline (into ``deleted``); None if there is none."""
        with self.lock:
            for post in self.posts:
                if post.get(field) == value:
                    self.posts.remove(post)
                    self.deleted.append(post)
                    return post
        return None

    # -- to implement --
    def respond(self, seen: Seen) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        return json_reply(status, {"error": f"HTTP {status}"}, {"Retry-After": str(retry_after)})


def now_iso() -> str:
    """Now in UTC as the platforms write it (ISO 8601, seconds, ``Z``)."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
