"""French full-text search over the archive, in the database we already run.

SQLite: an FTS5 table (``unicode61`` tokenizer, diacritics removed) ranked
with bm25, title weighted over tags over body. PostgreSQL: a ``tsvector``
column built with the ``french`` configuration (stemming, stop words), a GIN
index, ranked with ``ts_rank_cd``. Both answer the same question: which live
articles published before a given time best match these terms. Related
links (``newsroom.enrich.related``) re-rank what this returns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from newsroom.store.live import live_sql
from newsroom.store.tables import UTCDateTime


@dataclass(frozen=True)
class SearchDoc:
    article_id: str
    title: str
    body: str
    tags: str


def create_search_index(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
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
        elif engine.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS search_docs ("
                    "article_id VARCHAR(128) PRIMARY KEY REFERENCES articles(id), tsv tsvector NOT NULL)"
                )
            )
            conn.execute(text("CREATE INDEX IF NOT EXISTS ix_search_docs_tsv ON search_docs USING GIN (tsv)"))


# A term found in more than this share of an archive of at least PRUNE_MIN_DOCS articles
# ("Bénin" on a Beninese site) ranks nothing and makes the query read much of the index.
BM25 = "bm25(search_text, 5.0, 3.0, 1.0)"  # title, tags, body
PRUNE_SHARE = 0.04
PRUNE_MIN_DOCS = 5_000
KEEP_AT_LEAST = 3


def _tokens(term: str) -> list[str]:
    """A term's tokens as the unicode61 tokenizer with remove_diacritics stores them."""
    folded = unicodedata.normalize("NFKD", term.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [t for t in re.split(r"[^\w]+", plain) if t]


def _fts5_query(terms: Sequence[str]) -> str:
    phrases = []
    for term in terms:
        cleaned = " ".join(term.replace('"', " ").split())
        if cleaned:
            phrases.append(f'"{cleaned}"')
    return " OR ".join(dict.fromkeys(phrases))


class SearchIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def upsert(self, docs: Sequence[SearchDoc]) -> None:
        if not docs:
            return
        with self.engine.begin() as conn:
            if self.dialect == "sqlite":
                for doc in docs:
                    conn.execute(
                        text("INSERT OR IGNORE INTO search_keys (article_id) VALUES (:id)"), {"id": doc.article_id}
                    )
                    docid = conn.execute(
                        text("SELECT docid FROM search_keys WHERE article_id = :id"), {"id": doc.article_id}
                    ).scalar_one()
                    conn.execute(text("DELETE FROM search_text WHERE rowid = :docid"), {"docid": docid})
                    conn.execute(
                        text(
                            "INSERT INTO search_text (rowid, title, tags, body) VALUES (:docid, :title, :tags, :body)"
                        ),
                        {"docid": docid, "title": doc.title, "tags": doc.tags, "body": doc.body},
                    )
            elif self.dialect == "postgresql":
                conn.execute(
                    text(
                        "INSERT INTO search_docs (article_id, tsv) VALUES (:id, "
                        "setweight(to_tsvector('french', :title), 'A') || setweight(to_tsvector('french', :tags), 'B')"
                        " || setweight(to_tsvector('french', :body), 'C')) "
                        "ON CONFLICT (article_id) DO UPDATE SET tsv = EXCLUDED.tsv"
                    ),
                    [{"id": d.article_id, "title": d.title, "tags": d.tags, "body": d.body} for d in docs],
                )

    def _doc_counts(self, conn: Any, terms: Sequence[str]) -> dict[str, int]:
        """How many indexed articles hold each term (a phrase: its rarest token), from the FTS5 vocabulary."""
        tokens = sorted({t for term in terms for t in _tokens(term)})
        if not tokens:
            return {}
        marks = ", ".join(f":t{i}" for i in range(len(tokens)))
        rows = conn.execute(
            text(f"SELECT term, doc FROM search_vocab WHERE term IN ({marks})"),
            {f"t{i}": t for i, t in enumerate(tokens)},
        ).all()
        df = {str(r[0]): int(r[1]) for r in rows}
        return {term: min((df.get(t, 0) for t in _tokens(term)), default=0) for term in terms}

    def _selective(self, conn: Any, terms: Sequence[str], df: dict[str, int] | None = None) -> list[str]:
        """The terms minus those too common to rank anything (SQLite: from the FTS5 vocabulary).

        Below ``PRUNE_MIN_DOCS`` articles, or when fewer than ``KEEP_AT_LEAST`` terms
        would remain, the rarest are kept.
        """
        total = conn.execute(text("SELECT max(docid) FROM search_keys")).scalar() or 0
        if total < PRUNE_MIN_DOCS or len(terms) <= KEEP_AT_LEAST:
            return list(terms)
        df = self._doc_counts(conn, terms) if df is None else df
        rarity = sorted((df.get(term, 0), term) for term in terms)
        limit = PRUNE_SHARE * total
        kept = [term for count, term in rarity if count <= limit]
        if len(kept) < KEEP_AT_LEAST:
            kept = [term for _count, term in rarity[:KEEP_AT_LEAST]]
        return [t for t in terms if t in kept]

    def delete(self, ids: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            for article_id in ids:
                if self.dialect == "sqlite":
                    conn.execute(
                        text(
                            "DELETE FROM search_text WHERE rowid = "
                            "(SELECT docid FROM search_keys WHERE article_id = :id)"
                        ),
                        {"id": article_id},
                    )
                else:
                    conn.execute(text("DELETE FROM search_docs WHERE article_id = :id"), {"id": article_id})

    def candidates(
        self, terms: Sequence[str], *, exclude: str, before: datetime, now: datetime, limit: int = 50
    ) -> list[tuple[str, float]]:
        """(article id, relevance: higher is better) of live articles published before ``before``."""
        return self.related_hits(terms, exclude, before=before, now=now, limit=limit)[0]

    def related_hits(
        self, terms: Sequence[str], article_id: str, *, before: datetime, now: datetime, limit: int = 50
    ) -> tuple[list[tuple[str, float]], float]:
        """:meth:`candidates` for ``article_id``, and how well the article matches its own query
        (the same scale: a hit's relevance divided by it says how alike the two texts are).

        The article's own match counts only the terms another article holds too: a word
        found in this article alone can match nothing, and would make every hit look unlike.
        (That count depends on what the index holds at the moment: a backfill, whose
        batches of a day run in any order, decides its related links by shared tags.)
        """
        if not terms:
            return [], 0.0
        params = {
            "exclude": article_id,
            "before": UTCDateTime().process_bind_param(before, None),
            "now": UTCDateTime().process_bind_param(now, None),
            "limit": limit,
        }
        live = f"a.id != :exclude AND a.published < :before AND {live_sql('a')}"
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                df = self._doc_counts(conn, terms)
                kept = self._selective(conn, terms, df)
                query = _fts5_query(kept)
                if not query:
                    return [], 0.0
                shared = _fts5_query([t for t in kept if df.get(t, 0) >= 2])
                rows = conn.execute(
                    text(
                        f"SELECT k.article_id, {BM25} AS score FROM search_text f "
                        "JOIN search_keys k ON k.docid = f.rowid JOIN articles a ON a.id = k.article_id "
                        f"WHERE search_text MATCH :q AND {live} "
                        "ORDER BY score, a.published DESC, k.article_id LIMIT :limit"  # ties: a stable order
                    ),
                    {**params, "q": query},
                ).all()
                own = (
                    conn.execute(
                        text(
                            f"SELECT {BM25} FROM search_text f JOIN search_keys k "
                            "ON k.docid = f.rowid WHERE search_text MATCH :q AND k.article_id = :exclude"
                        ),
                        {"q": shared, "exclude": article_id},
                    ).scalar()
                    if shared
                    else None
                )
                return [(str(r[0]), -float(r[1])) for r in rows], -float(own or 0.0)
            if self.dialect == "postgresql":
                query = " OR ".join(t.replace('"', " ") for t in terms)
                rows = conn.execute(
                    text(
                        "SELECT s.article_id, ts_rank_cd(s.tsv, q) AS score FROM search_docs s "
                        "JOIN articles a ON a.id = s.article_id, websearch_to_tsquery('french', :q) q "
                        f"WHERE s.tsv @@ q AND {live} "
                        "ORDER BY score DESC, a.published DESC, s.article_id LIMIT :limit"
                    ),
                    {**params, "q": query},
                ).all()
                own = conn.execute(
                    text(
                        "SELECT ts_rank_cd(s.tsv, q) FROM search_docs s, websearch_to_tsquery('french', :q) q "
                        "WHERE s.article_id = :exclude"
                    ),
                    {"q": query, "exclude": article_id},
                ).scalar()
                return [(str(r[0]), float(r[1])) for r in rows], float(own or 0.0)
        return [], 0.0
