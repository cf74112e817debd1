"""The registry of tags enrichment created, and the review actions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsroom.models import Article, Tag
from newsroom.store import Store
from newsroom.store.tag_registry import ReviewError, TagInfo

TZ = ZoneInfo("Africa/Porto-Novo")
T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 7, 1, tzinfo=UTC)
KASSOGUE = ("mamadou-kassogue", "Mamadou Kassogué", "person", ["n:mamadou kassogue", "n:kassogue", "s:kassogue"])


def _file(store: Store, article_id: str, hours: float, tags: list[Tag]) -> None:
    article = Article.model_validate(
        {
            "id": article_id,
            "slug": article_id,
            "title": f"Titre {article_id}",
            "body_html": f"<p>Corps de {article_id}</p>",
            "section": "diplomatie",
            "published": T0 + timedelta(hours=hours),
        }
    )
    store.articles.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=TZ, now=NOW)
    store.enrichments.save(article_id, tags=tags, language="fr", topics=[], keywords=[], notes=[], now=NOW)


def test_register_and_resolve_by_name_and_surname(any_store: Store) -> None:
    registry = any_store.registry
    registry.register([KASSOGUE], T0, NOW)
    registry.register([KASSOGUE], T0 - timedelta(days=1), NOW)  # again, from an older article: idempotent
    found = registry.resolve(["n:kassogue", "s:kassogue", "n:unknown"])
    assert found == {
        "n:kassogue": TagInfo("mamadou-kassogue", "Mamadou Kassogué", "person"),
        "s:kassogue": TagInfo("mamadou-kassogue", "Mamadou Kassogué", "person"),
    }
    [row] = registry.listing()
    assert row.status == "pending" and row.first_published == T0 - timedelta(days=1)
    # a backfill day sees only the tags of earlier days
    assert registry.resolve(["n:kassogue"], before=T0 - timedelta(days=1)) == {}
    assert registry.resolve(["n:kassogue"], before=T0)["n:kassogue"] is not None


def test_a_surname_two_people_share_resolves_to_nobody(any_store: Store) -> None:
    registry = any_store.registry
    registry.register([KASSOGUE], T0, NOW)
    registry.register([("awa-kassogue", "Awa Kassogué", "person", ["n:awa kassogue", "s:kassogue"])], T0, NOW)
    found = registry.resolve(["s:kassogue", "n:awa kassogue"])
    assert "s:kassogue" not in found
    assert found["n:awa kassogue"] == TagInfo("awa-kassogue", "Awa Kassogué", "person")


def test_block_removes_the_tag_everywhere_and_its_names_resolve_to_none(any_store: Store) -> None:
    registry = any_store.registry
    registry.register([KASSOGUE], T0, NOW)
    tag = Tag("mamadou-kassogue", "Mamadou Kassogué", "person")
    _file(any_store, "a1", 1, [tag, Tag("mali", "Mali", "place")])
    _file(any_store, "a2", 2, [tag])
    assert registry.block("mamadou-kassogue", by="editor", now=NOW) == ["a1", "a2"]
    assert any_store.enrichments.tags_of(["a1", "a2"]) == {"a1": [Tag("mali", "Mali", "place")], "a2": []}
    assert registry.resolve(["n:kassogue"]) == {"n:kassogue": None}
    assert registry.get("mamadou-kassogue").status == "blocked"  # type: ignore[union-attr]
    assert registry.blocked() == ["mamadou-kassogue"]


def test_merge_moves_articles_and_names_and_leaves_a_redirect(any_store: Store) -> None:
    registry = any_store.registry
    registry.register([("goita", "Goïta", "person", ["n:goita"])], T0, NOW)
    target = TagInfo("assimi-goita", "Assimi Goïta", "person")
    _file(any_store, "a1", 1, [Tag("goita", "Goïta", "person")])
    _file(any_store, "a2", 2, [Tag("goita", "Goïta", "person"), Tag("assimi-goita", "Assimi Goïta", "person")])
    assert registry.merge("goita", target, by="editor", now=NOW) == ["a1", "a2"]
    tags = any_store.enrichments.tags_of(["a1", "a2"])
    assert tags["a1"] == [Tag("assimi-goita", "Assimi Goïta", "person")]
    assert tags["a2"] == [Tag("assimi-goita", "Assimi Goïta", "person")], "no duplicate where both were there"
    assert registry.resolve(["n:goita"]) == {"n:goita": target}
    assert registry.redirects() == {"goita": "assimi-goita"}
    assert any_store.listings.ids(NOW, tag="assimi-goita") == ["a2", "a1"]
    with pytest.raises(ReviewError):
        registry.merge("assimi-goita", TagInfo("assimi-goita", "x", "person"), by="e", now=NOW)


def test_rename_keeps_the_slug_or_moves_to_a_new_one(any_store: Store) -> None:
    registry = any_store.registry
    registry.register([KASSOGUE], T0, NOW)
    _file(any_store, "a1", 1, [Tag("mamadou-kassogue", "Mamadou Kassogué", "person")])
    assert registry.rename("mamadou-kassogue", "Mamadou  Kassogue", "mamadou-kassogue", by="e", now=NOW) == ["a1"]
    assert any_store.enrichments.tag_names(["mamadou-kassogue"]) == {"mamadou-kassogue": "Mamadou Kassogue"}
    assert registry.rename("mamadou-kassogue", "Mamadou Kassogué Traoré", "mamadou-kassogue-traore", by="e", now=NOW)
    assert any_store.enrichments.tags_of(["a1"])["a1"] == [
        Tag("mamadou-kassogue-traore", "Mamadou Kassogué Traoré", "person")
    ]
    assert registry.redirects() == {"mamadou-kassogue": "mamadou-kassogue-traore"}
    assert registry.resolve(["n:kassogue"])["n:kassogue"] == TagInfo(
        "mamadou-kassogue-traore", "Mamadou Kassogué Traoré", "person"
    )
    assert registry.get("mamadou-kassogue-traore").status == "approved"  # type: ignore[union-attr]


def test_actions_on_unknown_or_final_tags_are_refused(any_store: Store) -> None:
    registry = any_store.registry
    with pytest.raises(ReviewError, match="no tag"):
        registry.approve("nobody", by="e", now=NOW)
    registry.register([KASSOGUE], T0, NOW)
    registry.block("mamadou-kassogue", by="e", now=NOW)
    with pytest.raises(ReviewError, match="blocked"):
        registry.approve("mamadou-kassogue", by="e", now=NOW)
    registry.register([("awa", "Awa", "person", ["n:awa"])], T0, NOW)
    with pytest.raises(ReviewError, match="blocked"):
        registry.merge("awa", TagInfo("mamadou-kassogue", "Mamadou Kassogué", "person"), by="e", now=NOW)
