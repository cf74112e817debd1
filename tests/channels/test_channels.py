"""Every channel adapter against a real loopback server speaking its platform's API.

Success (request shape, credentials, remote id), 429 and 5xx retryable (with
the platform's wait), bad credentials and bad requests permanent, a silent
platform uncertain within the timeout, idempotent resends that post once,
find() after an uncertain outcome, webhook signatures, the outbox on a real
SeaweedFS, and the registry building adapters from Airflow connections.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from newsroom.channels import (
    Channel,
    PermanentError,
    Post,
    RetryableError,
    SentPost,
    UncertainError,
    make_channel,
)
from newsroom.channels.bluesky import BlueskyChannel, record_key
from newsroom.channels.facebook import FacebookChannel
from newsroom.channels.http import request, seconds_until
from newsroom.channels.mastodon import MastodonChannel
from newsroom.channels.outbox import OutboxChannel, outbox_key
from newsroom.channels.telegram import TelegramChannel
from newsroom.channels.webhook import WebhookChannel, sign, verify_signature
from newsroom.channels.x import XChannel
from newsroom.config import ChannelConfig, NewsroomConfig
from newsroom.publish.s3 import BucketClient
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


@pytest.fixture(params=PLATFORMS)
def fake(request: pytest.FixtureRequest) -> FakePlatform:
    found = request.getfixturevalue(f"{request.param}_fake")
    assert isinstance(found, FakePlatform)
    return found


def _posted(fake: FakePlatform) -> list[Any]:
    """Requests that tried to create a post (not logins, uploads or reads)."""
    return [
        s
        for s in fake.requests
        if s.method == "POST" and not s.path.endswith(("createSession", "uploadBlob")) and "/media/" not in s.path
    ]


# -- the same contract on every platform -------------------------------------------
def test_send_posts_once_and_returns_the_remote_id(fake: FakePlatform) -> None:
    channel = adapter(fake)
    sent = channel.send(make_post(fake.name))
    assert len(fake.posts) == 1
    assert sent.remote_id
    assert channel.idempotent is (fake.name in IDEMPOTENT)


def test_rate_limit_is_retryable_with_the_platforms_wait(fake: FakePlatform) -> None:
    channel = adapter(fake)
    fake.fail_next(429, retry_after=120)
    with pytest.raises(RetryableError) as caught:
        channel.send(make_post(fake.name))
    assert caught.value.retry_after is not None
    assert abs(caught.value.retry_after - 120) <= 2, caught.value.retry_after
    assert fake.posts == []
    channel.send(make_post(fake.name))  # the fault is spent: the retry goes through
    assert len(fake.posts) == 1


def test_server_error_is_retryable(fake: FakePlatform) -> None:
    fake.fail_next(500)
    with pytest.raises(RetryableError) as caught:
        adapter(fake).send(make_post(fake.name))
    assert caught.value.status == 500
    assert fake.posts == []


def test_bad_credentials_are_permanent(fake: FakePlatform) -> None:
    with pytest.raises(PermanentError) as caught:
        adapter(fake, secret="wrong-secret-value").send(make_post(fake.name))
    assert caught.value.status in (400, 401)
    assert "wrong-secret-value" not in str(caught.value)
    assert fake.posts == []


def test_a_silent_platform_is_uncertain_within_the_timeout(fake: FakePlatform) -> None:
    fake.fail_next("hang", seconds=HANG_TIMEOUT + 5)
    started = time.monotonic()
    with pytest.raises(UncertainError):
        adapter(fake, timeout=HANG_TIMEOUT).send(make_post(fake.name))
    assert time.monotonic() - started < HANG_TIMEOUT + 1.5
    assert len(fake.posts) == 1  # the platform got it: the dangerous case


@pytest.mark.parametrize("name", IDEMPOTENT)
def test_idempotent_resend_after_a_timeout_posts_once(name: str, request: pytest.FixtureRequest) -> None:
    fake: FakePlatform = request.getfixturevalue(f"{name}_fake")
    post = make_post(name)
    fake.fail_next("hang", seconds=HANG_TIMEOUT + 5)
    with pytest.raises(UncertainError):
        adapter(fake, timeout=HANG_TIMEOUT).send(post)
    first = adapter(fake).send(post)
    again = adapter(fake).send(post)
    assert len(fake.posts) == 1
    assert first.remote_id == again.remote_id


@pytest.mark.parametrize("name", ["facebook", "x"])
def test_find_recovers_a_post_made_before_a_timeout(name: str, request: pytest.FixtureRequest) -> None:
    fake: FakePlatform = request.getfixturevalue(f"{name}_fake")
    post = make_post(name)
    channel = adapter(fake)
    assert channel.find(post) is None
    fake.fail_next("hang", seconds=HANG_TIMEOUT + 5)
    with pytest.raises(UncertainError):
        adapter(fake, timeout=HANG_TIMEOUT).send(post)
    found = channel.find(post)
    assert found is not None
    assert found.remote_id == fake.posts[0]["id"]
    assert channel.find(make_post(name, url=ARTICLE_URL + "#other")) is None


def test_a_refused_connection_is_retryable_and_never_leaks_the_token() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = "123456789:AAH-secret-bot-token"
    channel = TelegramChannel("telegram", token=token, chat_id="@c", host=f"http://127.0.0.1:{port}", timeout=1)
    with pytest.raises(RetryableError) as caught:
        channel.send(make_post("telegram"))
    chain: BaseException | None = caught.value
    while chain is not None:
        assert token not in str(chain)
        chain = chain.__cause__ or chain.__context__


# -- Facebook -------------------------------------------------------------------------
def test_facebook_posts_the_message_and_link_with_the_page_token(facebook_fake: FakeFacebook) -> None:
    post = make_post("facebook")
    sent = adapter(facebook_fake).send(post)
    seen = _posted(facebook_fake)[0]
    assert seen.path == f"/v23.0/{facebook_fake.page_id}/feed"
    assert seen.form() == {"message": post.text, "link": post.url, "access_token": facebook_fake.token}
    assert sent.remote_id == facebook_fake.posts[0]["id"]
    page, _, story = sent.remote_id.partition("_")
    assert sent.remote_url == f"https://www.facebook.com/{page}/posts/{story}"


def test_facebook_duplicate_message_returns_the_existing_post(facebook_fake: FakeFacebook) -> None:
    post = make_post("facebook")
    first = adapter(facebook_fake).send(post)
    again = adapter(facebook_fake).send(post)  # Graph answers (#506) Duplicate status message
    assert again.remote_id == first.remote_id
    assert len(facebook_fake.posts) == 1


def test_facebook_unknown_page_is_permanent(facebook_fake: FakeFacebook) -> None:
    channel = FacebookChannel("facebook", page_id="999", token=facebook_fake.token, host=facebook_fake.url)
    with pytest.raises(PermanentError, match="#100"):
        channel.send(make_post("facebook"))


# -- X ------------------------------------------------------------------------------
def test_x_posts_the_text_with_the_bearer_token(x_fake: FakeX) -> None:
    post = make_post("x")
    sent = adapter(x_fake).send(post)
    seen = _posted(x_fake)[0]
    assert seen.path == "/2/tweets"
    assert seen.header("Authorization") == f"Bearer {x_fake.token}"
    assert seen.json() == {"text": post.text}
    assert sent.remote_id == x_fake.posts[0]["id"]
    assert sent.remote_url == f"https://x.com/i/web/status/{sent.remote_id}"
    assert "t.co/" in x_fake.posts[0]["text"]  # find must match the expanded URL, not the text


def test_x_duplicate_content_returns_the_existing_tweet(x_fake: FakeX) -> None:
    post = make_post("x")
    first = adapter(x_fake).send(post)
    again = adapter(x_fake).send(post)  # X answers 403 duplicate content
    assert again.remote_id == first.remote_id
    assert len(x_fake.posts) == 1


def test_x_without_user_id_cannot_find_and_an_empty_text_is_permanent(x_fake: FakeX) -> None:
    channel = XChannel("x", token=x_fake.token, host=x_fake.url)
    assert channel.find(make_post("x")) is None
    with pytest.raises(PermanentError) as caught:
        channel.send(make_post("x", text=" "))
    assert caught.value.status == 400


# -- Telegram ---------------------------------------------------------------------------
def test_telegram_sends_escaped_html_with_a_large_link_preview(telegram_fake: FakeTelegram) -> None:
    post = make_post("telegram", text=f"Prix <b>unique</b> & taxes : +5 % {ARTICLE_URL}")
    sent = adapter(telegram_fake).send(post)
    seen = _posted(telegram_fake)[0]
    assert seen.path == f"/bot{telegram_fake.token}/sendMessage"
    body = seen.json()
    assert body["chat_id"] == telegram_fake.chat_id
    assert body["parse_mode"] == "HTML"
    assert body["text"].startswith("Prix &lt;b&gt;unique&lt;/b&gt; &amp; taxes")
    assert body["link_preview_options"] == {"url": post.url, "prefer_large_media": True}
    assert sent.remote_id == str(telegram_fake.posts[0]["message_id"])
    assert sent.remote_url == f"https://t.me/echodugolfe/{sent.remote_id}"
    assert adapter(telegram_fake).find(post) is None


def test_telegram_unknown_chat_is_permanent(telegram_fake: FakeTelegram) -> None:
    channel = TelegramChannel("telegram", token=telegram_fake.token, chat_id="@nowhere", host=telegram_fake.url)
    with pytest.raises(PermanentError, match="chat not found"):
        channel.send(make_post("telegram"))


# -- Mastodon -----------------------------------------------------------------------------
def test_mastodon_posts_a_public_status_with_the_idempotency_key(mastodon_fake: FakeMastodon) -> None:
    post = make_post("mastodon")
    sent = adapter(mastodon_fake).send(post)
    seen = _posted(mastodon_fake)[0]
    assert seen.path == "/api/v1/statuses"
    assert seen.header("Authorization") == f"Bearer {mastodon_fake.token}"
    assert seen.header("Idempotency-Key") == post.idempotency_key
    assert seen.json() == {"status": post.text, "visibility": "public", "language": "fr"}
    assert sent.remote_id == mastodon_fake.posts[0]["id"]
    assert sent.remote_url == mastodon_fake.posts[0]["url"]
    assert adapter(mastodon_fake).find(post) is None


def test_mastodon_too_long_is_permanent(mastodon_fake: FakeMastodon) -> None:
    with pytest.raises(PermanentError) as caught:
        adapter(mastodon_fake).send(make_post("mastodon", text="x" * 501))
    assert caught.value.status == 422


# -- Bluesky ------------------------------------------------------------------------------
def test_bluesky_record_has_link_facet_card_thumbnail_and_derived_key(bluesky_fake: FakeBluesky) -> None:
    post = make_post("bluesky", image_url=bluesky_fake.image_url)
    channel = adapter(bluesky_fake)
    sent = channel.send(post)
    stored = bluesky_fake.posts[0]
    record = stored["record"]
    assert stored["rkey"] == record_key(post.idempotency_key)
    assert sent.remote_id == f"at://{bluesky_fake.did}/app.bsky.feed.post/{stored['rkey']}"
    assert sent.remote_url == f"https://bsky.app/profile/{bluesky_fake.handle}/post/{stored['rkey']}"
    assert record["langs"] == ["fr"] and record["text"] == post.text
    text = post.text.encode("utf-8")
    spans = {f["features"][0]["$type"]: f["index"] for f in record["facets"]}
    link = spans["app.bsky.richtext.facet#link"]
    assert text[link["byteStart"] : link["byteEnd"]] == post.url.encode("utf-8")  # bytes, not characters
    tag = spans["app.bsky.richtext.facet#tag"]
    assert text[tag["byteStart"] : tag["byteEnd"]] == "#Bénin".encode()
    external = record["embed"]["external"]
    assert (external["uri"], external["title"], external["description"]) == (post.url, post.title, post.summary)
    assert bluesky_fake.blobs[external["thumb"]["ref"]["$link"]][1] == bluesky_fake.image
    assert channel.find(post) == sent
    assert channel.find(make_post("bluesky", version=2)) is None


def test_bluesky_keeps_its_session_and_logs_in_again_when_it_expires(bluesky_fake: FakeBluesky) -> None:
    channel = adapter(bluesky_fake)
    channel.send(make_post("bluesky"))
    channel.send(make_post("bluesky", version=2))
    assert bluesky_fake.sessions_created == 1
    bluesky_fake.expire_sessions()
    channel.send(make_post("bluesky", version=3))
    assert bluesky_fake.sessions_created == 2
    assert len(bluesky_fake.posts) == 3


def test_bluesky_collision_answered_with_a_500_is_still_the_existing_record(bluesky_fake: FakeBluesky) -> None:
    bluesky_fake.collision = "500"  # what PDS versions without the explicit error answer
    post = make_post("bluesky")
    first = adapter(bluesky_fake).send(post)
    again = adapter(bluesky_fake).send(post)
    assert again.remote_id == first.remote_id
    assert len(bluesky_fake.posts) == 1


def test_bluesky_posts_without_thumbnail_when_the_image_is_missing(bluesky_fake: FakeBluesky) -> None:
    adapter(bluesky_fake).send(make_post("bluesky", image_url=bluesky_fake.url + "/media/gone.png"))
    assert "thumb" not in bluesky_fake.posts[0]["record"]["embed"]["external"]


def test_bluesky_record_key_is_a_stable_tid() -> None:
    key = record_key("a" * 40)
    assert key == record_key("a" * 40) != record_key("b" * 40)
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    assert set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")


# -- webhook ---------------------------------------------------------------------------
def test_webhook_delivers_signed_json(webhook_fake: FakeWebhook) -> None:
    post = make_post("webhook", image_url="https://www.echo.example/img/budget.jpg")
    sent = adapter(webhook_fake).send(post)
    seen = _posted(webhook_fake)[0]
    assert seen.header("X-Newsroom-Delivery") == post.idempotency_key
    assert verify_signature(webhook_fake.secret, seen.body, seen.header("X-Newsroom-Signature"))
    assert abs(int(seen.header("X-Newsroom-Timestamp") or 0) - time.time()) < 60
    assert json.loads(seen.body) == {
        "id": post.idempotency_key,
        "article_id": post.article_id,
        "version": 1,
        "title": post.title,
        "url": post.url,
        "summary": post.summary,
        "text": post.text,
        "image_url": post.image_url,
        "hashtags": ["Bénin"],
    }
    assert sent.remote_id == post.idempotency_key
    assert adapter(webhook_fake).find(post) is None


def test_webhook_signature_fails_when_tampered() -> None:
    body = b'{"id":"abc","title":"Budget"}'
    header = sign("s3cret-key", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature("s3cret-key", body, header)
    assert not verify_signature("s3cret-key", body.replace(b"Budget", b"Budgey"), header)
    assert not verify_signature("other-key", body, header)
    assert not verify_signature("s3cret-key", body, None)
    assert not verify_signature("s3cret-key", body, header.removeprefix("sha256="))


# -- outbox on a real S3 server ---------------------------------------------------------
def test_outbox_writes_one_json_object_per_post_version(s3_config: NewsroomConfig) -> None:
    storage = s3_config.storage
    bucket = BucketClient.from_connection(storage.conn_id, storage.bucket, storage.prefix)
    bucket.ensure_bucket()
    channel = OutboxChannel("outbox", lambda: bucket)
    post = make_post("outbox")
    assert channel.find(post) is None
    first = channel.send(post)
    again = channel.send(post)
    assert first.remote_id == again.remote_id == outbox_key(post) == "_outbox/outbox/2025-06-23-budget-2026/v1.json"
    keys = [k for k in bucket.listing() if k.startswith("_outbox/")]
    assert keys == [outbox_key(post)]
    obj = bucket.get(outbox_key(post))
    assert obj["ContentType"].startswith("application/json")
    document = json.loads(obj["Body"].read())
    assert (document["url"], document["text"], document["version"]) == (post.url, post.text, 1)
    assert channel.find(post) == first
    assert channel.find(make_post("outbox", version=2)) is None


# -- retract: deleting a post again (takedown) --------------------------------------------
def as_recorded(post: Post, sent: SentPost) -> SentPost:
    """The SentPost the takedown rebuilds from a ledger row (remote id and url, the delivery's details)."""
    details = {
        "article_id": post.article_id,
        "version": str(post.version),
        "channel": post.channel,
        "idempotency_key": post.idempotency_key,
    }
    return SentPost(sent.remote_id, sent.remote_url, details)


def test_retract_deletes_the_post_and_a_missing_one_counts_as_gone(fake: FakePlatform) -> None:
    channel = adapter(fake)
    kept = channel.send(make_post(fake.name, article_id="other-article", text="Autre sujet https://x.example/a"))
    post = make_post(fake.name)
    sent = as_recorded(post, channel.send(post))
    assert len(fake.posts) == 2
    assert channel.retract(sent) is True
    assert len(fake.posts) == 1 and len(fake.deleted) == 1
    assert kept.remote_id in json.dumps(fake.posts)  # the other post is untouched
    assert channel.retract(sent) is True  # already gone (the platform's "not found")
    assert len(fake.posts) == 1 and len(fake.deleted) == 1


def test_retract_with_bad_credentials_is_permanent(fake: FakePlatform) -> None:
    post = make_post(fake.name)
    sent = as_recorded(post, adapter(fake).send(post))
    with pytest.raises(PermanentError):
        adapter(fake, secret="wrong-secret-value").retract(sent)
    assert len(fake.posts) == 1 and fake.deleted == []


def test_retract_uses_each_platforms_delete_call(fake: FakePlatform) -> None:
    post = make_post(fake.name)
    sent = adapter(fake).send(post)
    adapter(fake).retract(as_recorded(post, sent))
    last = fake.requests[-1]
    if isinstance(fake, FakeFacebook):
        assert (last.method, last.path) == ("DELETE", f"/v23.0/{sent.remote_id}")
        assert last.param("access_token") == fake.token
    elif isinstance(fake, FakeX):
        assert (last.method, last.path, last.bearer()) == ("DELETE", f"/2/tweets/{sent.remote_id}", fake.token)
    elif isinstance(fake, FakeTelegram):
        assert (last.method, last.path) == ("POST", f"/bot{fake.token}/deleteMessage")
        assert last.json() == {"chat_id": fake.chat_id, "message_id": int(sent.remote_id)}
    elif isinstance(fake, FakeMastodon):
        assert (last.method, last.path, last.bearer()) == ("DELETE", f"/api/v1/statuses/{sent.remote_id}", fake.token)
    elif isinstance(fake, FakeBluesky):
        assert (last.method, last.path) == ("POST", "/xrpc/com.atproto.repo.deleteRecord")
        assert last.json() == {
            "repo": fake.did,
            "collection": "app.bsky.feed.post",
            "rkey": record_key(post.idempotency_key),
        }
    else:
        assert isinstance(fake, FakeWebhook)
        assert last.json() == {
            "event": "takedown",
            "id": post.idempotency_key,
            "article_id": post.article_id,
            "version": 1,
        }
        assert last.header("X-Newsroom-Event") == "takedown"
        assert verify_signature(fake.secret, last.body, last.header("X-Newsroom-Signature"))


def test_telegram_cannot_retract_a_message_older_than_48_hours(telegram_fake: FakeTelegram) -> None:
    channel = adapter(telegram_fake)
    post = make_post("telegram")
    sent = as_recorded(post, channel.send(post))
    telegram_fake.age(hours=49)
    assert channel.retract(sent) is False
    assert len(telegram_fake.posts) == 1 and telegram_fake.deleted == []
    # a younger one is deleted; a message that is not there counts as gone
    young = as_recorded(post, channel.send(make_post("telegram", text="Un autre message")))
    assert channel.retract(young) is True
    assert channel.retract(SentPost("999999")) is True
    assert len(telegram_fake.posts) == 1


def test_telegram_retract_in_an_unknown_chat_is_permanent(telegram_fake: FakeTelegram) -> None:
    channel = TelegramChannel("telegram", token=telegram_fake.token, chat_id="@nowhere", host=telegram_fake.url)
    with pytest.raises(PermanentError):
        channel.retract(SentPost("101"))


def test_retract_on_an_unreachable_platform_is_retryable(mastodon_fake: FakeMastodon, x_fake: FakeX) -> None:
    # the delete cannot reach the platform: retryable, nothing deleted
    for fake in (mastodon_fake, x_fake):
        sent = adapter(fake).send(make_post(fake.name))
        stopped = adapter(fake)
        assert isinstance(stopped, MastodonChannel | XChannel)
        stopped.host = "http://127.0.0.1:9"  # nothing listens there
        with pytest.raises(RetryableError):
            stopped.retract(sent)
        assert len(fake.posts) == 1


def test_outbox_retract_deletes_the_json_object(s3_config: NewsroomConfig) -> None:
    storage = s3_config.storage
    bucket = BucketClient.from_connection(storage.conn_id, storage.bucket, storage.prefix)
    bucket.ensure_bucket()
    channel = OutboxChannel("outbox", lambda: bucket)
    post, other = make_post("outbox"), make_post("outbox", article_id="other-article")
    sent = channel.send(post)
    channel.send(other)
    assert channel.retract(sent) is True
    assert [k for k in bucket.listing() if k.startswith("_outbox/")] == [outbox_key(other)]
    assert channel.find(post) is None
    assert channel.retract(sent) is True  # already gone


# -- registry: adapters from Airflow connections ---------------------------------------
def _config(kind: str, **more: Any) -> ChannelConfig:
    return ChannelConfig(name=kind, type=kind, conn_id=f"newsroom_{kind}", timeout_seconds=3, **more)


def _no_bucket() -> BucketClient:
    raise AssertionError("no bucket needed")


@pytest.fixture
def airflow_logging() -> None:
    """Airflow configures logging on its first connection lookup, replacing the root handlers
    (caplog's among them): let that happen during setup, before caplog starts capturing."""
    from newsroom.channels.registry import get_connection

    assert get_connection("newsroom_warm_up_lookup") is None


@pytest.mark.usefixtures("airflow_logging")
def test_registry_disables_a_channel_without_connection_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_NEWSROOM_FACEBOOK", raising=False)
    with caplog.at_level(logging.WARNING, logger="newsroom.channels.registry"):
        assert make_channel(_config("facebook"), _no_bucket) is None
    warnings = [r for r in caplog.records if r.name == "newsroom.channels.registry"]
    assert [r.getMessage() for r in warnings] == [
        "channel facebook disabled: no Airflow connection 'newsroom_facebook'"
    ]


def _set_connection(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: Any) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({"conn_type": "http", **fields}))


