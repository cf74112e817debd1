"""What the channel tests share: a sample post, the adapter for each fake, the platforms' names.

Used by tests/channels/ (the adapters, their retract, the registry).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from newsroom.channels import (
    Channel,
    Post,
    SentPost,
)
from newsroom.channels.bluesky import BlueskyChannel
from newsroom.channels.facebook import FacebookChannel
from newsroom.channels.mastodon import MastodonChannel
from newsroom.channels.telegram import TelegramChannel
from newsroom.channels.webhook import WebhookChannel
from newsroom.channels.x import XChannel
from tests.support.fakes import (
    FakeBluesky,
    FakeFacebook,
    FakeMastodon,
    FakePlatform,
    FakeTelegram,
    FakeWebhook,
    FakeX,
)

ARTICLE_URL = "https://www.echo.example/2025/06/23/budget-2026.html"
TIMEOUT = 2.0
HANG_TIMEOUT = 0.4


def make_post(channel: str, **changes: Any) -> Post:
    url = f"{ARTICLE_URL}?utm_source={channel}"
    post = Post(
        article_id="2025-06-23-budget-2026",
        version=1,
        channel=channel,
        text=f"Économie : le budget 2026 est adopté à Porto-Novo #Bénin {url}",
        url=url,
        title="Le budget 2026 adopté",
        summary="L'Assemblée nationale a voté le budget 2026 dans la nuit.",
        hashtags=("Bénin",),
        language="fr",
    )
    return replace(post, **changes)


# -- fakes and adapters ---------------------------------------------------------
def adapter(fake: FakePlatform, *, timeout: float = TIMEOUT, secret: str | None = None) -> Channel:
    """The adapter for a fake, with the fake's credentials (or a wrong ``secret``)."""
    if isinstance(fake, FakeFacebook):
        return FacebookChannel(
            "facebook", page_id=fake.page_id, token=secret or fake.token, host=fake.url, timeout=timeout
        )
    if isinstance(fake, FakeX):
        return XChannel("x", token=secret or fake.token, user_id=fake.user_id, host=fake.url, timeout=timeout)
    if isinstance(fake, FakeTelegram):
        return TelegramChannel(
            "telegram", token=secret or fake.token, chat_id=fake.chat_id, host=fake.url, timeout=timeout
        )
    if isinstance(fake, FakeMastodon):
        return MastodonChannel("mastodon", host=fake.url, token=secret or fake.token, timeout=timeout)
    if isinstance(fake, FakeBluesky):
        return BlueskyChannel(
            "bluesky", identifier=fake.handle, password=secret or fake.password, host=fake.url, timeout=timeout
        )
    if isinstance(fake, FakeWebhook):
        return WebhookChannel("webhook", url=fake.hook_url, secret=secret or fake.secret, timeout=timeout)
    raise AssertionError(fake)


PLATFORMS = ["facebook", "x", "telegram", "mastodon", "bluesky", "webhook"]
IDEMPOTENT = ["mastodon", "bluesky", "webhook"]


def posted(fake: FakePlatform) -> list[Any]:
    """Requests that tried to create a post (not logins, uploads or reads)."""
    return [
        s
        for s in fake.requests
        if s.method == "POST" and not s.path.endswith(("createSession", "uploadBlob")) and "/media/" not in s.path
    ]


def as_recorded(post: Post, sent: SentPost) -> SentPost:
    """The SentPost the takedown rebuilds from a ledger row (remote id and url, the delivery's details)."""
    details = {
        "article_id": post.article_id,
        "version": str(post.version),
        "channel": post.channel,
        "idempotency_key": post.idempotency_key,
    }
    return SentPost(sent.remote_id, sent.remote_url, details)
