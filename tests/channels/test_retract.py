"""retract(): deleting a post again when its article is taken down, on every platform and the outbox."""

from __future__ import annotations

import json

import pytest

from newsroom.channels import (
    PermanentError,
    RetryableError,
    SentPost,
)
from newsroom.channels.bluesky import record_key
from newsroom.channels.mastodon import MastodonChannel
from newsroom.channels.outbox import OutboxChannel, outbox_key
from newsroom.channels.telegram import TelegramChannel
from newsroom.channels.webhook import verify_signature
from newsroom.channels.x import XChannel
from newsroom.config import NewsroomConfig
from newsroom.publish.s3 import BucketClient
from tests.support.channels import (
    adapter,
    as_recorded,
    make_post,
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

# -- retract: deleting a post again (takedown) --------------------------------------------


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
        assert not verify_signature(fake.secret, last.body, last.headers).duplicate  # raises if refused


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