def test_registry_builds_an_x_adapter_that_posts_through_its_connection(
    monkeypatch: pytest.MonkeyPatch, x_fake: FakeX
) -> None:
    _set_connection(monkeypatch, "newsroom_x", host=x_fake.url, password=x_fake.token, extra={"user_id": "42"})
    channel = make_channel(_config("x"), _no_bucket)
    assert isinstance(channel, XChannel)
    assert (channel.host, channel.user_id, channel.timeout) == (x_fake.url, "42", 3)
    channel.send(make_post("x"))
    assert len(x_fake.posts) == 1


CONNECTIONS: list[tuple[str, dict[str, Any], type, dict[str, Any]]] = [
    (
        "facebook",
        {"password": "page-token", "extra": {"page_id": "123", "api_version": "v22.0"}},
        FacebookChannel,
        {"host": "https://graph.facebook.com", "page_id": "123", "api_version": "v22.0"},
    ),
    ("x", {"password": "user-token"}, XChannel, {"host": "https://api.x.com", "user_id": None}),
    (
        "telegram",
        {"password": "1:tok-telegram", "extra": {"chat_id": -1001}},
        TelegramChannel,
        {"host": "https://api.telegram.org", "chat_id": "-1001"},
    ),
    (
        "mastodon",
        {"host": "mastodon.social", "password": "token-m"},
        MastodonChannel,
        {"host": "https://mastodon.social", "visibility": "public"},
    ),
    (
        "bluesky",
        {"login": "echo.bsky.social", "password": "app-pass"},
        BlueskyChannel,
        {"host": "https://bsky.social", "identifier": "echo.bsky.social"},
    ),
    (
        "webhook",
        {"host": "https://hooks.example/newsroom/", "password": "whsec"},
        WebhookChannel,
        {"url": "https://hooks.example/newsroom/", "secret": "whsec"},
    ),
]


