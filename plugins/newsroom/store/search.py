"""French full-text search over the archive, in the database we already run.

SQLite: an FTS5 table (``unicode61`` tokenizer, diacritics removed) ranked
with bm25, title weighted over tags over body. PostgreSQL: a ``tsvector``
column built with the ``french`` configuration (stemming, stop words), a GIN
index, ranked with ``ts_rank_cd``. Both answer the same question: which live
articles published before a given time best match these terms. Related
links (``newsroom.enrich.related``) re-rank what this returns.

SQLite keeps beside the index how many documents hold each token
(``search_terms``, kept equal to the FTS5 vocabulary by every upsert and
delete): reading a common token's count from the vocabulary means reading its
whole posting list (17 ms at 100,000 articles), from the table one row. A
database made before the table existed is filled from the vocabulary once, by
the baseline migration (``newsroom.store.search_tables.create_search_index``).

SQLite's index is in publication order (revision 0002, ``newsroom.store.search_order``):
"published before" is a rowid bound FTS5 skips on, so a query for an article from the
archive's first months reads and scores only the matches before it, not every match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Engine, text

from newsroom.store.live import live_sql
from newsroom.store.search_order import before_bound, free_position, since_bound
from newsroom.store.search_tables import count_terms, uncount_terms
from newsroom.store.tables import UTCDateTime


@dataclass(frozen=True)
class SearchDoc:
    article_id: str
    title: str
    body: str
    tags: str


# A term found in more than this share of an archive of at least PRUNE_MIN_DOCS articles
# ("Bénin" on a Beninese site) ranks nothing and makes the query read much of the index.
BM25 = "bm25(search_text, 5.0, 3.0, 1.0)"  # title, tags, body
PRUNE_SHARE = 0.04
BEST_FIRST, BEST_LAST = 200, 1_600  # matches read by score alone before joining (see SearchIndex._best_live)
PRUNE_MIN_DOCS = 5_000
KEEP_AT_LEAST = 3


def _tokens(term: str) -> list[str]:
    """A term's tokens as the unicode61 tokenizer with remove_diacritics stores them."""
    folded = unicodedata.normalize("NFKD", term.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [t for t in re.split(r"[^\w]+", plain) if t]


def _phrases(terms: Sequence[str]) -> list[str]:
    """The terms as FTS5 phrases (quoted), each once."""
    phrases = []
    for term in terms:
        cleaned = " ".join(term.replace('"', " ").split())
        if cleaned:
            phrases.append(f'"{cleaned}"')
    return list(dict.fromkeys(phrases))


def _fts5_query(terms: Sequence[str]) -> str:
    return " OR ".join(_phrases(terms))


class SearchIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def upsert(self, docs: Sequence[SearchDoc]) -> None:
        if not docs:
            return
        with self.engine.begin() as conn:
            if self.dialect == "sqlite":
                docs = list({doc.article_id: doc for doc in docs}.values())
                # a new entry's position: its article's publication second (the triggers keep it there)
                conn.execute(
                    text(
                        "INSERT OR IGNORE INTO search_keys (article_id, pos) VALUES "
                        f"(:id, {free_position('(SELECT published FROM articles WHERE id = :id)')})"
                    ),
                    [{"id": doc.article_id} for doc in docs],
                )
                positions = self._positions(conn, [doc.article_id for doc in docs])
                uncount_terms(conn, list(positions.values()))
                conn.execute(
                    text("DELETE FROM search_text WHERE rowid = :pos"), [{"pos": d} for d in positions.values()]
                )
                rows = [
                    {"pos": positions[doc.article_id], "title": doc.title, "tags": doc.tags, "body": doc.body}
                    for doc in docs
                ]
                conn.execute(
                    text("INSERT INTO search_text (rowid, title, tags, body) VALUES (:pos, :title, :tags, :body)"),
                    rows,
                )
                count_terms(conn, rows, +1)
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

    @staticmethod
    def _positions(conn: Any, ids: Sequence[str]) -> dict[str, int]:
        """Each indexed article's position (its FTS5 rowid)."""
        docids: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(f":i{i}" for i in range(len(chunk)))
            found = conn.execute(
                text(f"SELECT article_id, pos FROM search_keys WHERE article_id IN ({marks})"),
                {f"i{i}": v for i, v in enumerate(chunk)},
            ).all()
            docids.update({str(r[0]): int(r[1]) for r in found})
        return docids

    def _doc_counts(self, conn: Any, terms: Sequence[str]) -> dict[str, int]:
        """How many indexed articles hold each term (a phrase: its rarest token), from ``search_terms``."""
        tokens = sorted({t for term in terms for t in _tokens(term)})
        if not tokens:
            return {}
        marks = ", ".join("?" * len(tokens))
        rows = conn.exec_driver_sql(f"SELECT term, docs FROM search_terms WHERE term IN ({marks})", tuple(tokens)).all()
        df = {str(r[0]): int(r[1]) for r in rows}
        return {term: min((df.get(t, 0) for t in _tokens(term)), default=0) for term in terms}

    def _selective(self, conn: Any, terms: Sequence[str], df: dict[str, int] | None = None) -> list[str]:
        """The terms minus those too common to rank anything (SQLite: from the FTS5 vocabulary).

        Below ``PRUNE_MIN_DOCS`` articles, or when fewer than ``KEEP_AT_LEAST`` terms
        would remain, the rarest are kept.
        """
        total = conn.exec_driver_sql("SELECT max(docid) FROM search_keys").scalar() or 0
        if total < PRUNE_MIN_DOCS or len(terms) <= KEEP_AT_LEAST:
            return list(terms)
        df = self._doc_counts(conn, terms) if df is None else df
        rarity = sorted((df.get(term, 0), term) for term in terms)
        limit = PRUNE_SHARE * total
        kept = [term for count, term in rarity if count <= limit]
        if len(kept) < KEEP_AT_LEAST:
            kept = [term for _count, term in rarity[:KEEP_AT_LEAST]]
        return [t for t in terms if t in kept]

    @staticmethod
    def _holds(conn: Any, pos: int, kept: Sequence[str], df: dict[str, int]) -> bool:
        """Whether the entry at ``pos`` matches every kept term that at most one entry holds (its rarest
        token in one document): then that entry is the one, and no other matches those terms."""
        rare = [t for t in kept if df.get(t, 0) == 1]
        if not rare:
            return True
        found = conn.exec_driver_sql(
            "SELECT 1 FROM search_text WHERE search_text MATCH :q AND rowid = :pos",
            {"q": " AND ".join(_phrases(rare)), "pos": pos},
        ).first()
        return found is not None

    def delete(self, ids: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            if self.dialect == "sqlite":
                uncount_terms(conn, list(self._positions(conn, list(dict.fromkeys(ids))).values()))
            for article_id in ids:
                if self.dialect == "sqlite":
                    conn.execute(
                        text(
                            "DELETE FROM search_text WHERE rowid = (SELECT pos FROM search_keys WHERE article_id = :id)"
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

    @staticmethod
    def _bounds(params: dict[str, Any], position: str = "rowid") -> str:
        """SQL: whether ``position`` is one an entry published in [``since``, ``before``) can hold (a
        superset: the live test on ``articles.published`` is the exact one)."""
        bound = f"{position} < {before_bound(':before')}"
        if params.get("since") is not None:
            bound += f" AND {position} >= {since_bound(':since')}"
        return bound

    @staticmethod
    def _best_live(conn: Any, live: str, params: dict[str, Any], own: int | None = None) -> tuple[list[Any], Any]:
        """(article id, bm25) of the first ``limit`` matches of ``q`` that pass ``live``, ordered by
        score, then newest, then id: exactly what joining every match to its article and sorting gives,
        without joining every match (6,000 and more for a query at 100,000 articles).

        Only entries before the bound of ``before`` (and from that of ``since``, when given: publication
        order, ``newsroom.store.search_order``) are read and scored. The index gives its best ``n`` of
        them by score alone (no join); those scoring strictly less than the ``n``-th are all the
        matches that do, so when enough of them pass the filter, they hold the answer. Otherwise ``n``
        grows, and beyond ``BEST_LAST`` every match within the bounds is joined. Run on the driver
        (``exec_driver_sql``, named parameters): SQLAlchemy's compiling of a statement with hundreds of
        parameters cost more than SQLite's work.

        ``own``: the position of an entry (before the bound) whose score is wanted too: sorted first
        by the same statement (FTS5 counts every phrase's matches once per statement, 2 ms at
        100,000 articles), and returned beside the rows (None if it does not match).
        """
        bound = SearchIndex._bounds(params)
        n = BEST_FIRST
        own_score = None
        while n <= BEST_LAST:
            first = "" if own is None else "rowid = :own DESC, "
            best = conn.exec_driver_sql(
                f"SELECT rowid, {BM25} AS score FROM search_text WHERE search_text MATCH :q AND {bound} "
                f"ORDER BY {first}score LIMIT :n",
                {
                    "q": params["q"],
                    "before": params["before"],
                    "since": params.get("since"),
                    "n": n if own is None else n + 1,
                    "own": own,
                },
            ).all()
            if own is not None:
                if best and best[0][0] == own:
                    own_score, best = best[0][1], best[1:]
                best, own = best[:n], None
            complete = len(best) < n
            scores = [(int(r[0]), float(r[1])) for r in best if complete or r[1] < best[-1][1]]
            if scores:
                values = ", ".join(f"(:p{i}, :s{i})" for i in range(len(scores)))
                bound_scores = {f"p{i}": d for i, (d, _s) in enumerate(scores)} | {
                    f"s{i}": v for i, (_d, v) in enumerate(scores)
                }
                rows = conn.exec_driver_sql(
                    f"WITH c(pos, score) AS (VALUES {values}) SELECT k.article_id, c.score FROM c "
                    "JOIN search_keys k ON k.pos = c.pos JOIN articles a ON a.id = k.article_id "
                    f"WHERE {live} ORDER BY c.score, a.published DESC, k.article_id LIMIT :limit",
                    {**params, **bound_scores},
                ).all()
            else:
                rows = []
            if complete or len(rows) >= params["limit"]:
                return list(rows), own_score
            n *= 8
        if own is not None:  # no shortcut taken (BEST_LAST below BEST_FIRST): its own statement
            own_score = conn.exec_driver_sql(
                f"SELECT {BM25} FROM search_text WHERE search_text MATCH :q AND rowid = :own",
                {"q": params["q"], "own": own},
            ).scalar()
        every = conn.exec_driver_sql(
            f"SELECT k.article_id, {BM25} AS score FROM search_text f "
            "JOIN search_keys k ON k.pos = f.rowid JOIN articles a ON a.id = k.article_id "
            f"WHERE search_text MATCH :q AND {SearchIndex._bounds(params, 'f.rowid')} AND {live} "
            "ORDER BY score, a.published DESC, k.article_id LIMIT :limit",  # ties: a stable order
            params,
        ).all()
        return list(every), own_score

    def related_hits(
        self,
        terms: Sequence[str],
        article_id: str,
        *,
        before: datetime,
        now: datetime,
        limit: int = 50,
        since: datetime | None = None,
    ) -> tuple[list[tuple[str, float]], float]:
        """:meth:`candidates` for ``article_id``, and how well the article matches its own query
        (the same scale: a hit's relevance divided by it says how alike the two texts are).

        ``since``: only articles published at or after it are candidates. On SQLite that is a rowid
        bound too, so the query reads and scores only the matches in [``since``, ``before``); the
        scores (bm25's term rarities over the whole index) are those of the unbounded query.

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
        if since is not None:
            params["since"] = UTCDateTime().process_bind_param(since, None)
            live += " AND a.published >= :since"
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                df = self._doc_counts(conn, terms)
                kept = self._selective(conn, terms, df)
                query = _fts5_query(kept)
                if not query:
                    return [], 0.0
                shared = _fts5_query([t for t in kept if df.get(t, 0) >= 2])
                stored = DateTime().dialect_impl(conn.dialect).bind_processor(conn.dialect)  # as the ORM writes it
                if stored is not None:
                    params |= {"before": stored(params["before"]), "now": stored(params["now"])}
                    if since is not None:
                        params["since"] = stored(params["since"])
                found = conn.exec_driver_sql(
                    f"SELECT pos, ({self._bounds(params, 'pos')}) FROM search_keys WHERE article_id = :exclude",
                    {"exclude": article_id, "before": params["before"], "since": params.get("since")},
                ).first()
                pos = None if found is None else int(found[0])
                if shared and pos is not None and found is not None and found[1] and self._holds(conn, pos, kept, df):
                    # the phrases left out of ``shared`` match no other entry: each adds 0.0 to every
                    # other score, so ``shared`` ranks the others bit for bit as ``query`` does, and
                    # gives the article's own score in the same statement
                    hits, own = self._best_live(conn, live, {**params, "q": shared}, own=pos)
                else:
                    hits, _none = self._best_live(conn, live, {**params, "q": query})
                    own = (
                        conn.exec_driver_sql(
                            f"SELECT {BM25} FROM search_text WHERE search_text MATCH :q AND rowid = :pos",
                            {"q": shared, "pos": pos},
                        ).scalar()
                        if shared and pos is not None
                        else None
                    )
                return [(str(r[0]), -float(r[1])) for r in hits], -float(own or 0.0)
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
