"""Tag listings read from the tag table's (tag, published) index, on both databases.

The tag table carries a copy of each article's publication date so that a tag
listing and its first page come from a range of that index instead of every
row of the tag. These tests hold the copy to the article row: the order must
be the one the articles' own dates give (newest first, ties by id), whatever
happens to an article after it was tagged; and a database made before the
copy existed is brought up to date when it is opened (SQLite), or refused until
``newsroom db upgrade`` (PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from newsroom.models import Article, SchemaError, Tag
from newsroom.store import Store
from newsroom.store.engine import engine_for, make_engine
from newsroom.store.schema import upgrade

TZ = ZoneInfo("Africa/Porto-Novo")
T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 7, 1, tzinfo=UTC)
MALI = Tag("mali", "Mali", "place")
COTONOU = Tag("cotonou", "Cotonou", "place")
ECONOMIE = Tag("economie", "Économie", "topic")


def _file(store: Store, article_id: str, hours: float, tags: list[Tag] | None, **extra: object) -> None:
    """File a version; with ``tags`` None, its enrichment is not run again (a new version not enriched yet)."""
    article = Article.model_validate(
        {
            "id": article_id,
            "slug": article_id,
            "title": f"Titre {article_id}",
            "body_html": f"<p>Corps de {article_id} {extra.pop('body', '')}</p>",
            "section": "diplomatie",
            "published": T0 + timedelta(hours=hours),
            **extra,
        }
    )
    store.articles.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=TZ, now=NOW)
    if tags is None:
        return
    store.enrichments.save(article_id, tags=tags, language="fr", topics=[], keywords=[], notes=[], now=NOW)


def _expected(store: Store, tag: str) -> list[str]:
    """The tag's live articles by their own article rows: newest first, ties by id."""
    live = store.articles.live_ids(store.articles.all_ids(), NOW)
    tagged = [i for i, tags in store.enrichments.tags_of(live).items() if tag in {t.slug for t in tags}]
    rows = store.articles.records(tagged)
    return sorted(tagged, key=lambda i: (rows[i].published, i), reverse=True)


def _archive(store: Store) -> None:
    for n in range(12):
        tags = [MALI] + ([COTONOU] if n % 2 else []) + ([ECONOMIE] if n % 3 == 0 else [])
        _file(store, f"a{n:02d}", n * 5, tags)
    _file(store, "same-time-b", 20, [MALI, COTONOU])  # the same minute as a04: ties broken by id
    _file(store, "embargoed", 30, [MALI], embargo_until=NOW + timedelta(days=2))
    _file(store, "taken-down", 31, [MALI, ECONOMIE])
    store.takedowns.take_down("taken-down", reason="test", by="test", now=NOW)


def test_tag_listings_follow_the_articles_dates_and_visibility(any_store: Store) -> None:
    store = any_store
    _archive(store)
    # a correction moves a01 to the newest spot, and a later one moves a10 back to the oldest
    _file(store, "a01", 100, [MALI, COTONOU], body="corrigé")
    _file(store, "a10", -50, [MALI], body="redaté")  # also loses the cotonou tag
    _file(store, "a03", 70, None, body="redaté sans enrichissement")  # its tag rows must follow all the same
    # re-enriching without a new version keeps the date the tag rows carry
    store.enrichments.save("a05", tags=[MALI, ECONOMIE], language="fr", topics=[], keywords=[], notes=[], now=NOW)

    for tag in ("mali", "cotonou", "economie"):
        expected = _expected(store, tag)
        assert store.listings.ids(NOW, tag=tag) == expected, tag
        assert [item.id for item in store.listings.items(NOW, tag=tag)] == expected, tag
        assert [item.id for item in store.listings.items(NOW, tag=tag, limit=3)] == expected[:3], tag
    mali = store.listings.ids(NOW, tag="mali")
    assert mali[:2] == ["a01", "a03"] and mali[-1] == "a10"
    assert "embargoed" not in mali and "taken-down" not in mali
    assert mali.index("same-time-b") == mali.index("a04") - 1  # same date: the greater id first

    # the embargo lifts: the article joins its listing in its place
    later = NOW + timedelta(days=3)
    assert "embargoed" in store.listings.ids(later, tag="mali")


def test_tag_first_pages_dates_match_the_listings(any_store: Store) -> None:
    store = any_store
    _archive(store)
    _file(store, "a02", 90, [MALI, ECONOMIE], body="corrigé", updated=NOW - timedelta(hours=1))
    for size in (1, 3, 50):
        dated = store.listings.tag_first_page_lastmod(NOW, size)
        assert set(dated) == {"mali", "cotonou", "economie"}
        for tag, stamp in dated.items():
            assert stamp == max(item.modified for item in store.listings.items(NOW, tag=tag, limit=size)), (tag, size)
    assert store.listings.tag_first_page_lastmod(NOW, 3)["economie"] == NOW - timedelta(hours=1)


def test_a_database_from_before_the_date_copy_is_brought_up_to_date(any_store: Store) -> None:
    store = any_store
    _archive(store)
    expected = {tag: _expected(store, tag) for tag in ("mali", "cotonou", "economie")}
    url = store.url
    with store.engine.begin() as conn:  # the schema as it was: no copy, an index on the tag alone
        conn.execute(text("DROP INDEX ix_article_tags_tag_published"))
        conn.execute(text("DROP INDEX ix_articles_taken_down"))
        conn.execute(text("ALTER TABLE article_tags DROP COLUMN published"))
        conn.execute(text("CREATE INDEX ix_article_tags_tag ON article_tags (tag)"))
        conn.execute(text("DROP TABLE alembic_version"))  # and made before Alembic
    store.close()
    engine_for.cache_clear()
    if store.engine.dialect.name != "sqlite":  # refused when opened: `newsroom db upgrade` first
        with pytest.raises(SchemaError, match=r"at revision none .* run `newsroom db upgrade`"):
            Store.from_url(url)
        engine = make_engine(url, check_schema=False)
        assert upgrade(engine).made_before_alembic
        engine.dispose()

    reopened = Store.from_url(url)
    schema = inspect(reopened.engine)
    assert "published" in {c["name"] for c in schema.get_columns("article_tags")}
    assert {i["name"] for i in schema.get_indexes("article_tags")} >= {"ix_article_tags_tag_published"}
    assert "ix_article_tags_tag" not in {i["name"] for i in schema.get_indexes("article_tags")}
    assert "ix_articles_taken_down" in {i["name"] for i in schema.get_indexes("articles")}
    for tag, ids in expected.items():
        assert reopened.listings.ids(NOW, tag=tag) == ids, tag
    # opening it again changes nothing
    reopened.engine.dispose()
    engine_for.cache_clear()
    assert Store.from_url(url).listings.ids(NOW, tag="mali") == expected["mali"]
