"""Every channel adapter against a real loopback server speaking its platform's API.

Success (request shape, credentials, remote id), 429 and 5xx retryable (with
the platform's wait), bad credentials and bad requests permanent, a silent
platform uncertain within the timeout, idempotent resends that post once,
find() after an uncertain outcome, the outbox on a real SeaweedFS. Webhook
signatures and replays are in test_webhook.py, deleting posts in
test_retract.py, the registry in test_registry.py, the shared HTTP helper in
test_http.py.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from newsroom.channels import (
    PermanentError,
    RetryableError,
    UncertainError,
)
from newsroom.channels.bluesky import record_key
from newsroom.channels.facebook import FacebookChannel
from newsroom.channels.outbox import OutboxChannel, outbox_key
from newsroom.channels.telegram import TelegramChannel
from newsroom.channels.webhook import verify_signature
from newsroom.channels.x import XChannel
from newsroom.config import NewsroomConfig
from newsroom.publish.s3 import BucketClient
from tests.support.channels import (
    ARTICLE_URL,
    HANG_TIMEOUT,
    IDEMPOTENT,
    adapter,
    make_post,
    posted,
)
from tests.support.fakes import (
    FakeBluesky,
    FakeFacebook,
    FakeMastodon,
    FakePlatform,
    FakeTelegram,
    FakeWebhook,
    FakeX,
)


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
    seen = posted(facebook_fake)[0]
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
    seen = posted(x_fake)[0]
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
def test_telegram_sends_its_html_once_with_a_large_link_preview(telegram_fake: FakeTelegram) -> None:
    # the post's text is Telegram HTML already (the template escaped each field): sent as it is
    post = make_post("telegram", text=f"<b>Prix &lt;b&gt;unique&lt;/b&gt; &amp; taxes</b> : +5 % {ARTICLE_URL}")
    sent = adapter(telegram_fake).send(post)
    seen = posted(telegram_fake)[0]
    assert seen.path == f"/bot{telegram_fake.token}/sendMessage"
    body = seen.json()
    assert body["chat_id"] == telegram_fake.chat_id
    assert body["parse_mode"] == "HTML"
    assert body["text"] == post.text
    assert telegram_fake.message_texts()[0].startswith("Prix <b>unique</b> & taxes : +5 %")
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
    seen = posted(mastodon_fake)[0]
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
    seen = posted(webhook_fake)[0]
    assert seen.header("X-Newsroom-Delivery") == post.idempotency_key
    assert not verify_signature(webhook_fake.secret, seen.body, seen.headers).duplicate  # raises if refused
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
