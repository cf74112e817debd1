"""A takedown deletes the article's social posts where the platform allows it, and records it.

Real HTTP fakes of every platform, the real SeaweedFS for the site and the
outbox, the real ledger in SQLite: the same wiring as the exactly-once tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from newsroom.config import NewsroomConfig
from newsroom.phases import distribute
from newsroom.phases.takedown import takedown
from newsroom.resources import bucket_for, open_store
from tests.support import distribution
from tests.support.distribution import TYPES
from tests.support.fakes import FakePlatform, FakeTelegram

pytestmark = pytest.mark.e2e

# the shared fixtures: every fake, its connection, and a config with every channel
config = distribution.config
fakes = distribution.fakes

GONE = "benin-motos-godomey"
#: the field of a fake's stored post that holds the remote id the ledger recorded
ID_FIELD = {"facebook": "id", "x": "id", "telegram": "message_id", "mastodon": "id", "bluesky": "uri", "webhook": "id"}


def _online(fake: FakePlatform, kind: str) -> set[str]:
    return {str(p[ID_FIELD[kind]]) for p in fake.posts}


def _rows(config: NewsroomConfig, article_id: str) -> dict[str, Any]:
    return {r.channel: r for r in open_store(config).deliveries.rows(article_id)}


def _outbox(config: NewsroomConfig) -> list[str]:
    return sorted(k for k in bucket_for(config).listing() if k.startswith("_outbox/"))


def test_takedown_deletes_the_articles_posts_everywhere(config: NewsroomConfig, fakes: dict[str, FakePlatform]) -> None:
    distribution.publish(config, distribution.today(config), "first")
    distribution.distribute_all(config)
    assert {kind: len(f.posts) for kind, f in fakes.items()} == dict.fromkeys(TYPES, 3)
    before = _rows(config, GONE)
    assert {c: r.state for c, r in before.items()} == dict.fromkeys(["outbox", *TYPES], "sent")
    others = {kind: _online(fake, kind) - {before[kind].remote_id} for kind, fake in fakes.items()}

    result = takedown(GONE, reason="demande de la justice", by="chef-edition", config=config)

    assert sorted(result["retracted"]) == sorted(["outbox", *TYPES])
    assert result["not_retracted"] == {}
    for kind, fake in fakes.items():
        assert before[kind].remote_id not in _online(fake, kind), f"{kind} still shows the post"
        assert _online(fake, kind) == others[kind], f"{kind} lost another article's post"
        assert len(fake.posts) == 2 and len(fake.deleted) == 1
    assert not any(f"/{GONE}/" in k for k in _outbox(config)) and len(_outbox(config)) == 2
    after = _rows(config, GONE)
    assert {c: r.state for c, r in after.items()} == dict.fromkeys(["outbox", *TYPES], "retracted")
    assert all(r.remote_id == before[c].remote_id for c, r in after.items())  # what was deleted stays known
    rest = [r for r in open_store(config).deliveries.rows() if r.article_id != GONE]
    assert len(rest) == 14 and {r.state for r in rest} == {"sent"}  # the other two articles' posts

    # a second takedown retracts nothing more (and asks the platforms nothing)
    asked = {kind: len(fake.requests) for kind, fake in fakes.items()}
    again = takedown(GONE, reason="demande de la justice", by="chef-edition", config=config)
    assert again["retracted"] == [] and again["not_retracted"] == {}
    assert {kind: len(fake.requests) for kind, fake in fakes.items()} == asked
    assert all(len(fake.deleted) == 1 for fake in fakes.values())

    # and a rerun of distribution posts nothing again
    distribution.distribute_all(config)
    assert {kind: len(f.posts) for kind, f in fakes.items()} == dict.fromkeys(TYPES, 2)


def test_a_post_the_platform_will_not_delete_stays_sent_with_the_reason(
    config: NewsroomConfig, fakes: dict[str, FakePlatform]
) -> None:
    distribution.publish(config, [p for p in distribution.today(config) if p.name.startswith(GONE)], "first")
    distribution.distribute_all(config)
    telegram = fakes["telegram"]
    assert isinstance(telegram, FakeTelegram)
    telegram.age(hours=49)  # Telegram lets a bot delete only within 48 hours
    fakes["x"].stop()  # X is unreachable during the takedown

    result = takedown(GONE, reason="erreur grave", by="chef-edition", config=config)

    assert set(result["not_retracted"]) == {"telegram", "x"}
    assert "refused" in result["not_retracted"]["telegram"]
    assert sorted(result["retracted"]) == sorted(["outbox", "facebook", "mastodon", "bluesky", "webhook"])
    rows = _rows(config, GONE)
    assert rows["telegram"].state == "sent" and rows["telegram"].reason.startswith("could not retract:")
    assert rows["x"].state == "sent" and rows["x"].reason.startswith("could not retract:")
    assert len(telegram.posts) == 1 and telegram.deleted == []
    assert rows["mastodon"].state == "retracted"


def test_pending_deliveries_of_a_taken_down_article_are_skipped(
    config: NewsroomConfig, fakes: dict[str, FakePlatform]
) -> None:
    distribution.publish(config, [p for p in distribution.today(config) if p.name.startswith(GONE)], "first")
    distribute.plan(config)
    assert {r.state for r in _rows(config, GONE).values()} == {"pending"}

    result = takedown(GONE, reason="erreur grave", by="chef-edition", config=config)

    assert result["retracted"] == [] and result["not_retracted"] == {}
    assert {r.state for r in _rows(config, GONE).values()} == {"skipped"}
    distribution.distribute_all(config)
    assert all(fake.posts == [] for fake in fakes.values())
    assert {r.state for r in _rows(config, GONE).values()} == {"skipped"}