@pytest.mark.parametrize(("kind", "fields", "cls", "expected"), CONNECTIONS, ids=[c[0] for c in CONNECTIONS])
def test_registry_reads_each_connection_with_platform_defaults(
    monkeypatch: pytest.MonkeyPatch, kind: str, fields: dict[str, Any], cls: type, expected: dict[str, Any]
) -> None:
    _set_connection(monkeypatch, f"newsroom_{kind}", **fields)
    channel = make_channel(_config(kind), _no_bucket)
    assert isinstance(channel, cls)
    assert {key: getattr(channel, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("kind", "fields", "missing"),
    [
        ("mastodon", {"password": "token-m"}, "host"),
        ("facebook", {"password": "page-token"}, "page_id"),
        ("telegram", {"password": "1:tok-telegram"}, "chat_id"),
        ("bluesky", {"password": "app-pass"}, "login"),
    ],
)
@pytest.mark.usefixtures("airflow_logging")
def test_registry_disables_a_channel_whose_connection_lacks_a_field(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, kind: str, fields: dict[str, Any], missing: str
) -> None:
    _set_connection(monkeypatch, f"newsroom_{kind}", **fields)
    with caplog.at_level(logging.WARNING, logger="newsroom.channels.registry"):
        assert make_channel(_config(kind), _no_bucket) is None
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "newsroom.channels.registry"]
    assert warning.startswith(f"channel {kind} disabled: connection 'newsroom_{kind}' has no {missing}")


