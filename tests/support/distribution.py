"""What the distribution tests across every platform share: the fakes wired as connections, a config
with every channel, and publishing then distributing the sample articles.

Used by tests/distribute/test_exactly_once.py and tests/e2e/test_takedown_social.py, which take the
``fakes`` and ``config`` fixtures from here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.phases import distribute
from newsroom.phases.ingest import process
from newsroom.resources import files_for
from newsroom.store import utcnow
from tests.support.fakes import FakeBluesky, FakeFacebook, FakeMastodon, FakePlatform, FakeTelegram, FakeWebhook, FakeX
from tests.support.paths import SAMPLES_DIR

ARTICLES = ["mali-russie-goita-poutine.md", "benin-motos-godomey.md", "centrafrique-touadera-bruxelles.json"]
TYPES = ["facebook", "x", "telegram", "mastodon", "bluesky", "webhook"]


@pytest.fixture
def fakes(
    facebook_fake: FakeFacebook,
    x_fake: FakeX,
    telegram_fake: FakeTelegram,
    mastodon_fake: FakeMastodon,
    bluesky_fake: FakeBluesky,
    webhook_fake: FakeWebhook,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, FakePlatform]]:
    """Every platform's fake, and the Airflow connections pointing at them."""

    def connect(kind: str, **fields: Any) -> None:
        monkeypatch.setenv(f"AIRFLOW_CONN_NEWSROOM_{kind.upper()}", json.dumps({"conn_type": "http", **fields}))

    connect("facebook", host=facebook_fake.url, password=facebook_fake.token, extra={"page_id": facebook_fake.page_id})
    connect("x", host=x_fake.url, password=x_fake.token, extra={"user_id": x_fake.user_id})
    connect("telegram", host=telegram_fake.url, password=telegram_fake.token, extra={"chat_id": telegram_fake.chat_id})
    connect("mastodon", host=mastodon_fake.url, password=mastodon_fake.token)
    connect("bluesky", host=bluesky_fake.url, login=bluesky_fake.handle, password=bluesky_fake.password)
    connect("webhook", host=webhook_fake.hook_url, password=webhook_fake.secret)
    yield {
        "facebook": facebook_fake,
        "x": x_fake,
        "telegram": telegram_fake,
        "mastodon": mastodon_fake,
        "bluesky": bluesky_fake,
        "webhook": webhook_fake,
    }


@pytest.fixture
def config(s3_config: NewsroomConfig) -> NewsroomConfig:
    channels = [{"name": "outbox", "type": "outbox"}] + [
        {"name": kind, "type": kind, "conn_id": f"newsroom_{kind}", "timeout_seconds": 1} for kind in TYPES
    ]
    update = s3_config.model_validate(
        {**s3_config.model_dump(exclude={"source", "state_dir"}), "channels": channels}
    ).model_copy(update={"source": s3_config.source, "state_dir": s3_config.state_dir})
    distribution = update.distribution.model_copy(update={"backoff_seconds": 1, "stale_after_minutes": 1})
    return update.model_copy(update={"distribution": distribution})


def today(config: NewsroomConfig) -> list[Path]:
    """The sample articles as yesterday's news (dated 2025, they would be archives: never announced)."""
    from dev.devstack import fresh_samples

    yesterday = utcnow().astimezone(config.site.tz).date() - timedelta(days=1)
    copies = fresh_samples(SAMPLES_DIR, config.state_dir / "today", yesterday, config.site.tz)
    return [c for c in copies if c.name in ARTICLES]


def publish(config: NewsroomConfig, files: list[Path], run: str) -> None:
    inbox = Inbox(config, files_for(config))
    for path in files:
        inbox.file(path)
    process(config, run_id=run)


def distribute_all(config: NewsroomConfig, now: Any = None) -> dict[str, dict[str, int]]:
    distribute.plan(config, now=now)
    return {c.name: distribute.send(c.name, config, now=now) for c in config.channels}
