"""The registry: the table of channel classes, and adapters built from Airflow connections.

The classes' declared types are the configuration's channel types; a channel
without a connection, or whose connection lacks a field, is disabled with one
warning; each connection is read with the platform's defaults.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from newsroom.channels import (
    CHANNEL_CLASSES,
    channel_class,
    make_channel,
)
from newsroom.channels.bluesky import BlueskyChannel
from newsroom.channels.facebook import FacebookChannel
from newsroom.channels.mastodon import MastodonChannel
from newsroom.channels.outbox import OutboxChannel
from newsroom.channels.telegram import TelegramChannel
from newsroom.channels.webhook import WebhookChannel
from newsroom.channels.x import XChannel
from newsroom.config import CHANNEL_TYPES, ChannelConfig
from newsroom.publish.s3 import BucketClient
from tests.support.channels import (
    make_post,
)
from tests.support.fakes import (
    FakeX,
)


# -- the table of classes --------------------------------------------------------------
def test_the_configurations_channel_types_are_the_registrys_classes() -> None:
    assert tuple(CHANNEL_CLASSES) == CHANNEL_TYPES  # the same names, in the order config's error lists them
    assert all(channel_class(kind).type == kind for kind in CHANNEL_TYPES)


def test_each_class_declares_its_limit_and_what_it_can_find() -> None:
    limits = {kind: (cls.limit.size if cls.limit else None) for kind, cls in CHANNEL_CLASSES.items()}
    assert limits == {
        "outbox": None,
        "facebook": 63_206,
        "x": 280,
        "telegram": 4096,
        "mastodon": 500,
        "bluesky": 300,
        "webhook": None,
    }
    # after an uncertain send, a channel that does not deduplicate is looked up only where it can be
    lookups = {kind for kind, cls in CHANNEL_CLASSES.items() if cls.can_find and not cls.idempotent}
    assert lookups == {"facebook", "x"}
    assert all(cls.can_retract for cls in CHANNEL_CLASSES.values())
    assert [kind for kind, cls in CHANNEL_CLASSES.items() if not cls.needs_connection] == ["outbox"]


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
