"""The fake platforms as pytest fixtures (``facebook_fake``, ``x_fake``...), a plugin of tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fakes import FakeBluesky, FakeFacebook, FakeMastodon, FakeTelegram, FakeWebhook, FakeX


@pytest.fixture
def facebook_fake() -> Iterator[FakeFacebook]:
    with FakeFacebook() as fake:
        yield fake


@pytest.fixture
def x_fake() -> Iterator[FakeX]:
    with FakeX() as fake:
        yield fake


@pytest.fixture
def telegram_fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def mastodon_fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture
def bluesky_fake() -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        yield fake


@pytest.fixture
def webhook_fake() -> Iterator[FakeWebhook]:
    with FakeWebhook() as fake:
        yield fake
