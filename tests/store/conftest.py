"""A store on each real database we support: SQLite in a temp dir, and PostgreSQL on loopback.

The PostgreSQL store lives in a database created for the test and dropped
afterwards. Where no PostgreSQL answers on 127.0.0.1:5432 the PostgreSQL
variant is skipped with the reason (it runs on this project's machines).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsroom.store import Store
from tests.support.postgres import pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        yield Store.from_url(f"sqlite:///{tmp_path / 'state.db'}")
        return
    gen = pg_database()
    url = next(gen)
    try:
        store = Store.from_url(url)
        yield store
        store.close()
    finally:
        next(gen, None)
