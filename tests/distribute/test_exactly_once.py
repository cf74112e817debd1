"""Each channel receives each article version exactly once: across retries, errors, timeouts,
a killed task, full reruns, corrections and archives. Real HTTP fakes of every platform,
the real SeaweedFS for the site and the outbox, the real ledger in SQLite."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from newsroom.channels.limits import graphemes, x_length
from newsroom.config import NewsroomConfig
from newsroom.phases import distribute
from newsroom.resources import available_channels, bucket_for, open_store
from newsroom.store import utcnow
from tests.support import distribution
from tests.support.distribution import ARTICLES, TYPES, distribute_all, publish, today
from tests.support.fakes import FakePlatform

pytestmark = pytest.mark.e2e

# the shared fixtures: every fake, its connection, and a config with every channel
config = distribution.config
fakes = distribution.fakes


def _posts(fakes: dict[str, FakePlatform]) -> dict[str, int]:
    return {kind: len(fake.posts) for kind, fake in fakes.items()}


def _outbox(config: NewsroomConfig) -> list[str]:
    return sorted(k for k in bucket_for(config).listing() if k.startswith("_outbox/"))


def test_each_version_once_per_channel_across_reruns(config: NewsroomConfig, fakes: dict[str, FakePlatform]) -> None:
    publish(config, today(config), "first")
    distribute_all(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 3)
    assert len(_outbox(config)) == 3

    # a full rerun of planning and sending, twice: nothing more goes out
    distribute_all(config)
    distribute_all(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 3)
    assert len(_outbox(config)) == 3

    # what was sent respects templates and limits
    x_texts = [p["text"] for p in fakes["x"].posts]
    assert all(x_length(t) <= 280 for t in x_texts), x_texts
    assert all("https://t.co/" in t for t in x_texts), x_texts  # X wraps our link, as the real one does
    bsky = [p["record"]["text"] if "record" in p else p.get("text", "") for p in fakes["bluesky"].posts]
    assert all(graphemes(t) <= 300 for t in bsky)

    # status shows every channel's delivery
    rows = open_store(config).deliveries.rows("mali-russie-goita-poutine")
    assert {r.channel: r.state for r in rows} == dict.fromkeys(["outbox", *TYPES], "sent")
    assert all(r.remote_id for r in rows)


def test_errors_retry_without_duplicates(config: NewsroomConfig, fakes: dict[str, FakePlatform]) -> None:
    publish(config, [p for p in today(config) if p.name == ARTICLES[0]], "first")
    fakes["facebook"].fail_next(500)
    fakes["x"].fail_next(429, retry_after=1)
    fakes["mastodon"].fail_next("hang", seconds=2)  # posted, but the answer never comes
    fakes["bluesky"].fail_next("hang", seconds=2)
    fakes["webhook"].fail_next(503)
    fakes["telegram"].fail_next(429, retry_after=1)
    now = utcnow()
    distribute_all(config, now)
    later = now + timedelta(minutes=5)  # past every Retry-After and backoff
    distribute_all(config, later)
    distribute_all(config, later + timedelta(minutes=5))
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)
    states = {r.channel: r.state for r in open_store(config).deliveries.rows()}
    assert states == dict.fromkeys(["outbox", *TYPES], "sent")


def test_a_timeout_on_a_platform_without_idempotency_is_never_resent(
    config: NewsroomConfig, fakes: dict[str, FakePlatform]
) -> None:
    publish(config, [p for p in today(config) if p.name == ARTICLES[0]], "first")
    fakes["telegram"].fail_next("hang", seconds=2)
    fakes["facebook"].fail_next("hang", seconds=2)
    fakes["x"].fail_next("hang", seconds=2)
    now = utcnow()
    distribute_all(config, now)
    distribute_all(config, now + timedelta(minutes=5))
    distribute_all(config, now + timedelta(minutes=10))
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)  # telegram got it once, during the hang
    rows = {r.channel: r for r in open_store(config).deliveries.rows()}
    assert rows["telegram"].state == "unknown" and "duplicate" in rows["telegram"].reason
    assert rows["facebook"].state == "sent" and rows["x"].state == "sent"  # found by looking them up


def test_a_killed_task_is_recovered_without_a_second_post(
    config: NewsroomConfig, fakes: dict[str, FakePlatform]
) -> None:
    from newsroom.distribute.sender import _post_for
    from newsroom.render.environment import make_text_environment

    publish(config, [p for p in today(config) if p.name == ARTICLES[0]], "first")
    now = utcnow()
    distribute.plan(config, now=now)
    store = open_store(config)
    ledger = store.deliveries
    adapters = available_channels(config)
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
    publish(config, [p for p in today(config) if p.name == ARTICLES[0]], "first")
    distribute_all(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)

    # a correction: a new version, not re-posted
    text = (config.state_dir / "today" / ARTICLES[0]).read_text(encoding="utf-8")
    corrected = tmp_path / "v2" / ARTICLES[0]
    corrected.parent.mkdir()
    corrected.write_text(text.replace("tags:", "correction: Le séjour dure jusqu’au 26 juin.\ntags:"), encoding="utf-8")
    publish(config, [corrected], "correction")
    distribute_all(config)
    assert _posts(fakes) == dict.fromkeys(TYPES, 1)
    # ... unless the article asks for it: then version 3 goes out once
    reposted = tmp_path / "v3" / ARTICLES[0]
    reposted.parent.mkdir()
    reposted.write_text(
        text.replace("tags:", "repost: true\ncorrection: Mise à jour majeure.\ntags:"), encoding="utf-8"
    )
    publish(config, [reposted], "repost")
    distribute_all(config)
    distribute_all(config)
    # Facebook and X refuse the same link/text twice; the adapters then record the existing post
    assert _posts(fakes) == {**dict.fromkeys(TYPES, 2), "facebook": 1, "x": 1}
    v3 = {r.channel: r.state for r in open_store(config).deliveries.rows() if r.version == 3}
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
    lift = utcnow() + timedelta(hours=2)
    embargoed.write_text(
        f"---\nid: sous-embargo\ntitle: Résultats du BAC\nsection: education\nembargo_until: {lift.isoformat()}\n---\n"
        "Les résultats du BAC 2025 sont connus.\n",
        encoding="utf-8",
    )
    publish(config, [archive, embargoed], "archive")
    distribute_all(config)
    assert _posts(fakes) == {**dict.fromkeys(TYPES, 2), "facebook": 1, "x": 1}
    ledger = open_store(config).deliveries
    assert {r.state for r in ledger.rows("archive-2019")} == {"skipped"}
    assert all("archival" in r.reason for r in ledger.rows("archive-2019"))
    assert ledger.rows("sous-embargo") == []
