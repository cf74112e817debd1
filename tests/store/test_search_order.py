"""SQLite's search index in publication order (revision 0002): however articles arrive (backfilled in
any order, re-dated by a correction, indexed before they are stored), the related hits are those of
filing in order, and a database at 0001 upgraded to 0002 answers as it did."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from newsroom.models import Article
from newsroom.store import Store
from newsroom.store.engine import engine_for, make_engine
from newsroom.store.revision import HEAD
from newsroom.store.schema import MIGRATIONS, revision_of
from newsroom.store.search import BM25, SearchDoc, _fts5_query
from newsroom.store.tables import ArticleRow, UTCDateTime

T0 = datetime(2024, 3, 1, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
WORDS = "Bénin Cotonou élection Talon Niger frontière opposition Zinder Goïta Moscou accord pétrole port Lomé".split()
Doc = tuple[str, datetime, str, str]


def _archive(seed: int, count: int = 90) -> list[Doc]:
    """(id, published, title, body): some share a second (slots), some fall years apart."""
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        when = T0 + timedelta(days=rng.randrange(400), hours=rng.randrange(3)) if i % 9 else T0 + timedelta(days=7)
        title = " ".join(rng.choice(WORDS) for _ in range(3))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 25)))
        body += f" Unique{i}" if i % 10 == 3 else ""  # a word one article holds
        docs.append((f"a{i:03}", when, title, body))
    return docs


def _record(store: Store, doc: Doc, published: datetime | None = None) -> None:
    article_id, when, title, body = doc
    article = Article.model_validate(
        {"id": article_id, "slug": article_id, "title": title, "body_html": f"<p>{body}</p>",
         "section": "diplomatie", "published": published or when}
    )  # fmt: skip
    store.articles.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=ZoneInfo("UTC"))


def _index(store: Store, doc: Doc) -> None:
    store.search.upsert([SearchDoc(doc[0], doc[2], doc[3], "")])


def _queries(docs: list[Doc]) -> list[tuple[list[str], str, datetime]]:
    rng = random.Random(11)
    queries = [(rng.sample(WORDS, 4), doc[0], doc[1]) for doc in docs] + [(["Zinder", "Lomé"], "none", NOW)]
    for i, doc in enumerate(docs):
        if i % 10 == 3:  # with a word only this article holds, then one only another holds
            queries.append(([*rng.sample(WORDS, 3), f"Unique{i}"], doc[0], doc[1]))
            queries.append(([*rng.sample(WORDS, 3), f"Unique{(i + 10) % len(docs)}"], doc[0], NOW))
    return queries


def _answers(store: Store, docs: list[Doc]) -> list[tuple[list[tuple[str, float]], float]]:
    return [store.search.related_hits(t, me, before=b, now=NOW, limit=8) for t, me, b in _queries(docs)]


def _in_publication_order(store: Store) -> bool:
    with store.engine.connect() as conn:
        found = conn.execute(
            text("SELECT a.published FROM search_keys k JOIN articles a ON a.id = k.article_id ORDER BY k.pos")
        ).scalars()
        dates = list(found)
    return dates == sorted(dates)


def test_out_of_order_filing_corrections_and_early_indexing_give_the_same_hits_as_in_order(tmp_path: Path) -> None:
    docs = _archive(3)
    in_order = Store.from_url(f"sqlite:///{tmp_path / 'in-order.db'}")
    for doc in sorted(docs, key=lambda d: (d[1], d[0])):
        _record(in_order, doc)
        _index(in_order, doc)
    expected = _answers(in_order, docs)
    assert sum(len(hits) for hits, _own in expected) > 300 and _in_publication_order(in_order)

    shuffled = Store.from_url(f"sqlite:///{tmp_path / 'shuffled.db'}")
    rng = random.Random(8)
    order = rng.sample(docs, len(docs))  # a backfill in any order
    for n, doc in enumerate(order):
        if n % 7 == 0:  # filed with a wrong date, indexed, then corrected: the trigger moves the entry
            _record(shuffled, doc, published=doc[1] + timedelta(days=rng.choice((-300, 300))))
            _index(shuffled, doc)
            _record(shuffled, doc)
        elif n % 7 == 1:  # indexed before its article is stored (undated), then stored
            _index(shuffled, doc)
            _record(shuffled, doc)
        elif n % 7 == 2:  # corrected and indexed again, as the pipeline does
            _record(shuffled, doc, published=doc[1] - timedelta(days=2))
            _index(shuffled, doc)
            _record(shuffled, doc)
            _index(shuffled, doc)
        else:
            _record(shuffled, doc)
            _index(shuffled, doc)
    assert _in_publication_order(shuffled)
    assert _answers(shuffled, docs) == expected

    shuffled.search.delete(["a001", "a002"])  # deleted and filed again: a new position, the same answers
    for doc in docs[1:3]:
        _index(shuffled, doc)
    assert _answers(shuffled, docs) == expected


def test_a_database_at_0001_upgraded_to_0002_answers_the_same_related_queries(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    plain = make_engine(url, check_schema=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with plain.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    assert revision_of(plain) == "0001"
    old = Store(plain)  # the repositories on the 0001 schema, without opening (which would upgrade it)
    docs = _archive(5)
    filed = random.Random(2).sample(docs, len(docs))
    for doc in filed:
        _record(old, doc)
    with plain.begin() as conn:  # the 0001 index: rowids in the order articles were indexed, here random
        for doc in filed:
            docid = conn.execute(
                text("INSERT INTO search_keys (article_id) VALUES (:id) RETURNING docid"), {"id": doc[0]}
            ).scalar()
            conn.execute(
                text("INSERT INTO search_text (rowid, title, tags, body) VALUES (:d, :title, '', :body)"),
                {"d": docid, "title": doc[2], "body": doc[3]},
            )
        conn.execute(text("INSERT INTO search_terms (term, docs) SELECT term, doc FROM search_vocab"))

    def at_0001(terms: list[str], me: str, before: datetime) -> tuple[list[tuple[str, float]], float]:
        """0001's answer: every match joined to its article (what its shortcut was proven equal to)."""
        stamp = UTCDateTime().process_bind_param
        with plain.connect() as conn:
            df = old.search._doc_counts(conn, terms)
            rows = conn.execute(
                text(
                    f"SELECT k.article_id, {BM25} AS score FROM search_text f "
                    "JOIN search_keys k ON k.docid = f.rowid JOIN articles a ON a.id = k.article_id "
                    "WHERE search_text MATCH :q AND a.id != :me AND a.published < :before "
                    "AND a.taken_down_at IS NULL AND (a.visible_from IS NULL OR a.visible_from <= :now) "
                    "ORDER BY score, a.published DESC, k.article_id LIMIT 8"
                ),
                {"q": _fts5_query(terms), "me": me, "before": stamp(before, None), "now": stamp(NOW, None)},
            ).all()
            shared = _fts5_query([t for t in terms if df.get(t, 0) >= 2])
            own = conn.execute(
                text(
                    f"SELECT {BM25} FROM search_text f JOIN search_keys k ON k.docid = f.rowid "
                    "WHERE search_text MATCH :q AND k.article_id = :me"
                ),
                {"q": shared, "me": me},
            ).scalar()
        return [(str(r[0]), -float(r[1])) for r in rows], -float(own or 0.0)

    expected = [at_0001(t, me, b) for t, me, b in _queries(docs)]
    assert sum(len(hits) for hits, _own in expected) > 300
    plain.dispose()

    upgraded = Store.from_url(url)  # SQLite behind the head: upgraded when opened
    assert revision_of(upgraded.engine) == HEAD == "0002"
    assert _in_publication_order(upgraded)
    assert _answers(upgraded, docs) == expected
    latest = max(docs, key=lambda d: d[1])[0]
    assert upgraded.search.candidates(WORDS, exclude="none", before=T0, now=NOW) == []
    with upgraded.session() as session:  # the triggers came with it: re-dated, the entry moves
        row = session.get(ArticleRow, latest)
        assert row is not None
        row.published = T0 - timedelta(days=1000)
    assert _in_publication_order(upgraded)
    assert [h[0] for h in upgraded.search.candidates(WORDS, exclude="none", before=T0, now=NOW)] == [latest]
    upgraded.close()
    engine_for.cache_clear()
