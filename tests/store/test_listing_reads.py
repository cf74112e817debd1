"""What render reads of listings and feeds, on both databases, held to the articles' own records.

``ListingRepository.items`` runs one statement per shape (tag, sections, since,
limit, path prefix) with its values bound, built once and run with other values
for each listing; ``ArticleRepository.authors`` reads a feed entry's authors
without the article's body. Each answer is compared with the same answer
computed in Python from the full records, for several values of each shape in
turn (a statement built once must not keep the first values it ran with).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsroom.models import Article, ArticleRecord, Tag
from newsroom.store import Store

TZ = ZoneInfo("Africa/Porto-Novo")
T0 = datetime(2025, 5, 20, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 7, 1, tzinfo=UTC)
SECTIONS = ("politique", "economie", "sport")
TAGS = (Tag("mali", "Mali", "place"), Tag("niger", "Niger", "place"))


def _archive(store: Store) -> dict[str, ArticleRecord]:
    for n in range(18):
        extra: dict[str, object] = {}
        if n % 4 == 0:
            extra["authors"] = [f"Auteur {n}", "Rédaction"]
        if n == 7:
            extra["embargo_until"] = NOW + timedelta(days=1)
        article = Article.model_validate(
            {
                "id": f"a{n:02d}",
                "slug": f"a{n:02d}",
                "title": f"Titre {n}",
                "body_html": f"<p>Corps {n}</p>",
                "section": SECTIONS[n % 3],
                "published": T0 + timedelta(days=n * 2, hours=n % 2),
                **extra,
            }
        )
        store.articles.record_version(article, source_file=f"a{n:02d}.md", archived_path=None, tz=TZ, now=NOW)
        tags = [TAGS[0]] if n % 2 else [TAGS[0], TAGS[1]] if n % 5 == 0 else []
        store.enrichments.save(f"a{n:02d}", tags=tags, language="fr", topics=[], keywords=[], notes=[], now=NOW)
    store.takedowns.take_down("a09", reason="test", by="test", now=NOW)
    return store.articles.records(store.articles.all_ids())


def test_each_listing_shape_answers_for_the_values_it_is_given(any_store: Store) -> None:
    store = any_store
    records = _archive(store)
    live = store.articles.live_ids(records, NOW)
    assert "a07" not in live and "a09" not in live and len(live) == 16
    tags = store.enrichments.tags_of(live)

    def expected(ids: Iterable[str], limit: int | None = None) -> list[str]:
        """``ids`` as a listing orders them: newest first, ties by id."""
        ordered = sorted(ids, key=lambda i: (records[i].published, i), reverse=True)
        return ordered[:limit] if limit is not None else ordered

    def got(**where: Any) -> list[str]:
        return [item.id for item in store.listings.items(NOW, **where)]

    assert got() == expected(live)
    for limit in (3, 5, 1):
        assert got(limit=limit) == expected(live, limit)
    for sections in (["politique"], ["economie", "sport"], ["politique"], []):
        in_sections = {i for i in live if records[i].section in sections}
        assert got(sections=sections) == expected(in_sections)
        assert got(sections=sections, limit=2) == expected(in_sections, 2)
    for tag in ("mali", "niger", "nowhere", "mali"):
        assert got(tag=tag) == expected({i for i in live if tag in {t.slug for t in tags[i]}})
    for since in (T0 + timedelta(days=10), T0 + timedelta(days=30)):
        assert got(since=since, limit=4) == expected({i for i in live if records[i].published >= since}, 4)
    for prefix in ("2025/06/", "2025/05/", "2024/"):
        assert got(path_prefix=prefix) == expected({i for i in live if records[i].path.startswith(prefix)})
    assert got(path_prefix="2025/06/") and got(path_prefix="2025/05/")

    # what a listing shows is the record's own values
    shown = {item.id: item for item in store.listings.items(NOW)}
    assert all(shown[i].title == records[i].title and shown[i].published == records[i].published for i in shown)


def test_authors_are_the_records_authors_without_reading_the_body(any_store: Store) -> None:
    store = any_store
    records = _archive(store)
    authors = store.articles.authors([*records, "missing"])
    assert authors == {i: r.authors for i, r in records.items()}
    assert authors["a04"] == ("Auteur 4", "Rédaction") and authors["a01"] == ()
