"""Each channel receives each article version exactly once: across retries, errors, timeouts,
a killed task, full reruns, corrections and archives. Real HTTP fakes of every platform,
the real SeaweedFS for the site and the outbox, the real ledger in SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newsroom import distribute, pipeline
from newsroom.config import NewsroomConfig
from newsroom.distribute.posts import graphemes, x_length
from newsroom.ingest import Inbox
from tests.channels.fakes import FakeBluesky, FakeFacebook, FakeMastodon, FakePlatform, FakeTelegram, FakeWebhook, FakeX
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.e2e
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


def _today(config: NewsroomConfig) -> list[Path]:
    """The sample articles as yesterday's news (dated 2025, they would be archives: never announced)."""
    from newsroom.devstack import fresh_samples

    yesterday = pipeline.utcnow().astimezone(config.site.tz).date() - timedelta(days=1)
    copies = fresh_samples(SAMPLES_DIR, config.state_dir / "today", yesterday, config.site.tz)
    return [c for c in copies if c.name in ARTICLES]


def _publish(config: NewsroomConfig, files: list[Path], run: str) -> None:
    inbox = Inbox(config)
    for path in files:
        inbox.file(path)
    pipeline.process(config, run_id=run)


def _distribute(config: NewsroomConfig, now: Any = None) -> dict[str, dict[str, int]]:
    distribute.plan(config, now=now)
    return {c.name: distribute.send(c.name, config, now=now) for c in config.channels}


def _posts(fakes: dict[str, FakePlatform]) -> dict[str, int]:
    return {kind: len(fake.posts) for kind, fake in fakes.items()}


def _outbox(config: NewsroomConfig) -> list[str]:
    return sorted(k for k in pipeline.bucket_for(config).listing() if k.startswith("_outbox/"))


def test_each_version_once_per_channel_across_reruns(config: NewsroomConfig, fakes: dict[str, FakePlatform]) -> None:
    _publish(config, _today(config), "first")
    _distribute(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 3)
    assert len(_outbox(config)) == 3

    # a full rerun of planning and sending, twice: nothing more goes out
    _distribute(config)
    _distribute(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 3)
    assert len(_outbox(config)) == 3

    # what was sent respects templates and limits
    x_texts = [p["text"] for p in fakes["x"].posts]
    assert all(x_length(t) <= 280 for t in x_texts), x_texts
    assert all("https://t.co/" in t for t in x_texts), x_texts  # X wraps our link, as the real one does
    bsky = [p["record"]["text"] if "record" in p else p.get("text", "") for p in fakes["bluesky"].posts]
    assert all(graphemes(t) <= 300 for t in bsky)

    # status shows every channel's delivery
    rows = pipeline.open_store(config).deliveries.rows("mali-russie-goita-poutine")
    assert {r.channel: r.state for r in rows} == dict.fromkeys(["outbox", *TYPES], "sent")
    assert all(r.remote_id for r in rows)


def test_errors_retry_without_duplicates(config: NewsroomConfig, fakes: dict[str, FakePlatform]) -> None:
    _publish(config, [p for p in _today(config) if p.name == ARTICLES[0]], "first")
    fakes["facebook"].fail_next(500)
    fakes["x"].fail_next(429, retry_after=1)
    fakes["mastodon"].fail_next("hang", seconds=2)  # posted, but the answer never comes
    fakes["bluesky"].fail_next("hang", seconds=2)
    fakes["webhook"].fail_next(503)
    fakes["telegram"].fail_next(429, retry_after=1)
    now = pipeline.utcnow()
    _distribute(config, now)
    later = now + timedelta(minutes=5)  # past every Retry-After and backoff
    _distribute(config, later)
    _distribute(config, later + timedelta(minutes=5))
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)
    states = {r.channel: r.state for r in pipeline.open_store(config).deliveries.rows()}
    assert states == dict.fromkeys(["outbox", *TYPES], "sent")


def test_a_timeout_on_a_platform_without_idempotency_is_never_resent(
    config: NewsroomConfig, fakes: dict[str, FakePlatform]
) -> None:
    _publish(config, [p for p in _today(config) if p.name == ARTICLES[0]], "first")
    fakes["telegram"].fail_next("hang", seconds=2)
    fakes["facebook"].fail_next("hang", seconds=2)
    fakes["x"].fail_next("hang", seconds=2)
    now = pipeline.utcnow()
    _distribute(config, now)
    _distribute(config, now + timedelta(minutes=5))
    _distribute(config, now + timedelta(minutes=10))
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)  # telegram got it once, during the hang
    rows = {r.channel: r for r in pipeline.open_store(config).deliveries.rows()}
    assert rows["telegram"].state == "unknown" and "duplicate" in rows["telegram"].reason
    assert rows["facebook"].state == "sent" and rows["x"].state == "sent"  # found by looking them up


