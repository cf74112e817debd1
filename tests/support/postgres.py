"""A PostgreSQL database of its own for a test, on the loopback server; dropped afterwards.

Used by the store's tests (every store test on both databases) and the
backfill's two-worker test. ``NEWSROOM_TEST_PG`` names another admin URL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from newsroom.store.engine import engine_for

PG_ADMIN = os.environ.get("NEWSROOM_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def pg_database() -> Iterator[str]:
    """A PostgreSQL database made for one test, as a SQLAlchemy URL; dropped afterwards (skipped without a server)."""
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
        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
