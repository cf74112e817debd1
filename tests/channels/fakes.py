"""Real HTTP servers on loopback that speak each platform's API, for the channel tests.

Each fake is a stdlib ``ThreadingHTTPServer`` on ``127.0.0.1`` (a free port)
serving the endpoints the adapters call, with the platform's real success and
error bodies; it checks the credentials and the required fields (answering
401/400/422 as the platform does) and records what it accepted::

    with FakeMastodon() as fake:             # started on enter, stopped on exit
        fake.url                             # http://127.0.0.1:PORT
        fake.fail_next(429, retry_after=7)   # the next post answers 429 (the platform's own shape)
        fake.fail_next(500)                  # ... or 500 (any status: 401, 503...)
        fake.fail_next("hang", seconds=2)    # ... or accept the post, then answer nothing for 2 s
        fake.posts                           # every accepted post still online (dicts), oldest first
        fake.deleted                         # the posts deleted through the platform's delete call
        fake.requests                        # every request received (Seen), for shape checks

Faults queue up and apply, in order, to the requests that create posts (the
feed/tweet/sendMessage/statuses/createRecord/webhook POST), after the
credentials were checked; reads, logins and deletions are never faulted. A "hang" records
the post *before* going silent: a timeout after the platform received the
post is exactly the dangerous case the adapters must report as uncertain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import itertools
import json
import re
import struct
import sys
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

TID_RE = re.compile(r"^[234567a-j][234567a-z]{12}$")
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
URL_RE = re.compile(r"https?://\S+")


# -- plumbing -------------------------------------------------------------------
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


def json_reply(status: int, obj: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        json.dumps(obj).encode("utf-8"),
        {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


@dataclass(frozen=True)
class Fault:
    mode: int | str  # an HTTP status, or "hang"
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
        """The next ``times`` post-creating requests answer ``mode`` (a status, or "hang" for ``seconds``)."""
        if mode != "hang" and not isinstance(mode, int):
            mode = int(mode)
        with self.lock:
            self._faults.extend([Fault(mode, retry_after, seconds)] * times)

    def _take_fault(self) -> Fault | None:
        with self.lock:
            return self._faults.popleft() if self._faults else None

    def _faulted(self) -> tuple[Fault | None, Reply | None]:
        """(the fault for this post request, the error to answer now, if any)."""
        fault = self._take_fault()
        if fault is None or fault.mode == "hang":
            return fault, None
        assert isinstance(fault.mode, int)
        return fault, self.error_reply(fault.mode, retry_after=fault.retry_after)

    @staticmethod
    def _deliver(fault: Fault | None, reply: Reply) -> Reply:
        if fault is not None and fault.mode == "hang":
            reply.hang = fault.seconds
        return reply

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

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


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    """A small valid PNG (for the Bluesky thumbnail)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# -- Facebook Graph API ------------------------------------------------------------
class FakeFacebook(FakePlatform):
    """``POST /{version}/{page_id}/feed`` (form) and ``GET`` the same path; Graph error bodies.

    Rate limiting is the Graph's own: HTTP 400 with error code 32 ("Page request
    limit reached") and the wait, in minutes, in ``X-Business-Use-Case-Usage``.
    A repeat of the same message and link is refused with code 506.
    """

    name = "facebook"
    FEED = re.compile(r"^/(v\d+\.\d+)/([^/]+)/feed$")
    OBJECT = re.compile(r"^/(v\d+\.\d+)/(\d+_\d+)$")

    def __init__(self, page_id: str = "104857600000001", token: str = "EAAB-page-token-0123456789") -> None:
        super().__init__()
        self.page_id = page_id
        self.token = token

    def graph_error(self, status: int, code: int, message: str, **more: Any) -> Reply:
        trace = base64.b64encode(hashlib.sha1(message.encode()).digest()[:9]).decode()
        return json_reply(
            status, {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": trace, **more}}
        )

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            reply = self.graph_error(400, 32, "(#32) Page request limit reached")
            usage = {
                self.page_id: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 12,
                        "total_time": 14,
                        "estimated_time_to_regain_access": -(-retry_after // 60),
                    }
                ]
            }
            reply.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
            return reply
        if status >= 500:
            return self.graph_error(
                status, 2, "An unexpected error has occurred. Please retry your request later.", is_transient=True
            )
        if status == 401:
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return self.graph_error(status, 100, "(#100) Invalid parameter")

    def respond(self, seen: Seen) -> Reply:
        if seen.method == "DELETE" and (found := self.OBJECT.match(seen.path)):
            return self._delete(seen, found.group(2))
        match = self.FEED.match(seen.path)
        if match is None:
            return self.graph_error(400, 2500, "Unknown path components: " + seen.path)
        params = seen.form() if seen.method == "POST" else {k: v[0] for k, v in seen.query.items()}
        token = params.get("access_token") or seen.param("access_token")
        if token != self.token:
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if match.group(2) != self.page_id:
            return self.graph_error(
                400, 100, f"(#100) Unsupported request: object with ID '{match.group(2)}' does not exist"
            )
        if seen.method == "GET":
            return self._feed(seen)
        if seen.method != "POST":
            return self.graph_error(400, 100, "(#100) Unsupported method")
        message, link = params.get("message", ""), params.get("link", "")
        if not message and not link:
            return self.graph_error(400, 100, "(#100) Missing message or attachment")
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if any(p["message"] == message and p["link"] == link for p in self.posts):
                return self.graph_error(400, 506, "(#506) Duplicate status message")
            post_id = f"{self.page_id}_{9_000_000_000 + self.next_id()}"
            self.accept({"id": post_id, "message": message, "link": link, "created_time": _now_iso()})
        return self._deliver(fault, json_reply(200, {"id": post_id}))

    def _delete(self, seen: Seen, post_id: str) -> Reply:
        """``DELETE /{post-id}``: ``{"success": true}``; an unknown id is Graph error 100, subcode 33."""
        if seen.param("access_token") != self.token:
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if self.remove("id", post_id) is None:
            return self.graph_error(
                400,
                100,
                f"Unsupported delete request. Object with ID '{post_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                error_subcode=33,
            )
        return json_reply(200, {"success": True})

    def _feed(self, seen: Seen) -> Reply:
        fields = (seen.param("fields") or "id,message").split(",")
        limit = int(seen.param("limit") or 25)
        with self.lock:
            newest_first = list(reversed(self.posts))[:limit]
        data = [{k: v for k, v in post.items() if k in fields} for post in newest_first]
        paging = {"cursors": {"before": "QVFIUmJ", "after": "QVFIUkx"}} if data else {}
        return json_reply(200, {"data": data, "paging": paging})