def test_a_killed_task_is_recovered_without_a_second_post(
    config: NewsroomConfig, fakes: dict[str, FakePlatform]
) -> None:
    from newsroom.distribute.sender import _post_for
    from newsroom.render.environment import make_text_environment

    _publish(config, [p for p in _today(config) if p.name == ARTICLES[0]], "first")
    now = pipeline.utcnow()
    distribute.plan(config, now=now)
    store = pipeline.open_store(config)
    ledger = store.deliveries
    adapters = distribute.available_channels(config)
    env = make_text_environment(config.templates_path)
    # each worker claims, posts, and is killed before it records the outcome
    for kind in TYPES:
        (claim,) = ledger.claim(kind, now, 1)
        post = _post_for(claim, store, config, config.channel(kind), env)
        assert post is not None
        adapters[kind].send(post)
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)
    # the retry of the task, before and after the claims go stale
    for kind in TYPES:
        distribute.send(kind, config, now=now + timedelta(seconds=30))
    for kind in TYPES:
        distribute.send(kind, config, now=now + timedelta(minutes=5))
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)
    states = {r.channel: r.state for r in ledger.rows() if r.channel != "outbox"}
    assert states == {**dict.fromkeys(TYPES, "sent"), "telegram": "unknown"}


def test_corrections_archives_and_embargoes(
    config: NewsroomConfig, fakes: dict[str, FakePlatform], tmp_path: Path
) -> None:
    _publish(config, [p for p in _today(config) if p.name == ARTICLES[0]], "first")
    _distribute(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)

    # a correction: a new version, not re-posted
    text = (config.state_dir / "today" / ARTICLES[0]).read_text(encoding="utf-8")
    corrected = tmp_path / "v2" / ARTICLES[0]
    corrected.parent.mkdir()
    corrected.write_text(text.replace("tags:", "correction: Le séjour dure jusqu’au 26 juin.\ntags:"), encoding="utf-8")
    _publish(config, [corrected], "correction")
    _distribute(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)
    # ... unless the article asks for it: then version 3 goes out once
    reposted = tmp_path / "v3" / ARTICLES[0]
    reposted.parent.mkdir()
    reposted.write_text(
        text.replace("tags:", "repost: true\ncorrection: Mise à jour majeure.\ntags:"), encoding="utf-8"
    )
    _publish(config, [reposted], "repost")
    _distribute(config)
    _distribute(config)
    # Facebook and X refuse the same link/text twice; the adapters then record the existing post
    assert _posts(fakes) == {**dict.fromkeys(TYPES, 2), "facebook": 1, "x": 1}
    v3 = {r.channel: r.state for r in pipeline.open_store(config).deliveries.rows() if r.version == 3}
    assert v3 == dict.fromkeys(["outbox", *TYPES], "sent")

    # an archive article (published years before it went live) is never announced
    archive = tmp_path / "archive.md"
    archive.write_text(
        "---\nid: archive-2019\ntitle: Cotonou en 2019\nsection: societe\npublished: 2019-03-01T10:00:00+01:00\n---\n"
        "Un article des archives de Cotonou.\n",
        encoding="utf-8",
    )
    # an embargoed one is not announced before its embargo lifts
    embargoed = tmp_path / "embargo.md"
    lift = pipeline.utcnow() + timedelta(hours=2)
    embargoed.write_text(
        f"---\nid: sous-embargo\ntitle: Résultats du BAC\nsection: education\nembargo_until: {lift.isoformat()}\n---\n"
        "Les résultats du BAC 2025 sont connus.\n",
        encoding="utf-8",
    )
    _publish(config, [archive, embargoed], "archive")
    _distribute(config)
    assert _posts(fakes) == {**dict.fromkeys(TYPES, 2), "facebook": 1, "x": 1}
    ledger = pipeline.open_store(config).deliveries
    assert {r.state for r in ledger.rows("archive-2019")} == {"skipped"}
    assert all("archival" in r.reason for r in ledger.rows("archive-2019"))
    assert ledger.rows("sous-embargo") == []
