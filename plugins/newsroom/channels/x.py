"""Posts on X through API v2 (``POST /2/tweets``) with an OAuth 2.0 user token.

The token needs the ``tweet.write`` scope (and ``tweet.read users.read`` for
:meth:`XChannel.find`). X has no idempotency key, so the channel is not
idempotent; X does refuse an identical text posted twice (HTTP 403 "duplicate
content"), which :meth:`XChannel.send` turns into the earlier post when
:meth:`XChannel.find` sees it. Rate limits come as HTTP 429 with
``x-rate-limit-reset`` (a Unix time), read by the shared helper.

X shortens every link in the stored text to ``https://t.co/...``, so ``find``
asks for the ``entities`` and matches the expanded URL, falling back to the text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

from newsroom.channels.base import Bucket, ChannelBase, ChannelError, PermanentError, Post, SentPost
from newsroom.channels.connection import Fields
from newsroom.channels.http import check, error_for, json_of, request
from newsroom.channels.limits import Limit, x_length

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://api.x.com"


def _mentions(tweet: dict[str, Any], url: str) -> bool:
    entities = tweet.get("entities")
    links = entities.get("urls", []) if isinstance(entities, dict) else []
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and url in (link.get("expanded_url"), link.get("unwound_url"), link.get("url")):
            return True
    return url in str(tweet.get("text", ""))


class XChannel(ChannelBase):
    """Posts the post's text (which carries the link) as one tweet."""

    type = "x"
    limit = Limit(280, x_length)
    can_find = True  # the account's recent tweets (given its user id)
    idempotent: bool = False

    def __init__(
        self,
        name: str,
        *,
        token: str,
        user_id: str | None = None,
        username: str | None = None,
        host: str = DEFAULT_HOST,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.token = token
        self.user_id = user_id
        self.username = username
        self.host = host.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """password: the user access token; extra ``user_id`` (for find) and ``username`` (for links)."""
        fields = Fields(str(channel.conn_id), conn)
        return cls(
            channel.name,
            token=fields.required(fields.password, "password (the user access token)"),
            user_id=fields.extra("user_id"),
            username=fields.extra("username"),
            host=fields.url(DEFAULT_HOST) or DEFAULT_HOST,
            timeout=channel.timeout_seconds,
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def tweet_url(self, tweet_id: str) -> str:
        who = self.username or "i/web"
        return f"https://x.com/{who}/status/{tweet_id}"

    def send(self, post: Post) -> SentPost:
        what = f"x {self.name}: publish"
        response = request(
            "POST",
            f"{self.host}/2/tweets",
            what=what,
            timeout=self.timeout,
            headers=self.headers,
            json_body={"text": post.text},
            secrets=(self.token,),
        )
        if response.status_code == 403 and "duplicate" in response.text.lower():
            found = self._find_quietly(post)
            if found is not None:
                log.info("x %s: %s was already posted as %s", self.name, post.url, found.remote_id)
                return found
        data = json_of(check(response, what, (self.token,)), what)
        tweet = data.get("data") if isinstance(data, dict) else None
        if not isinstance(tweet, dict) or not tweet.get("id"):
            raise PermanentError(f"{what}: answer without a tweet id: {response.text[:200]}")
        tweet_id = str(tweet["id"])
        return SentPost(remote_id=tweet_id, remote_url=self.tweet_url(tweet_id))

    def retract(self, sent: SentPost) -> bool:
        """``DELETE /2/tweets/{id}`` (scope ``tweet.write``); a 404 means the tweet is already gone."""
        what = f"x {self.name}: delete"
        response = request(
            "DELETE",
            f"{self.host}/2/tweets/{quote(sent.remote_id, safe='')}",
            what=what,
            timeout=self.timeout,
            headers=self.headers,
            secrets=(self.token,),
        )
        if response.status_code == 404:
            return True
        data = json_of(check(response, what, (self.token,)), what)
        result = data.get("data") if isinstance(data, dict) else None
        if isinstance(result, dict) and result.get("deleted") is True:
            return True
        errors = data.get("errors") if isinstance(data, dict) else None
        for item in errors if isinstance(errors, list) else []:
            if isinstance(item, dict) and "resource-not-found" in str(item.get("type", "")):
                return True
        return False

    def _find_quietly(self, post: Post) -> SentPost | None:
        try:
            return self.find(post)
        except ChannelError as exc:  # the refusal itself is the error to report
            log.warning("x %s: could not look up the duplicate of %s: %s", self.name, post.url, exc)
            return None

    def find(self, post: Post) -> SentPost | None:
        """The tweet among the account's last 20 that links the post's URL (None without a user id)."""
        if not self.user_id:
            return None
        what = f"x {self.name}: find"
        response = request(
            "GET",
            f"{self.host}/2/users/{self.user_id}/tweets",
            what=what,
            timeout=self.timeout,
            headers=self.headers,
            params={"max_results": 20, "tweet.fields": "entities,created_at"},
            secrets=(self.token,),
        )
        if not 200 <= response.status_code < 300:
            raise error_for(response, what, (self.token,))
        data = json_of(response, what)
        for tweet in data.get("data", []) if isinstance(data, dict) else []:
            if isinstance(tweet, dict) and tweet.get("id") and _mentions(tweet, post.url):
                tweet_id = str(tweet["id"])
                return SentPost(remote_id=tweet_id, remote_url=self.tweet_url(tweet_id))
        return None
