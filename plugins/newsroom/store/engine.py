"""Opening the state database: an engine per URL, tables created and upgraded in place.

SQLAlchemy 2 on SQLite by default (a file in the state dir) or PostgreSQL
(URL from configuration or an Airflow connection). Tables are created on
first use, and a database made by an earlier version is upgraded in place
when it is opened (:func:`prepare`). The schema is ``newsroom.store.tables``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from newsroom.store.search import create_search_index
from newsroom.store.tables import Base


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL in a process (``engine_for.cache_clear()`` after a fork)."""
    return make_engine(url)


def make_engine(url: str) -> Engine:
    """An engine for the state DB; SQLite gets WAL and a busy timeout for concurrent tasks."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # a small pool: each store call reuses a connection instead of reopening the file
        engine = create_engine(url, pool_size=2, max_overflow=8, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    else:
        engine = create_engine(url, pool_pre_ping=True)
    prepare(engine)
    return engine


def prepare(engine: Engine) -> None:
    """Create the tables a database lacks, upgrade those an earlier version made, index the search.

    Each step checks first, so opening an up-to-date database changes nothing. Two
    processes opening the same new or old database at once (two ``newsroom process``):
    the loser's statement fails (the table or column now exists), and it checks again.
    """
    for _attempt in range(3):
        try:
            _prepare_once(engine)
            return
        except DBAPIError:
            continue
    _prepare_once(engine)


def _prepare_once(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    _upgrade_once(engine)
    create_search_index(engine)


def _upgrade_once(engine: Engine) -> None:
    """Bring a database made by an earlier version up to this schema (``create_all`` only adds tables)."""
    schema = inspect(engine)
    if "published" not in {c["name"] for c in schema.get_columns("article_tags")}:
        # the tag rows' copy of their article's publication date
        kind = DateTime().compile(dialect=engine.dialect)  # what UTCDateTime stores
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE article_tags ADD COLUMN published {kind}"))
            conn.execute(
                text(
                    "UPDATE article_tags SET published = "
                    "(SELECT articles.published FROM articles WHERE articles.id = article_tags.article_id)"
                )
            )
    if "kind" not in {c["name"] for c in schema.get_columns("related")}:
        with engine.begin() as conn:  # links chosen before kinds existed all came from the text match
            conn.execute(text("ALTER TABLE related ADD COLUMN kind VARCHAR(8) DEFAULT 'story'"))
            conn.execute(text("UPDATE related SET kind = 'story' WHERE kind IS NULL"))
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    for name in ("articles", "article_tags"):
        present = {index["name"] for index in inspect(engine).get_indexes(name)}
        for index in tables[name].indexes:
            if index.name not in present:
                index.create(engine, checkfirst=True)
    if "ix_article_tags_tag" in {index["name"] for index in inspect(engine).get_indexes("article_tags")}:
        with engine.begin() as conn:  # a prefix of the new index: dropped, not kept up to date for nothing
            conn.execute(text("DROP INDEX ix_article_tags_tag"))
