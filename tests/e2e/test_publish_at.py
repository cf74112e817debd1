"""A scheduled article goes live when its time comes, through the every-minute run that finds it due."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from newsroom.config import NewsroomConfig
from newsroom.contracts import IngestResult
from newsroom.ingest import Inbox
from newsroom.phases.ingest import process
from newsroom.resources import bucket_for, files_for, open_store
from newsroom.store import utcnow

pytestmark = pytest.mark.e2e


def _run(config: NewsroomConfig, run_id: str, now: datetime) -> IngestResult:
    return process(config, run_id=run_id, now=now)["ingest"]


def test_publish_at_goes_live_at_its_time_not_before(s3_config: NewsroomConfig, tmp_path: Path) -> None:
    config = s3_config
    now = utcnow()
    at = now + timedelta(minutes=30)
    article = tmp_path / "programme.md"
    article.write_text(
        f"---\nid: programme-vodun-days\ntitle: Le programme des Vodun Days dévoilé\nsection: culture\n"
        f"published: {now.isoformat()}\npublish_at: {at.isoformat()}\n---\n"
        "Ouidah accueille les Vodun Days en janvier, avec des cérémonies à Ouidah et à Porto-Novo.\n",
        encoding="utf-8",
    )
    Inbox(config, files_for(config)).file(article)
    _run(config, "filed", now)
    store = open_store(config)
    row = store.articles.records(["programme-vodun-days"])["programme-vodun-days"]
    bucket = bucket_for(config)
    assert row.status == "scheduled" and row.path not in bucket.listing()

    # a minute before: the safety-net run finds nothing due
    assert _run(config, "early", at - timedelta(minutes=1))["ids"] == []
    assert row.path not in bucket.listing()

    # the first run at or after publish_at publishes it, with its listings
    assert _run(config, "due", at + timedelta(seconds=30))["ids"] == ["programme-vodun-days"]
    listing = bucket.listing()
    assert row.path in listing
    culture = bucket.get("culture/index.html")["Body"].read().decode("utf-8")
    assert "Le programme des Vodun Days dévoilé" in culture
    assert store.articles.records(["programme-vodun-days"])["programme-vodun-days"].status == "published"
    # and only once: the next run has nothing to do
    assert _run(config, "after", at + timedelta(minutes=2))["ids"] == []