def test_registry_outbox_needs_no_connection_and_makes_its_bucket_lazily() -> None:
    made: list[int] = []

    def factory() -> BucketClient:
        made.append(1)
        raise AssertionError("not yet")

    channel = make_channel(ChannelConfig(name="outbox", type="outbox"), factory)
    assert isinstance(channel, OutboxChannel)
    assert made == []


# -- the shared HTTP helper ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        ("1000000100", 100.0),  # a Unix time (X, Bluesky)
        ("2001-09-09T01:48:20.000000+00:00", 100.0),  # ISO 8601 (Mastodon)
        ("Sun, 09 Sep 2001 01:48:20 GMT", 100.0),  # HTTP date
        ("soon", None),
        (None, None),
    ],
)
def test_seconds_until_reads_every_wait_format(value: str | None, expected: float | None) -> None:
    assert seconds_until(value, now=1_000_000_000) == expected


def test_a_get_that_times_out_is_retryable_not_uncertain(x_fake: FakeX) -> None:
    slow: Callable[..., Any] = x_fake.respond

    def hang_reads(seen: Any) -> Any:
        reply = slow(seen)
        reply.hang = 5
        return reply

    x_fake.respond = hang_reads  # type: ignore[method-assign]
    with pytest.raises(RetryableError):
        request("GET", x_fake.url + "/2/users/42/tweets", what="x: find", timeout=HANG_TIMEOUT)
