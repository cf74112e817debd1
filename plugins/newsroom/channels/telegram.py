"""Messages in a Telegram channel through the Bot API (``POST /bot<token>/sendMessage``).

The bot must be an administrator of the channel. The text is sent with
``parse_mode: HTML``: the post's text is already Telegram HTML (the
``social/telegram.txt`` template escapes every field once with ``|e``), so it is
sent as it is, never escaped a second time; and a large link preview of the article. Every answer is
``{"ok": true, "result": {...}}`` or ``{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}``; the wait of a 429 is in that JSON, not in a header.

The Bot API has no idempotency key and cannot list a channel's messages, so
the channel is not idempotent and :meth:`TelegramChannel.find` returns None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

import requests

from newsroom.channels.base import Bucket, ChannelBase, ChannelError, PermanentError, Post, RetryableError, SentPost
from newsroom.channels.connection import Fields
from newsroom.channels.http import error_for, json_of, request
from newsroom.channels.limits import Limit

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig

DEFAULT_HOST = "https://api.telegram.org"


def _answer(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class TelegramChannel(ChannelBase):
    """Posts the post's text, with a large preview of its link, in one channel or chat."""

    type = "telegram"
    limit = Limit(4096, len)
    can_find = False  # the Bot API cannot list a channel's messages
    can_retract = True  # within 48 hours of posting; older messages answer False
    idempotent: bool = False

    def __init__(self, name: str, *, token: str, chat_id: str, host: str = DEFAULT_HOST, timeout: float = 10.0) -> None:
        self.name = name
        self.token = token
        self.chat_id = chat_id
        self.host = host.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_connection(cls, channel: ChannelConfig, conn: Any, bucket_factory: Callable[[], Bucket]) -> Self:
        """password: the bot token; extra ``chat_id`` (required: ``@channel`` or ``-100...``)."""
        fields = Fields(str(channel.conn_id), conn)
        return cls(
            channel.name,
            token=fields.required(fields.password, "password (the bot token)"),
            chat_id=fields.required(fields.extra("chat_id"), "chat_id in its extra"),
            host=fields.url(DEFAULT_HOST) or DEFAULT_HOST,
            timeout=channel.timeout_seconds,
        )

    def _error(self, response: requests.Response, what: str) -> ChannelError:
        answer = _answer(response)
        if "error_code" not in answer:
            return error_for(response, what, (self.token,))
        code = int(answer.get("error_code") or response.status_code)
        message = f"{what}: HTTP {response.status_code}: {answer.get('description', '')}"
        parameters = answer.get("parameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        if code == 429 or response.status_code == 429:
            wait = parameters.get("retry_after")
            seconds = float(wait) if isinstance(wait, int | float) else None
            return RetryableError(message, status=429, retry_after=seconds)
        if code >= 500 or response.status_code >= 500:
            return RetryableError(message, status=response.status_code)
        if "migrate_to_chat_id" in parameters:
            message += f" (the chat moved: set chat_id to {parameters['migrate_to_chat_id']})"
        return PermanentError(message, status=response.status_code)

    def message_url(self, chat: dict[str, Any], message_id: str) -> str | None:
        username = chat.get("username")
        if isinstance(username, str) and username:
            return f"https://t.me/{username}/{message_id}"
        if self.chat_id.startswith("@"):
            return f"https://t.me/{self.chat_id[1:]}/{message_id}"
        chat_id = str(chat.get("id", self.chat_id))
        if chat_id.startswith("-100"):
            return f"https://t.me/c/{chat_id[4:]}/{message_id}"
        return None

    def send(self, post: Post) -> SentPost:
        what = f"telegram {self.name}: sendMessage"
        payload = {
            "chat_id": self.chat_id,
            "text": post.text,
            "parse_mode": "HTML",
            "link_preview_options": {"url": post.url, "prefer_large_media": True},
        }
        response = request(
            "POST",
            f"{self.host}/bot{self.token}/sendMessage",
            what=what,
            timeout=self.timeout,
            json_body=payload,
            secrets=(self.token,),
        )
        if not 200 <= response.status_code < 300:
            raise self._error(response, what)
        answer = json_of(response, what)
        result = answer.get("result") if isinstance(answer, dict) and answer.get("ok") is True else None
        if not isinstance(result, dict) or "message_id" not in result:
            raise self._error(response, what)
        message_id = str(result["message_id"])
        chat: dict[str, Any] = result["chat"] if isinstance(result.get("chat"), dict) else {}
        details = {"chat_id": str(chat.get("id", self.chat_id))}
        return SentPost(remote_id=message_id, remote_url=self.message_url(chat, message_id), details=details)

    def find(self, post: Post) -> SentPost | None:
        """Unknowable: the Bot API cannot list a channel's messages."""
        return None

    def retract(self, sent: SentPost) -> bool:
        """``deleteMessage``: True when deleted or already gone, False when Telegram refuses to delete it.

        A bot deletes a channel's messages only within 48 hours of posting; an
        older one answers 400 ("message can't be deleted"): that is False.
        """
        what = f"telegram {self.name}: deleteMessage"
        try:
            message_id: int | str = int(sent.remote_id)
        except ValueError:
            message_id = sent.remote_id
        payload = {"chat_id": sent.details.get("chat_id") or self.chat_id, "message_id": message_id}
        response = request(
            "POST",
            f"{self.host}/bot{self.token}/deleteMessage",
            what=what,
            timeout=self.timeout,
            json_body=payload,
            secrets=(self.token,),
        )
        if 200 <= response.status_code < 300:
            answer = _answer(response)
            if answer.get("ok") is True:
                return answer.get("result") is not False
            raise self._error(response, what)
        description = str(_answer(response).get("description", "")).lower()
        if response.status_code == 404 or (
            response.status_code == 400 and "message to delete not found" in description
        ):
            return True  # "Bad Request: message to delete not found"
        if response.status_code == 400 and "can't be deleted" in description:
            return False  # older than 48 hours (or not the bot's to delete)
        raise self._error(response, what)
