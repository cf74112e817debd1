"""Related hits read from the index's best matches first are exactly those of joining every match."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import newsroom.store.search as search
from newsroom.models import Article
from newsroom.store import Store
from newsroom.store.search import SearchDoc

T0 = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
WORDS = "Bénin Cotonou élection Talon Niger frontière opposition Zinder Goïta Moscou accord pétrole".split()


def test_best_matches_first_give_the_same_hits_as_every_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'state.db'}")
    rng = random.Random(5)
    docs = []
    for i in range(120):
        day = rng.randrange(60)  # publication order unlike the index's order
        title = " ".join(rng.choice(WORDS) for _ in range(3))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 20)))
        extra = {"taken_down_at": NOW - timedelta(days=1)} if i % 17 == 0 else {}  # some not live
        article = Article.model_validate(
            {"id": f"a{i:03}", "slug": f"a{i:03}", "title": title, "body_html": f"<p>{body}</p>",
             "section": "diplomatie", "published": T0 + timedelta(days=day, hours=i % 3)}
        )  # fmt: skip
        store.articles.record_version(article, source_file=f"a{i}.md", archived_path=None, tz=ZoneInfo("UTC"))
        if extra:
            store.takedowns.take_down(f"a{i:03}", reason="test", by="test", now=extra["taken_down_at"])
        docs.append(SearchDoc(f"a{i:03}", title, body, ""))
    store.search.upsert(docs)
    queries = [
        (rng.sample(WORDS, 3), f"a{rng.randrange(120):03}", T0 + timedelta(days=rng.randrange(60))) for _ in range(40)
    ]

    def hits() -> list[tuple[list[tuple[str, float]], float]]:
        return [store.search.related_hits(terms, me, before=before, now=NOW, limit=10) for terms, me, before in queries]

    monkeypatch.setattr(search, "BEST_LAST", 0)  # every match joined, as before
    expected = hits()
    assert sum(len(h[0]) for h in expected) > 200
    monkeypatch.setattr(search, "BEST_FIRST", 4)
    monkeypatch.setattr(search, "BEST_LAST", 32)  # the best matches first, growing, then every match
    assert hits() == expected
    monkeypatch.setattr(search, "BEST_LAST", 10_000)
    assert hits() == expected


def test_a_since_bound_gives_the_unbounded_hits_published_from_then_with_the_same_scores(tmp_path: Path) -> None:
    """The same-story window (``since``) is a rowid bound FTS5 skips on: what it returns is exactly
    the whole archive's answer without the articles published before ``since``, scored alike."""
    store = Store.from_url(f"sqlite:///{tmp_path / 'state.db'}")
    rng = random.Random(11)
    docs = []
    for i in range(150):
        title = " ".join(rng.choice(WORDS) for _ in range(3))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 20)))
        article = Article.model_validate(
            {"id": f"a{i:03}", "slug": f"a{i:03}", "title": title, "body_html": f"<p>{body}</p>",
             "section": "diplomatie", "published": T0 + timedelta(days=rng.randrange(900), minutes=i)}
        )  # fmt: skip
        store.articles.record_version(article, source_file=f"a{i}.md", archived_path=None, tz=ZoneInfo("UTC"))
        docs.append(SearchDoc(f"a{i:03}", title, body, ""))
    store.search.upsert(docs)
    published = {r.id: r.published for r in store.articles.records([d.article_id for d in docs]).values()}
    checked = 0
    for _ in range(30):
        terms, me = rng.sample(WORDS, 3), f"a{rng.randrange(150):03}"
        before = published[me]
        since = before - timedelta(days=rng.choice((30, 200, 365)))
        whole, own = store.search.related_hits(terms, me, before=before, now=NOW, limit=500)
        bounded, own_bounded = store.search.related_hits(terms, me, before=before, now=NOW, limit=500, since=since)
        assert bounded == [(i, s) for i, s in whole if published[i] >= since]
        assert own_bounded == own
        checked += len(whole) - len(bounded)
    assert checked > 100, "the bound left articles out"
