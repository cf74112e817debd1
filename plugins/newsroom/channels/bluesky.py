"""Posts on Bluesky through the AT Protocol's XRPC API, on the account's PDS.

One session per channel instance (``com.atproto.server.createSession`` with
the handle and an app password; the PDS limits logins, so it is reused and
only renewed when the PDS says the token expired). A post is one
``app.bsky.feed.post`` record: its text, a link facet over the URL's UTF-8
byte range (and tag facets for the hashtags present in the text), the
language, and an external embed card (title, summary and, when the image can
be fetched, a thumbnail uploaded with ``com.atproto.repo.uploadBlob``).

Idempotency: the record key is not left to the PDS but derived from the post's
idempotency key (:func:`record_key`, a valid TID), so sending the same post
again names the same record and cannot duplicate it. A PDS answers such a
collision with a 400/409 "already exists" error (older PDS versions with a
500): the record is then read back with ``com.atproto.repo.getRecord`` and
returned as the success it is. The same lookup is :meth:`BlueskyChannel.find`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

import requests

from newsroom.channels.base import (
    Bucket,
    ChannelBase,
    ChannelError,
    PermanentError,
    Post,
    RetryableError,
    SentPost,
    UncertainError,
)
from newsroom.channels.connection import Fields
from newsroom.channels.http import error_for, json_of, request
from newsroom.channels.limits import Limit, graphemes

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://bsky.social"
COLLECTION = "app.bsky.feed.post"
MAX_THUMB_BYTES = 1_000_000  # app.bsky.embed.external#external.thumb maxSize
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_EPOCH_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z: derived keys look like plausible past TIDs
_TID_SPAN_US = 366 * 24 * 3600 * 1_000_000
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})


def record_key(idempotency_key: str) -> str:
    """A deterministic, valid TID (13 base32-sortable chars) for one post.

    64 bits: a zero top bit, a 53-bit microsecond timestamp and a 10-bit clock
    id, both taken from a hash of the idempotency key (the timestamp within
    2024, so the key sorts as an ordinary past record). Same post, same key.
    """
    digest = hashlib.sha256(f"bluesky-rkey\x1f{idempotency_key}".encode()).digest()
    bits = int.from_bytes(digest[:8], "big")
    micros = _TID_EPOCH_US + (bits >> 10) % _TID_SPAN_US
    value = (micros << 10) | (bits & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _byte_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The UTF-8 byte range of the characters text[start:end]."""
    begin = len(text[:start].encode("utf-8"))
    return begin, begin + len(text[start:end].encode("utf-8"))


