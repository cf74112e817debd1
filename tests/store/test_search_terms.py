"""The token counts kept beside the SQLite index equal the FTS5 vocabulary's, through every change,
and a database indexed before they existed (and before Alembic) is upgraded once, when opened, and
queried the same."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from newsroom.models import Article
from newsroom.store import Store
from newsroom.store.engine import engine_for
from newsroom.store.search import SearchDoc

WORDS = "Bénin Cotonou élection Talon Niger frontière l'opposition Zinder ÉTÉ naïve x_2 Goïta Moscou accord".split()
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _counts(store: Store, table: str) -> dict[str, int]:
    column = "doc" if table == "search_vocab" else "docs"
    with store.engine.connect() as conn:
        return {str(r[0]): int(r[1]) for r in conn.execute(text(f"SELECT term, {column} FROM {table}"))}


def _doc(rng: random.Random, article_id: str) -> SearchDoc:
    def words(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    return SearchDoc(article_id, words(3), words(12), words(2))


def test_counts_follow_inserts_replacements_and_deletes(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'state.db'}")
    rng = random.Random(3)
    store.search.upsert([_doc(rng, f"a{i}") for i in range(30)])
    assert _counts(store, "search_terms") == _counts(store, "search_vocab") != {}
    store.search.upsert([_doc(rng, f"a{i}") for i in range(0, 40, 3)] + [_doc(rng, "a1"), _doc(rng, "a1")])
    assert _counts(store, "search_terms") == _counts(store, "search_vocab")
    store.search.delete(["a2", "a5", "a5", "missing"])
    store.search.upsert([_doc(rng, "a5")])
    assert _counts(store, "search_terms") == _counts(store, "search_vocab")
    store.search.delete([f"a{i}" for i in range(40)])
    assert _counts(store, "search_terms") == {} == _counts(store, "search_vocab")


def _file(store: Store, article_id: str, day: int, title: str, body: str) -> None:
    article = Article.model_validate(
        {"id": article_id, "slug": article_id, "title": title, "body_html": f"<p>{body}</p>",
         "section": "diplomatie", "published": datetime(2025, 6, 1, tzinfo=UTC) + timedelta(days=day)}
    )  # fmt: skip
    store.articles.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=ZoneInfo("UTC"))
    store.search.upsert([SearchDoc(article_id, title, body, "")])


def test_an_index_made_before_the_counts_is_upgraded_once_and_queried_the_same(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = Store.from_url(url)
    _file(store, "mali-1", 0, "Assimi Goïta en visite à Moscou", "Le président Assimi Goïta est arrivé à Moscou.")
    _file(store, "flood-1", 1, "Cotonou sous les eaux", "Des inondations touchent Cotonou.")
    _file(store, "mali-2", 2, "Goïta et Poutine signent", "Assimi Goïta et Vladimir Poutine ont signé à Moscou.")
    terms = ["Goïta", "Moscou", "Cotonou", "accords"]
    later = datetime(2025, 7, 1, tzinfo=UTC)
    expected = store.search.related_hits(terms, "mali-3", before=later, now=NOW)
    counts = _counts(store, "search_terms")
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE search_terms"))  # as a version before the counts left the database
        conn.execute(text("DROP TABLE alembic_version"))
    store.close()
    engine_for.cache_clear()

    upgraded = Store.from_url(url)
    assert _counts(upgraded, "search_terms") == counts == _counts(upgraded, "search_vocab")
    assert upgraded.search.related_hits(terms, "mali-3", before=later, now=NOW) == expected
    assert {h[0] for h in expected[0]} == {"mali-2", "mali-1", "flood-1"}
    _file(upgraded, "mali-3", 3, "Retour de Goïta", "Assimi Goïta est rentré de Moscou.")
    upgraded.close()
    engine_for.cache_clear()
    again = Store.from_url(url)  # opened again: nothing recounted, the counts still follow the index
    assert _counts(again, "search_terms") == _counts(again, "search_vocab")
