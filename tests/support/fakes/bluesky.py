"""A fake Bluesky PDS (sessions, blobs, post records under given keys), for the channel and distribution tests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import time
import zlib
from datetime import datetime
from typing import Any

from tests.support.fakes.http import FakePlatform, Reply, Seen, json_reply

TID_RE = re.compile(r"^[234567a-j][234567a-z]{12}$")
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    """A small valid PNG (for the Bluesky thumbnail)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


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

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.records.clear()
            self.blobs.clear()

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