def facets(text: str, url: str, hashtags: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rich-text facets: the link over the URL's bytes, a tag over each hashtag found in the text."""
    found: list[dict[str, Any]] = []
    url_at = text.find(url) if url else -1
    url_chars = range(url_at, url_at + len(url)) if url_at >= 0 else range(0)
    if url_at >= 0:
        start, end = _byte_span(text, url_at, url_at + len(url))
        found.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    for raw in dict.fromkeys(h.lstrip("#") for h in hashtags):
        if not raw:
            continue
        for match in re.finditer(rf"(?<![\w#])#{re.escape(raw)}(?!\w)", text):
            if match.start() in url_chars:  # a '#' inside the URL is not a hashtag
                continue
            start, end = _byte_span(text, match.start(), match.end())
            found.append(
                {
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": raw}],
                }
            )
            break
    return found


def _xrpc_error(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error", "")), str(body.get("message", ""))


def _already_exists(response: requests.Response) -> bool:
    if response.status_code not in (400, 409):
        return False
    error, message = _xrpc_error(response)
    return "exist" in f"{error} {message}".lower()


class BlueskyChannel(ChannelBase):
    """Posts one record per post, under a record key derived from its idempotency key."""

    type = "bluesky"
    limit = Limit(300, graphemes)
    can_find = True  # the record under the post's derived key
    idempotent: bool = True

    def __init__(
        self, name: str, *, identifier: str, password: str, host: str = DEFAULT_HOST, timeout: float = 10.0
    ) -> None:
        self.name = name
        self.identifier = identifier
        self.password = password
        self.host = host.rstrip("/")
        self.timeout = timeout
        self._session: dict[str, str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """host: the account's PDS; login: the handle or DID; password: an app password."""
        fields = Fields(str(channel.conn_id), conn)
        return cls(
            channel.name,
            identifier=fields.required(fields.login, "login (the handle or DID)"),
            password=fields.required(fields.password, "password (an app password)"),
            host=fields.url(DEFAULT_HOST) or DEFAULT_HOST,
            timeout=channel.timeout_seconds,
        )

    # -- session ---------------------------------------------------------------
    def _secrets(self) -> tuple[str | None, ...]:
        session = self._session or {}
        return (self.password, session.get("accessJwt"), session.get("refreshJwt"))

    def _login(self) -> dict[str, str]:
        what = f"bluesky {self.name}: createSession"
        try:
            response = request(
                "POST",
                f"{self.host}/xrpc/com.atproto.server.createSession",
                what=what,
                timeout=self.timeout,
                json_body={"identifier": self.identifier, "password": self.password},
                secrets=(self.password,),
            )
        except UncertainError as exc:  # a login that timed out posted nothing
            raise RetryableError(str(exc)) from exc
        if not 200 <= response.status_code < 300:
            raise error_for(response, what, (self.password,))
        data = json_of(response, what)
        if not isinstance(data, dict) or not data.get("accessJwt") or not data.get("did"):
            raise PermanentError(f"{what}: answer without a session: {response.status_code}")
        return {k: str(v) for k, v in data.items() if k in ("did", "handle", "accessJwt", "refreshJwt")}

    def session(self) -> dict[str, str]:
        """The cached session, created on first use."""
        with self._lock:
            if self._session is None:
                self._session = self._login()
            return self._session

    def _drop_session(self, stale: dict[str, str]) -> None:
        with self._lock:
            if self._session is stale:
                self._session = None

    def _call(
        self,
        method: str,
        nsid: str,
        *,
        what: str,
        params: dict[str, str | int] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> requests.Response:
        """An authenticated XRPC call, logging in again once if the PDS says the token expired."""
        for attempt in (1, 2):
            session = self.session()
            headers = {"Authorization": f"Bearer {session['accessJwt']}"}
            if content_type:
                headers["Content-Type"] = content_type
            response = request(
                method,
                f"{self.host}/xrpc/{nsid}",
                what=what,
                timeout=self.timeout,
                headers=headers,
                params=params,
                json_body=json_body,
                content=content,
                secrets=self._secrets(),
            )
            if attempt == 1 and response.status_code in (400, 401) and _xrpc_error(response)[0] in _EXPIRED:
                log.info("bluesky %s: session expired, logging in again", self.name)
                self._drop_session(session)
                continue
            return response
        raise AssertionError("unreachable")

    # -- posting ---------------------------------------------------------------
    def _thumbnail(self, post: Post) -> dict[str, Any] | None:
        """The uploaded blob of the post's image, or None (no image, or it could not be used)."""
        if not post.image_url:
            return None
        try:
            image = request("GET", post.image_url, what=f"bluesky {self.name}: image", timeout=self.timeout)
        except ChannelError as exc:
            log.warning("bluesky %s: no thumbnail for %s: %s", self.name, post.article_id, exc)
            return None
        mime = image.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not 200 <= image.status_code < 300 or not mime.startswith("image/"):
            log.warning(
                "bluesky %s: no thumbnail for %s: %s answered %s %s",
                self.name,
                post.article_id,
                post.image_url,
                image.status_code,
                mime,
            )
            return None
        if len(image.content) > MAX_THUMB_BYTES:
            log.warning(
                "bluesky %s: no thumbnail for %s: %d bytes (the limit is %d)",
                self.name,
                post.article_id,
                len(image.content),
                MAX_THUMB_BYTES,
            )
            return None
        what = f"bluesky {self.name}: uploadBlob"
        try:
            response = self._call(
                "POST", "com.atproto.repo.uploadBlob", what=what, content=image.content, content_type=mime
            )
        except UncertainError as exc:  # an orphan blob is harmless; nothing was posted
            raise RetryableError(str(exc)) from exc
        if not 200 <= response.status_code < 300:
            error = error_for(response, what, self._secrets())
            if isinstance(error, RetryableError):
                raise error
            log.warning("bluesky %s: no thumbnail for %s: %s", self.name, post.article_id, error)
            return None
        data = json_of(response, what)
        blob = data.get("blob") if isinstance(data, dict) else None
        return blob if isinstance(blob, dict) else None

    def build_record(self, post: Post, thumb: dict[str, Any] | None = None) -> dict[str, Any]:
        external: dict[str, Any] = {"uri": post.url, "title": post.title, "description": post.summary}
        if thumb is not None:
            external["thumb"] = thumb
        record: dict[str, Any] = {
            "$type": COLLECTION,
            "text": post.text,
            "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "langs": [post.language],
            "embed": {"$type": "app.bsky.embed.external", "external": external},
        }
        if found := facets(post.text, post.url, post.hashtags):
            record["facets"] = found
        return record

    def post_url(self, rkey: str) -> str:
        who = (self._session or {}).get("handle") or self.identifier
        return f"https://bsky.app/profile/{who}/post/{rkey}"

    def send(self, post: Post) -> SentPost:
        what = f"bluesky {self.name}: createRecord"
        rkey = record_key(post.idempotency_key)
        did = self.session()["did"]
        record = self.build_record(post, self._thumbnail(post))
        body = {"repo": did, "collection": COLLECTION, "rkey": rkey, "record": record}
        response = self._call("POST", "com.atproto.repo.createRecord", what=what, json_body=body)
        if 200 <= response.status_code < 300:
            data = json_of(response, what)
            if not isinstance(data, dict) or not data.get("uri"):
                raise UncertainError(f"{what}: answer without a record uri: {response.text[:200]}")
            return SentPost(
                remote_id=str(data["uri"]), remote_url=self.post_url(rkey), details={"cid": str(data.get("cid", ""))}
            )
        error = error_for(response, what, self._secrets())
        if _already_exists(response) or response.status_code >= 500:
            # Our record key is already taken: by this very post, sent before. A PDS that
            # still answers a collision with a 500 is checked the same way.
            try:
                found = self._get_record(rkey)
            except ChannelError:
                found = None
            if found is not None:
                log.info("bluesky %s: %s was already posted as %s", self.name, post.article_id, found.remote_id)
                return found
        raise error

    def _get_record(self, rkey: str) -> SentPost | None:
        what = f"bluesky {self.name}: getRecord"
        repo = (self._session or {}).get("did") or self.identifier
        response = request(
            "GET",
            f"{self.host}/xrpc/com.atproto.repo.getRecord",
            what=what,
            timeout=self.timeout,
            params={"repo": repo, "collection": COLLECTION, "rkey": rkey},
        )
        if response.status_code == 404 or (
            response.status_code == 400 and _xrpc_error(response)[0] in ("RecordNotFound", "NotFound")
        ):
            return None
        if not 200 <= response.status_code < 300:
            raise error_for(response, what, self._secrets())
        data = json_of(response, what)
        if not isinstance(data, dict) or not data.get("uri"):
            return None
        return SentPost(
            remote_id=str(data["uri"]), remote_url=self.post_url(rkey), details={"cid": str(data.get("cid", ""))}
        )

    def retract(self, sent: SentPost) -> bool:
        """``com.atproto.repo.deleteRecord`` of the post's record (its rkey is the last part of the at:// uri).

        A PDS answers the deletion of a record that no longer exists with a
        success (or, for some, a 404/RecordNotFound): either way it is gone.
        """
        what = f"bluesky {self.name}: deleteRecord"
        rkey = sent.remote_id.rstrip("/").rsplit("/", 1)[-1]
        if not rkey:
            raise PermanentError(f"{what}: no record key in {sent.remote_id!r}")
        body = {"repo": self.session()["did"], "collection": COLLECTION, "rkey": rkey}
        response = self._call("POST", "com.atproto.repo.deleteRecord", what=what, json_body=body)
        if 200 <= response.status_code < 300:
            return True
        if response.status_code == 404 or _xrpc_error(response)[0] in ("RecordNotFound", "NotFound"):
            return True
        raise error_for(response, what, self._secrets())

    def find(self, post: Post) -> SentPost | None:
        """The record under the post's derived key (getRecord is public: no login needed)."""
        return self._get_record(record_key(post.idempotency_key))
