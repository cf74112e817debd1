"""The search index's tables, and the document counts kept beside them (``search_terms``).

SQLite: an FTS5 table, a key table mapping article ids to its rowids, and how
many documents hold each token, kept equal to the FTS5 vocabulary by every
upsert and delete (:func:`count_terms`, :func:`uncount_terms`): reading a
common token's count from the vocabulary means reading its whole posting list,
from the table one row. PostgreSQL: a ``tsvector`` column with a GIN index.
``newsroom.store.search`` reads and writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text


def create_search_index(conn: Connection) -> None:
    """The search index's tables for the connection's database (what is missing only), on ``conn``'s transaction.

    Called by the baseline migration (``newsroom/store/migrations/versions/v0001_baseline.py``): the
    one place this DDL is written. A later change to it is a new migration, not an edit here.
    """
    if conn.dialect.name == "sqlite":
        # FTS5 rows are addressed by rowid: a key table maps article ids to rowids, so replacing
        # one article's entry is a rowid lookup, not a scan of the whole index.
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS search_keys ("
                "docid INTEGER PRIMARY KEY AUTOINCREMENT, article_id VARCHAR(128) NOT NULL UNIQUE)"
            )
        )
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5("
                "title, tags, body, tokenize='unicode61 remove_diacritics 2')"
            )
        )
        # how many documents hold each token: to leave out of a query the terms half the archive holds
        conn.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_text, 'row')"))
        found = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'search_terms'")).first()
        if found is None:
            conn.execute(text("CREATE TABLE search_terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID"))
            # a database indexed before the table existed: its counts, once, from the vocabulary
            conn.execute(text("INSERT INTO search_terms (term, docs) SELECT term, doc FROM search_vocab"))
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS search_docs ("
                "article_id VARCHAR(128) PRIMARY KEY REFERENCES articles(id), tsv tsvector NOT NULL)"
            )
        )
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_search_docs_tsv ON search_docs USING GIN (tsv)"))


def count_terms(conn: Any, rows: Sequence[dict[str, Any]], sign: int) -> None:
    """Add (``sign`` +1) or take away (-1) these documents' tokens in ``search_terms``, tokenised by
    FTS5 itself: the documents go through a temporary FTS5 table with the same tokenizer, and its
    vocabulary gives how many of them hold each token."""
    if not rows:
        return
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_batch USING fts5("
            "title, tags, body, tokenize='unicode61 remove_diacritics 2')"
        )
    )
    conn.execute(
        text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_batch_vocab USING fts5vocab(temp, search_batch, 'row')")
    )
    conn.execute(text("DELETE FROM temp.search_batch"))
    conn.execute(
        text("INSERT INTO temp.search_batch (title, tags, body) VALUES (:title, :tags, :body)"),
        [{"title": r["title"], "tags": r["tags"], "body": r["body"]} for r in rows],
    )
    counts = [
        {"term": r[0], "docs": sign * int(r[1])}
        for r in conn.execute(text("SELECT term, doc FROM temp.search_batch_vocab"))
    ]
    conn.execute(text("DELETE FROM temp.search_batch"))
    if not counts:
        return
    conn.execute(
        text(
            "INSERT INTO search_terms (term, docs) VALUES (:term, :docs) "
            "ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs"
        ),
        counts,
    )
    if sign < 0:
        conn.execute(text("DELETE FROM search_terms WHERE term = :term AND docs <= 0"), counts)


def uncount_terms(conn: Any, positions: Sequence[int]) -> None:
    """Take the indexed documents at ``positions`` (those still in the index) out of ``search_terms``."""
    rows = []
    for pos in positions:
        found = conn.execute(text("SELECT title, tags, body FROM search_text WHERE rowid = :pos"), {"pos": pos}).first()
        if found is not None:
            rows.append({"title": found[0], "tags": found[1], "body": found[2]})
    count_terms(conn, rows, -1)
