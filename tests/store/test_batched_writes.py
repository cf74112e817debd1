"""A batch's enrichments and related links saved in one transaction: the same rows as one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from newsroom.models import Article, Tag
from newsroom.store import Store
from newsroom.store.enrichments import Enriched
from newsroom.store.related import Links

T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 7, 1, tzinfo=UTC)
MALI = Tag("mali", "Mali", "place")
GOITA = Tag("assimi-goita", "Assimi Goïta", "person")


def _file(store: Store, article_id: str, day: int) -> None:
    article = Article.model_validate(
        {"id": article_id, "slug": article_id, "title": article_id, "body_html": "<p>x</p>",
         "section": "diplomatie", "published": T0 + timedelta(days=day)}
    )  # fmt: skip
    store.articles.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=ZoneInfo("UTC"))


def test_save_many_replaces_each_article_s_tags_and_enrichment(any_store: Store) -> None:
    for i, article_id in enumerate(("a", "b", "c")):
        _file(any_store, article_id, i)
    any_store.enrichments.save("a", tags=[MALI], language="fr", topics=["x"], keywords=["k"], notes=[], now=NOW)
    any_store.enrichments.save_many(
        [
            Enriched("a", [GOITA, GOITA], "fr", ["11000000"], ["Goïta"], ["note"]),
            Enriched("b", [MALI, GOITA], "en", [], [], []),
            Enriched("c", [], "fr", [], [], []),
        ],
        NOW,
    )
    tags = any_store.enrichments.tags_of(["a", "b", "c"])
    assert tags == {"a": [GOITA], "b": [GOITA, MALI], "c": []}
    info = any_store.enrichments.of(["a", "b", "c"])
    assert info["a"] == {"language": "fr", "topics": ["11000000"], "keywords": ["Goïta"], "notes": ["note"]}
    assert info["b"]["language"] == "en" and set(info) == {"a", "b", "c"}
    assert any_store.enrichments.unenriched(["a", "b", "c", "d"]) == ["d"]
    assert any_store.enrichments.tag_slugs() == ["assimi-goita", "mali"]


def test_replace_many_replaces_links_and_sidebars(any_store: Store) -> None:
    for i, article_id in enumerate(("a", "b", "c", "d")):
        _file(any_store, article_id, i)
    any_store.related.replace("d", ["a"], sidebar=["a"])
    any_store.related.replace_many([Links("d", ["c", "b", "a"], 1, ["c"]), Links("c", ["b", "a"], 0, [])])
    assert any_store.related.of(["c", "d"]) == {"c": ["b", "a"], "d": ["c", "b", "a"]}
    assert any_store.related.of(["c", "d"], story_only=True) == {"c": [], "d": ["c"]}
    assert any_store.related.sidebar_of(["c", "d"]) == {"c": [], "d": ["c"]}
