"""A fake Telegram Bot API (sendMessage, deleteMessage within 48 hours), for the channel and distribution tests."""

from __future__ import annotations

import html
import re
import time
from typing import Any

from tests.support.fakes.http import FakePlatform, Reply, Seen, json_reply


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
                "shown": plain,  # what a reader of the channel sees, entities decoded once
                "parse_mode": body.get("parse_mode"),
                "preview": preview,
                "date": result["date"],
            }
        )
        return self._deliver(fault, json_reply(200, {"ok": True, "result": result}))

    def message_texts(self) -> list[str]:
        """Each stored message as its readers see it (tags applied, entities decoded once)."""
        with self.lock:
            return [str(post["shown"]) for post in self.posts]

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
