"""A store on each real database we support: SQLite in a temp dir, and PostgreSQL on loopback.

The PostgreSQL store lives in a database created for the test and dropped
afterwards. Where no PostgreSQL answers on 127.0.0.1:5432 the PostgreSQL
variant is skipped with the reason (it runs on this project's machines).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsroom.store import Store

PG_ADMIN = os.environ.get("NEWSROOM_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def _pg_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    name = f"newsroom_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server here
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {exc}")
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        from newsroom.store.engine import engine_for

        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        yield Store.from_url(f"sqlite:///{tmp_path / 'state.db'}")
        return
    gen = _pg_database()
    url = next(gen)
    try:
        store = Store.from_url(url)
        yield store
        store.close()
    finally:
        next(gen, None)