# -- X API v2 ------------------------------------------------------------------------
class FakeX(FakePlatform):
    """``POST /2/tweets`` (JSON, Bearer user token) and ``GET /2/users/{id}/tweets``.

    Links in a stored tweet are shortened to ``https://t.co/...`` as X does, the
    original kept in ``entities.urls[].expanded_url``. An identical text is
    refused with 403 "duplicate content"; a 429 carries ``x-rate-limit-reset``.
    """

    name = "x"

    def __init__(self, token: str = "x-user-token-0123456789", user_id: str = "42", username: str = "echo") -> None:
        super().__init__()
        self.token = token
        self.user_id = user_id
        self.username = username

    @staticmethod
    def problem(status: int, title: str, detail: str, kind: str = "about:blank", **more: Any) -> Reply:
        return json_reply(status, {"title": title, "detail": detail, "type": kind, "status": status, **more})

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            reply = self.problem(429, "Too Many Requests", "Too Many Requests")
            reply.headers.update(
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(int(time.time()) + retry_after),
                }
            )
            return reply
        if status == 401:
            return self.problem(401, "Unauthorized", "Unauthorized")
        if status >= 500:
            return self.problem(status, "Service Unavailable", "Service Unavailable")
        return self.problem(status, "Forbidden", "Forbidden")

    def respond(self, seen: Seen) -> Reply:
        if seen.bearer() != self.token:
            return self.problem(401, "Unauthorized", "Unauthorized")
        if seen.method == "POST" and seen.path == "/2/tweets":
            return self._create(seen)
        tweet = re.fullmatch(r"/2/tweets/(\d+)", seen.path)
        if seen.method == "DELETE" and tweet:
            if self.remove("id", tweet.group(1)) is None:
                return json_reply(
                    404,
                    {
                        "errors": [
                            {
                                "value": tweet.group(1),
                                "detail": f"Could not find tweet with id: [{tweet.group(1)}].",
                                "title": "Not Found Error",
                                "resource_type": "tweet",
                                "parameter": "id",
                                "resource_id": tweet.group(1),
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                            }
                        ],
                        "title": "Not Found Error",
                        "detail": f"Could not find tweet with id: [{tweet.group(1)}].",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    },
                )
            return json_reply(200, {"data": {"deleted": True}})
        timeline = re.fullmatch(r"/2/users/([^/]+)/tweets", seen.path)
        if seen.method == "GET" and timeline:
            return self._timeline(seen, timeline.group(1))
        return self.problem(404, "Not Found Error", f"no route {seen.method} {seen.path}")

    def _create(self, seen: Seen) -> Reply:
        try:
            body = seen.json()
        except ValueError:
            body = None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return json_reply(
                400,
                {
                    "errors": [{"parameters": {"text": [text]}, "message": "text must be a non-empty string"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if any(p["original_text"] == text for p in self.posts):
                return self.problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
            tweet_id = str(1_800_000_000_000_000_000 + self.next_id())
            stored, urls = _shorten(text)
            tweet = {"id": tweet_id, "text": stored, "edit_history_tweet_ids": [tweet_id]}
            self.accept({**tweet, "original_text": text, "entities": {"urls": urls}, "created_at": _now_iso()})
        return self._deliver(fault, json_reply(201, {"data": tweet}))

    def _timeline(self, seen: Seen, user_id: str) -> Reply:
        if user_id != self.user_id:
            return json_reply(
                200,
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Could not find user with id: [{user_id}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        wanted = int(seen.param("max_results") or 10)
        if not 5 <= wanted <= 100:
            return json_reply(
                400,
                {
                    "errors": [{"parameters": {"max_results": [str(wanted)]}, "message": "must be between 5 and 100"}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        fields = set((seen.param("tweet.fields") or "").split(","))
        with self.lock:
            newest_first = list(reversed(self.posts))[:wanted]
        data = []
        for post in newest_first:
            tweet = {k: post[k] for k in ("id", "text", "edit_history_tweet_ids")}
            tweet.update({k: post[k] for k in ("entities", "created_at") if k in fields})
            data.append(tweet)
        if not data:
            return json_reply(200, {"meta": {"result_count": 0}})
        meta = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        return json_reply(200, {"data": data, "meta": meta})


def _shorten(text: str) -> tuple[str, list[dict[str, Any]]]:
    """X's t.co wrapping: each URL replaced, the original kept in the entities."""
    urls: list[dict[str, Any]] = []
    out, last = [], 0
    for match in URL_RE.finditer(text):
        short = "https://t.co/" + hashlib.sha1(match.group().encode()).hexdigest()[:10]
        out.append(text[last : match.start()])
        start = sum(len(s) for s in out)
        out.append(short)
        urls.append(
            {
                "start": start,
                "end": start + len(short),
                "url": short,
                "expanded_url": match.group(),
                "display_url": match.group().split("://", 1)[1][:26],
            }
        )
        last = match.end()
    out.append(text[last:])
    return "".join(out), urls


# -- Telegram Bot API ---------------------------------------------------------------
class FakeTelegram(FakePlatform):
    """``POST /bot<token>/sendMessage``: ``{"ok": true, "result": Message}`` or ``{"ok": false, ...}``.

    The HTML parse mode is checked as Telegram does (an unknown tag or a bare
    ``&`` is "can't parse entities"); a 429 carries ``parameters.retry_after``.
    ``deleteMessage`` deletes a message younger than 48 hours (:meth:`age` makes
    the stored ones older); an older one is refused with 400 "message can't be deleted".
    """

    MAX_DELETE_AGE = 48 * 3600

    name = "telegram"
    TAGS = frozenset("b strong i em u ins s strike del a code pre span tg-spoiler tg-emoji blockquote".split())

    def __init__(
        self,
        token: str = "123456789:AAH-test-bot-token-0123456789",
        chat_id: str = "@echodugolfe",
        numeric_chat_id: int = -1001234567890,
    ) -> None:
        super().__init__()
        self.token = token
        self.chat_id = chat_id
        self.numeric_chat_id = numeric_chat_id

    @staticmethod
    def failure(status: int, description: str, **parameters: Any) -> Reply:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return json_reply(status, body)

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            return self.failure(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        if status == 401:
            return self.failure(401, "Unauthorized")
        if status >= 500:
            return self.failure(status, "Internal Server Error")
        return self.failure(status, "Bad Request: chat not found")

    def _html_problem(self, text: str) -> str | None:
        for match in re.finditer(r"<(/?)([a-zA-Z][\w-]*)?", text):
            tag = (match.group(2) or "").lower()
            if tag not in self.TAGS:
                offset = len(text[: match.start()].encode("utf-8"))
                return f'Unsupported start tag "{tag}" at byte offset {offset}'
        for match in re.finditer(r"&", text):
            rest = text[match.start() :]
            if not re.match(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", rest):
                offset = len(text[: match.start()].encode("utf-8"))
                return f"Can't find end of the entity starting at byte offset {offset}"
        return None

    def respond(self, seen: Seen) -> Reply:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", seen.path)
        if match is None:
            return self.failure(404, "Not Found")
        if match.group(1) != self.token:
            return self.failure(401, "Unauthorized")
        if match.group(2) == "deleteMessage" and seen.method == "POST":
            return self._delete(seen)
        if match.group(2) != "sendMessage" or seen.method != "POST":
            return self.failure(404, "Not Found")
        try:
            body = seen.json() if "json" in (seen.header("Content-Type") or "") else seen.form()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self.failure(400, "Bad Request: message text is empty")
        if str(body.get("chat_id")) not in (self.chat_id, str(self.numeric_chat_id)):
            return self.failure(400, "Bad Request: chat not found")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return self.failure(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return self.failure(400, "Bad Request: message is too long")
        if body.get("parse_mode") == "HTML" and (problem := self._html_problem(text)):
            return self.failure(400, f"Bad Request: can't parse entities: {problem}")
        preview = body.get("link_preview_options")
        if preview is not None and not isinstance(preview, dict):
            return self.failure(400, "Bad Request: can't parse link preview options JSON object")
        fault, error = self._faulted()
        if error is not None:
            return error
        message_id = self.next_id() + 100
        plain = html.unescape(re.sub(r"</?[a-zA-Z][^>]*>", "", text)) if body.get("parse_mode") == "HTML" else text
        chat = {"id": self.numeric_chat_id, "title": "L'Écho du Golfe", "username": "echodugolfe", "type": "channel"}
        result: dict[str, Any] = {
            "message_id": message_id,
            "sender_chat": chat,
            "chat": chat,
            "date": int(time.time()),
            "text": plain,
        }
        if isinstance(preview, dict):
            result["link_preview_options"] = preview
        self.accept(
            {
                "message_id": message_id,
                "text": text,
                "parse_mode": body.get("parse_mode"),
                "preview": preview,
                "date": result["date"],
            }
        )
        return self._deliver(fault, json_reply(200, {"ok": True, "result": result}))

    def age(self, hours: float) -> None:
        """Make every stored message ``hours`` older."""
        with self.lock:
            for post in self.posts:
                post["date"] -= int(hours * 3600)

    def _delete(self, seen: Seen) -> Reply:
        try:
            body = seen.json() if "json" in (seen.header("Content-Type") or "") else seen.form()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "message_id" not in body:
            return self.failure(400, "Bad Request: message identifier is not specified")
        if str(body.get("chat_id")) not in (self.chat_id, str(self.numeric_chat_id)):
            return self.failure(400, "Bad Request: chat not found")
        try:
            message_id = int(body["message_id"])
        except (TypeError, ValueError):
            return self.failure(400, "Bad Request: message identifier is not specified")
        with self.lock:
            found = next((p for p in self.posts if p["message_id"] == message_id), None)
            if found is None:
                return self.failure(400, "Bad Request: message to delete not found")
            if time.time() - found["date"] > self.MAX_DELETE_AGE:
                return self.failure(400, "Bad Request: message can't be deleted for everyone")
            self.remove("message_id", message_id)
        return json_reply(200, {"ok": True, "result": True})


# -- Mastodon -----------------------------------------------------------------------
class FakeMastodon(FakePlatform):
    """``POST /api/v1/statuses`` with ``Idempotency-Key``: the same key gives back the same status.

    Text over 500 characters (each URL counting 23) is a 422; a 429 carries
    ``X-RateLimit-Reset`` as an ISO 8601 instant, as Mastodon does.
    """

    name = "mastodon"

    def __init__(self, token: str = "mastodon-token-0123456789", account: str = "echodugolfe") -> None:
        super().__init__()
        self.token = token
        self.account = account
        self.by_key: dict[str, dict[str, Any]] = {}

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            reset = (datetime.now(UTC) + timedelta(seconds=retry_after)).isoformat(timespec="microseconds")
            return json_reply(
                429,
                {"error": "Too many requests"},
                {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            )
        if status == 401:
            return json_reply(401, {"error": "The access token is invalid"})
        if status >= 500:
            return json_reply(status, {"error": "We're sorry, but something went wrong on our end."})
        return json_reply(status, {"error": "Validation failed"})

    def respond(self, seen: Seen) -> Reply:
        status_path = re.fullmatch(r"/api/v1/statuses/(\d+)", seen.path)
        if seen.method == "DELETE" and status_path:
            if seen.bearer() != self.token:
                return json_reply(401, {"error": "The access token is invalid"})
            removed = self.remove("id", status_path.group(1))
            if removed is None:
                return json_reply(404, {"error": "Record not found"})
            # Mastodon answers with the deleted status, its source text included (for "delete & redraft")
            return json_reply(200, {k: v for k, v in removed.items() if k != "idempotency_key"})
        if seen.path != "/api/v1/statuses" or seen.method != "POST":
            return json_reply(404, {"error": "Record not found"})
        if seen.bearer() != self.token:
            return json_reply(401, {"error": "The access token is invalid"})
        try:
            body = seen.json() if "json" in (seen.header("Content-Type") or "") else seen.form()
        except ValueError:
            return json_reply(400, {"error": "Error while parsing request"})
        body = body if isinstance(body, dict) else {}
        text = str(body.get("status") or "")
        if not text.strip():
            return json_reply(422, {"error": "Validation failed: Text can't be blank"})
        if len(URL_RE.sub("x" * 23, text)) > 500:
            return json_reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        visibility = str(body.get("visibility") or "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return json_reply(422, {"error": "Validation failed: Visibility is not included in the list"})
        key = seen.header("Idempotency-Key")
        with self.lock:
            if key and f"{self.token}:{key}" in self.by_key:
                return json_reply(200, self.by_key[f"{self.token}:{key}"])
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if key and f"{self.token}:{key}" in self.by_key:  # a concurrent twin got in first
                return json_reply(200, self.by_key[f"{self.token}:{key}"])
            status_id = str(113_000_000_000_000_000 + self.next_id())
            status: dict[str, Any] = {
                "id": status_id,
                "created_at": _now_iso(),
                "in_reply_to_id": None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": visibility,
                "language": body.get("language"),
                "uri": f"{self.url}/users/{self.account}/statuses/{status_id}",
                "url": f"{self.url}/@{self.account}/{status_id}",
                "content": f"<p>{html.escape(text)}</p>",
                "account": {"id": "1", "username": self.account, "acct": self.account},
                "media_attachments": [],
                "card": None,
            }
            if key:
                self.by_key[f"{self.token}:{key}"] = status
            self.accept({**status, "text": text, "idempotency_key": key})
        return self._deliver(fault, json_reply(200, status))


# -- Bluesky (AT Protocol XRPC on a PDS) ---------------------------------------------
def _cid(data: bytes, prefix: str = "bafyrei") -> str:
    return prefix + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii").lower().rstrip("=")[:52]


def _tid_now() -> str:
    value = (time.time_ns() // 1000) << 10
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


class FakeBluesky(FakePlatform):
    """A PDS: createSession, uploadBlob, createRecord, getRecord, deleteRecord, and ``GET /media/thumb.png``.

    Sessions expire on demand (:meth:`expire_sessions`: the next call answers
    400 ExpiredToken). A ``createRecord`` on a record key already taken answers
    ``collision`` (``"exists"``: 400 InvalidRequest "Record already exists";
    ``"500"``: the 500 InternalServerError older PDS versions give). Posts are
    validated like the lexicon: TID record key, text length, facet byte ranges,
    a thumb that was uploaded, at most 1,000,000 bytes. ``deleteRecord`` of a
    record that does not exist is a no-op success, as on the reference PDS.
    """

    name = "bluesky"

    def __init__(
        self,
        handle: str = "echodugolfe.bsky.social",
        password: str = "app-pass-abcd-efgh",
        did: str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    ) -> None:
        super().__init__()
        self.handle = handle
        self.password = password
        self.did = did
        self.sessions_created = 0
        self.collision = "exists"
        self.records: dict[str, dict[str, Any]] = {}  # rkey -> {"uri", "cid", "value"}
        self.blobs: dict[str, tuple[str, bytes]] = {}  # cid -> (mime, bytes)
        self._tokens: dict[str, bool] = {}  # access token -> still valid
        self.image = png_bytes()

    @property
    def image_url(self) -> str:
        return f"{self.url}/media/thumb.png"

    def expire_sessions(self) -> None:
        with self.lock:
            self._tokens = dict.fromkeys(self._tokens, False)

    @staticmethod
    def xrpc_error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Reply:
        return json_reply(status, {"error": error, "message": message}, headers)

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        if status == 429:
            return self.xrpc_error(
                429,
                "RateLimitExceeded",
                "Rate Limit Exceeded",
                {
                    "RateLimit-Limit": "5000",
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(int(time.time()) + retry_after),
                    "RateLimit-Policy": "5000;w=3600",
                },
            )
        if status == 401:
            return self.xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        if status >= 500:
            return self.xrpc_error(status, "InternalServerError", "Internal Server Error")
        return self.xrpc_error(status, "InvalidRequest", "Invalid request")

    def respond(self, seen: Seen) -> Reply:
        if seen.path.startswith("/media/"):
            if seen.path == "/media/thumb.png":
                return Reply(200, self.image, {"Content-Type": "image/png"})
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if not seen.path.startswith("/xrpc/"):
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        nsid = seen.path[len("/xrpc/") :]
        if nsid == "com.atproto.server.createSession" and seen.method == "POST":
            return self._create_session(seen)
        if nsid == "com.atproto.repo.getRecord" and seen.method == "GET":
            return self._get_record(seen)
        writes = ("com.atproto.repo.uploadBlob", "com.atproto.repo.createRecord", "com.atproto.repo.deleteRecord")
        if nsid not in writes or seen.method != "POST":
            return self.xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")
        token = seen.bearer()
        with self.lock:
            valid = self._tokens.get(token or "")
        if token is None:
            return self.xrpc_error(401, "AuthMissing", "Authentication Required")
        if valid is None:
            return self.xrpc_error(401, "InvalidToken", "Token could not be verified")
        if valid is False:
            return self.xrpc_error(400, "ExpiredToken", "Token has expired")
        if nsid == "com.atproto.repo.uploadBlob":
            return self._upload_blob(seen)
        if nsid == "com.atproto.repo.deleteRecord":
            return self._delete_record(seen)
        return self._create_record(seen)

    def _create_session(self, seen: Seen) -> Reply:
        body = seen.json() or {}
        if body.get("identifier") not in (self.handle, self.did) or body.get("password") != self.password:
            return self.xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.lock:
            self.sessions_created += 1
            access = f"access-{self.sessions_created}-" + hashlib.sha1(str(time.time_ns()).encode()).hexdigest()
            self._tokens[access] = True
        return json_reply(
            200,
            {
                "did": self.did,
                "handle": self.handle,
                "accessJwt": access,
                "refreshJwt": "refresh-" + access,
                "active": True,
            },
        )

    def _upload_blob(self, seen: Seen) -> Reply:
        mime = (seen.header("Content-Type") or "").split(";")[0].strip()
        if not seen.body:
            return self.xrpc_error(400, "InvalidRequest", "request body is empty")
        cid = _cid(seen.body, "bafkrei")
        with self.lock:
            self.blobs[cid] = (mime, seen.body)
        return json_reply(
            200, {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(seen.body)}}
        )

    def _invalid_post(self, record: Any) -> str | None:
        if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
            return "Invalid $type: expected app.bsky.feed.post"
        text = record.get("text")
        if not isinstance(text, str):
            return "Record/text must be a string"
        if len(text) > 300 or len(text.encode("utf-8")) > 3000:
            return "Record/text must not be longer than 300 graphemes"
        try:
            datetime.fromisoformat(str(record.get("createdAt")).replace("Z", "+00:00"))
        except ValueError:
            return "Record/createdAt must be an valid atproto datetime"
        size = len(text.encode("utf-8"))
        for facet in record.get("facets") or []:
            index = facet.get("index", {})
            if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= size:
                return "Record/facets/index is out of the text's byte range"
        embed = record.get("embed")
        if embed is not None:
            external = embed.get("external") if embed.get("$type") == "app.bsky.embed.external" else None
            if not isinstance(external, dict) or not all(
                isinstance(external.get(k), str) for k in ("uri", "title", "description")
            ):
                return "Record/embed/external must have uri, title and description"
            thumb = external.get("thumb")
            if thumb is not None:
                link = thumb.get("ref", {}).get("$link")
                with self.lock:
                    blob = self.blobs.get(link)
                if blob is None:
                    return f"Could not find blob: {link}"
                if len(blob[1]) > 1_000_000 or not blob[0].startswith("image/"):
                    return "Record/embed/external/thumb: blob too big or not an image"
        return None

    def _create_record(self, seen: Seen) -> Reply:
        body = seen.json() or {}
        if body.get("repo") not in (self.did, self.handle):
            return self.xrpc_error(400, "InvalidRequest", f"Could not find repo: {body.get('repo')}")
        if body.get("collection") != "app.bsky.feed.post":
            return self.xrpc_error(400, "InvalidRequest", "this fake only stores app.bsky.feed.post")
        rkey = body.get("rkey") or _tid_now()
        if not isinstance(rkey, str) or not TID_RE.match(rkey):
            return self.xrpc_error(400, "InvalidRequest", f"Invalid record key for app.bsky.feed.post: {rkey!r}")
        if problem := self._invalid_post(body.get("record")):
            return self.xrpc_error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        fault, error = self._faulted()
        if error is not None:
            return error
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        with self.lock:
            if rkey in self.records:
                if self.collision == "500":
                    return self.xrpc_error(500, "InternalServerError", "Internal Server Error")
                return self.xrpc_error(400, "InvalidRequest", f"Record already exists: {uri}")
            record = body["record"]
            cid = _cid(json.dumps(record, sort_keys=True).encode("utf-8"))
            self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
            self.accept({"uri": uri, "cid": cid, "rkey": rkey, "record": record})
        answer = {"uri": uri, "cid": cid, "commit": {"cid": _cid(uri.encode()), "rev": _tid_now()}}
        return self._deliver(fault, json_reply(200, {**answer, "validationStatus": "valid"}))

    def _delete_record(self, seen: Seen) -> Reply:
        body = seen.json() or {}
        if body.get("repo") not in (self.did, self.handle):
            return self.xrpc_error(400, "InvalidRequest", f"Could not find repo: {body.get('repo')}")
        rkey = body.get("rkey")
        if not isinstance(rkey, str) or not rkey or not isinstance(body.get("collection"), str):
            return self.xrpc_error(400, "InvalidRequest", "Input must have the properties repo, collection, rkey")
        with self.lock:
            existed = body["collection"] == "app.bsky.feed.post" and self.records.pop(rkey, None) is not None
            if existed:
                self.remove("rkey", rkey)
        if not existed:
            return json_reply(200, {})  # the reference PDS: deleting a missing record is a no-op
        return json_reply(200, {"commit": {"cid": _cid(f"delete {rkey}".encode()), "rev": _tid_now()}})

    def _get_record(self, seen: Seen) -> Reply:
        repo, collection, rkey = seen.param("repo"), seen.param("collection"), seen.param("rkey")
        if not repo or not collection or not rkey:
            return self.xrpc_error(
                400, "InvalidRequest", "Error: Params must have the properties repo, collection, rkey"
            )
        if repo not in (self.did, self.handle):
            return self.xrpc_error(400, "InvalidRequest", f"Could not find repo: {repo}")
        with self.lock:
            found = self.records.get(rkey) if collection == "app.bsky.feed.post" else None
        if found is None:
            return self.xrpc_error(
                400, "RecordNotFound", f"Could not locate record: at://{self.did}/{collection}/{rkey}"
            )
        return json_reply(200, found)


# -- A generic webhook receiver ------------------------------------------------------
class FakeWebhook(FakePlatform):
    """Receives signed deliveries at ``/hooks/newsroom``: verifies, deduplicates on the delivery id.

    Answers 401 when the signature does not match the raw body, 400 when the
    delivery header disagrees with the body or the timestamp is more than five
    minutes off, 200 ``{"id", "status": "duplicate"}`` for a delivery id seen
    before (nothing new recorded), else 202 ``{"id", "status": "accepted"}``.
    A signed ``{"event": "takedown", "id", ...}`` (header ``X-Newsroom-Event``)
    removes the delivery ``id``: 200 ``{"id", "status": "deleted"}``, or 404 if unknown.
    """

    name = "webhook"
    PATH = "/hooks/newsroom"

    def __init__(self, secret: str = "whsec-test-0123456789") -> None:
        super().__init__()
        self.secret = secret
        self.deliveries: dict[str, dict[str, Any]] = {}

    @property
    def hook_url(self) -> str:
        return self.url + self.PATH

    def respond(self, seen: Seen) -> Reply:
        if seen.path != self.PATH or seen.method != "POST":
            return json_reply(404, {"error": "not found"})
        expected = "sha256=" + hmac.new(self.secret.encode(), seen.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, seen.header("X-Newsroom-Signature") or ""):
            return json_reply(401, {"error": "invalid signature"})
        try:
            body = json.loads(seen.body)
        except ValueError:
            return json_reply(400, {"error": "body is not JSON"})
        delivery = seen.header("X-Newsroom-Delivery")
        if isinstance(body, dict) and body.get("event") == "takedown":
            return self._takedown(seen, body)
        if not isinstance(body, dict) or not delivery or body.get("id") != delivery:
            return json_reply(400, {"error": "X-Newsroom-Delivery does not match the body's id"})
        try:
            sent_at = int(seen.header("X-Newsroom-Timestamp") or "")
        except ValueError:
            return json_reply(400, {"error": "missing X-Newsroom-Timestamp"})
        if abs(time.time() - sent_at) > 300:
            return json_reply(400, {"error": "stale timestamp"})
        with self.lock:
            if delivery in self.deliveries:
                return json_reply(200, {"id": delivery, "status": "duplicate"})
        fault, error = self._faulted()
        if error is not None:
            return error
        with self.lock:
            if delivery in self.deliveries:
                return json_reply(200, {"id": delivery, "status": "duplicate"})
            self.deliveries[delivery] = body
            self.accept(body)
        return self._deliver(fault, json_reply(202, {"id": delivery, "status": "accepted"}))

    def _takedown(self, seen: Seen, body: dict[str, Any]) -> Reply:
        if (
            seen.header("X-Newsroom-Event") != "takedown"
            or seen.header("X-Newsroom-Delivery") != f"takedown-{body.get('id')}"
        ):
            return json_reply(400, {"error": "a takedown event needs X-Newsroom-Event and its own delivery id"})
        try:
            sent_at = int(seen.header("X-Newsroom-Timestamp") or "")
        except ValueError:
            return json_reply(400, {"error": "missing X-Newsroom-Timestamp"})
        if abs(time.time() - sent_at) > 300:
            return json_reply(400, {"error": "stale timestamp"})
        delivery = body.get("id")
        with self.lock:
            if self.deliveries.pop(str(delivery), None) is None:
                return json_reply(404, {"error": f"unknown delivery {delivery}"})
            self.remove("id", delivery)
        return json_reply(200, {"id": delivery, "status": "deleted"})

    def error_reply(self, status: int, *, retry_after: int) -> Reply:
        headers = {"Retry-After": str(retry_after)} if status in (429, 503) else {}
        return json_reply(status, {"error": f"receiver says {status}"}, headers)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


__all__ = [
    "FakeBluesky",
    "FakeFacebook",
    "FakeMastodon",
    "FakePlatform",
    "FakeTelegram",
    "FakeWebhook",
    "FakeX",
    "Fault",
    "Reply",
    "Seen",
    "json_reply",
    "png_bytes",
]
