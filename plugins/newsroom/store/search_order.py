"""The search index in publication order (revision 0002): where an SQLite entry sits, and what keeps it there.

An article's FTS5 rowid (``search_keys.pos``) is its publication second (UTC) times ``SLOTS`` plus a
free slot in that second, so "published before" is a rowid bound FTS5 skips on
(``newsroom.store.search``: a related-links query for an old article reads only the matches before
it). The positions are SQL expressions over a stored ``published`` value, written once here and used
by :meth:`~newsroom.store.search.SearchIndex.upsert`, its queries, the migration and the triggers on
``articles`` that move an entry when its article's date is set (a correction, a re-dated backfill, an
entry indexed before its article was stored). PostgreSQL's index is keyed by article id: nothing here
applies to it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Revision 0002: the index's rowids in publication order. An article's position is its publication
# second (UTC) times SLOTS plus a free slot in that second; an entry whose article is not stored
# (yet) sits in the UNDATED second, after every date, where no query's bound reaches.
SLOTS = 1 << 20
UNDATED = 1 << 42


def _second(published: str) -> str:
    """SQL: the publication second of a stored ``published`` value (text, as SQLAlchemy stores it), UNDATED if NULL."""
    return f"coalesce(CAST(strftime('%s', {published}) AS INTEGER), {UNDATED})"


def free_position(published: str) -> str:
    """SQL: the first free position in the second of ``published`` (after the highest taken): the one
    rule for where an entry goes, used by :meth:`SearchIndex.upsert` and the triggers."""
    return (
        f"(SELECT s.b + coalesce((SELECT max(pos) FROM search_keys WHERE pos >= s.b AND pos < s.b + {SLOTS})"
        f" - s.b + 1, 0) FROM (SELECT {_second(published)} * {SLOTS} AS b) s)"
    )


def before_bound(before: str) -> str:
    """SQL: a position above every entry whose article's ``published`` is before ``before``: a superset
    (same second, later) that the exact ``published < before`` test narrows."""
    return f"(({_second(before)} + 1) * {SLOTS})"


def since_bound(since: str) -> str:
    """SQL: a position at or below every entry whose article's ``published`` is at or after ``since``:
    a superset (same second, earlier) that the exact ``published >= since`` test narrows."""
    return f"({_second(since)} * {SLOTS})"


def order_search_index(conn: Connection) -> None:
    """Revision 0002: SQLite's index rebuilt with rowids in publication order, and kept so (on ``conn``'s transaction).

    ``search_keys`` gains ``pos`` (the FTS5 rowid, unique, indexed); ``docid`` stays as it was (its
    maximum is the archive's size for :meth:`SearchIndex._selective`). The FTS5 table is rebuilt from
    its own stored text in position order (the same documents, the same token counts: ``search_terms``
    is unchanged), and two triggers on ``articles`` move an entry when its article's ``published`` is
    set. Called by ``newsroom/store/migrations/versions/v0002_search_order.py``; PostgreSQL has
    nothing to change (its GIN index is keyed by article id).
    """
    if conn.dialect.name != "sqlite":
        return
    if any(r[1] == "pos" for r in conn.execute(text("PRAGMA table_info(search_keys)"))):
        create_order_triggers(conn)  # already in order (a database at 0002 whose revision record was lost)
        return
    conn.execute(
        text(
            "CREATE TABLE search_keys_ordered (docid INTEGER PRIMARY KEY AUTOINCREMENT, "
            "article_id VARCHAR(128) NOT NULL UNIQUE, pos INTEGER NOT NULL UNIQUE)"
        )
    )
    # each article's second, then a slot in it by the order the entries were made
    conn.execute(
        text(
            "INSERT INTO search_keys_ordered (docid, article_id, pos) "
            f"SELECT k.docid, k.article_id, {_second('a.published')} * {SLOTS} "
            f"+ row_number() OVER (PARTITION BY {_second('a.published')} ORDER BY k.docid) - 1 "
            "FROM search_keys k LEFT JOIN articles a ON a.id = k.article_id"
        )
    )
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE search_text_ordered USING fts5("
            "title, tags, body, tokenize='unicode61 remove_diacritics 2')"
        )
    )
    conn.execute(
        text(
            "INSERT INTO search_text_ordered (rowid, title, tags, body) "
            "SELECT n.pos, t.title, t.tags, t.body FROM search_text t "
            "JOIN search_keys_ordered n ON n.docid = t.rowid ORDER BY n.pos"
        )
    )
    conn.execute(text("DROP TABLE search_vocab"))
    conn.execute(text("DROP TABLE search_text"))
    conn.execute(text("DROP TABLE search_keys"))
    conn.execute(text("ALTER TABLE search_text_ordered RENAME TO search_text"))
    conn.execute(text("ALTER TABLE search_keys_ordered RENAME TO search_keys"))
    conn.execute(text("CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_text, 'row')"))
    create_order_triggers(conn)


def create_order_triggers(conn: Connection) -> None:
    """The triggers that keep an entry's position in its article's publication second (revision 0002).

    On ``articles``: a migration that copies that table (Alembic's batch mode on SQLite) drops them
    with it, and must call this again (``tests/store/test_migrations.py`` checks they exist at the head).
    """
    for name, event, changed in (
        ("search_follows_new_article", "INSERT", ""),
        ("search_follows_published", "UPDATE OF published", "NEW.published IS NOT OLD.published AND "),
    ):
        conn.execute(
            text(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON articles "
                f"WHEN {changed}EXISTS (SELECT 1 FROM search_keys WHERE article_id = NEW.id) BEGIN "
                f"UPDATE search_text SET rowid = {free_position('NEW.published')} "
                "WHERE rowid = (SELECT pos FROM search_keys WHERE article_id = NEW.id); "
                f"UPDATE search_keys SET pos = {free_position('NEW.published')} WHERE article_id = NEW.id; "
                "END"
            )
        )
