"""Digest fixtures: a real SMTP server (aiosmtpd) on a free port, subscribers, and articles of known days.

The Airflow fixtures of tests/e2e (the migrated metadata DB, the pipeline's
environment against the test SeaweedFS) are imported for the DAG test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from newsroom.config import NewsroomConfig
from newsroom.models import Article, Image
from newsroom.resources import open_store
from newsroom.store import Store
from tests.support.subscribers import SUBSCRIBERS, write_subscribers

__all__ = ["SUBSCRIBERS", "write_subscribers"]  # the digest tests import them from here too

TZ = ZoneInfo("Africa/Porto-Novo")
DAY = date(2025, 6, 23)  # a Monday
NOW = datetime(2025, 6, 24, 7, 0, tzinfo=TZ)  # the morning after: the digest is 1 day old
EXPECTED_RECIPIENTS = sorted(e.lower() for e, _ in SUBSCRIBERS)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in the site's time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@dataclass(frozen=True)
class Story:
    id: str
    section: str
    published: datetime
    image: bool = False
    embargo_until: datetime | None = None
    live: bool = True  # marked published (went live)
    taken_down: bool = False

    @property
    def title(self) -> str:
        return f"Titre de {self.id}"


# The day's articles, and the ones that must never appear in its digest.
DAY_STORIES = [
    Story("diplo-1", "diplomatie", at(DAY, 9), image=True),
    Story("eco-1", "economie", at(DAY, 11), image=True),
    Story("politique-1", "politique", at(DAY, 8)),
    Story("societe-1", "societe", at(DAY, 14)),
    Story("sport-1", "sport", at(DAY, 23, 30)),  # 22:30 UTC: still the 23rd in Porto-Novo
]
OTHER_STORIES = [
    Story("hier-1", "politique", at(DAY - timedelta(days=1), 20)),
    Story("lendemain-1", "sport", at(DAY + timedelta(days=1), 0, 30)),  # 23:30 UTC on the 23rd
    Story("embargo-1", "economie", at(DAY, 10), embargo_until=NOW + timedelta(days=1)),
    Story("retire-1", "societe", at(DAY, 12), taken_down=True),
    Story("brouillon-1", "culture", at(DAY, 13), live=False),
]


def file_stories(config: NewsroomConfig, stories: list[Story], now: datetime) -> Store:
    """Store the stories as articles, publish the live ones, take down the taken-down ones."""
    store = open_store(config)
    for story in stories:
        article = Article(
            id=story.id,
            slug=story.id,
            title=story.title,
            body_html=f"<p>Corps de {story.id}.</p>",
            section=story.section,
            published=story.published,
            embargo_until=story.embargo_until,
            summary=f"Résumé de {story.id}.",
            image=Image(url=f"https://img.example/{story.id}.jpg", alt=f"Photo {story.id}") if story.image else None,
        )
        store.articles.record_version(
            article, source_file=f"{story.id}.md", archived_path=None, tz=config.site.tz, now=now
        )
    store.articles.mark([s.id for s in stories if s.live], "published", now)
    for story in stories:
        if story.taken_down:
            store.takedowns.take_down(story.id, reason="erreur factuelle", by="test", now=now)
    return store


@pytest.fixture
def digest_config(make_config: Callable[..., NewsroomConfig], tmp_path: Path) -> Callable[..., NewsroomConfig]:
    """The shipped configuration with 5 subscribers, batches of 2 and 2 top stories (plus overrides)."""
    csv_path = write_subscribers(tmp_path / "abonnes.csv")

    def factory(**digest: Any) -> NewsroomConfig:
        settings = {
            "lists": [{"name": "quotidien", "subscribers": str(csv_path)}],
            "batch_size": 2,
            "top_stories": 2,
            **digest,
        }
        return make_config({"digest": settings})

    return factory
