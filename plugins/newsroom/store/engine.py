"""Opening the state database: an engine per URL, its schema revision checked (and brought up to date) on open.

SQLAlchemy 2 on SQLite by default (a file in the state dir) or PostgreSQL
(URL from configuration or an Airflow connection). The schema is
``newsroom.store.tables``, made and changed by the migrations
(``newsroom/store/migrations``); what opening does about a database that is
not at this release's revision (create it, upgrade it, or refuse with the
fix) is ``newsroom.store.schema``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from newsroom.store.schema import ensure_current


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL in a process (``engine_for.cache_clear()`` after a fork)."""
    return make_engine(url)


def make_engine(url: str, *, check_schema: bool = True) -> Engine:
    """An engine for the state DB; SQLite gets WAL and a busy timeout for concurrent tasks.

    ``check_schema=False``: the database as it is, for ``newsroom db`` (which upgrades it or says
    where it stands); otherwise :func:`~newsroom.store.schema.ensure_current` first.
    """
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
    if check_schema:
        ensure_current(engine)
    return engine
