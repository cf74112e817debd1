"""The state database's schema revision: read it, upgrade to this release's, and what opening the store does.

Migrations are Alembic's (``newsroom/store/migrations``), run on a connection we hand in, never from
an ``alembic.ini``. :func:`upgrade` is ``newsroom db upgrade``: run once before the workers start
(with the Helm chart: a Job before the upgrade, beside Airflow's own ``migrateDatabaseJob``). It
holds a lock for the whole upgrade (PostgreSQL: an advisory lock for its transaction; SQLite: the
write lock, ``BEGIN IMMEDIATE``), so a second process waits, then finds the head and does nothing;
a database made before Alembic is reshaped in place first (``migrations.legacy``).

When a process opens the store (:func:`ensure_current`, from ``newsroom.store.engine``): one SELECT
of the revision, and at the head nothing else, Alembic not even imported. Otherwise:

- an empty database (a new install) is created by the migrations, on any backend;
- SQLite behind the head (the embedded default: one machine) is upgraded in place;
- any other database behind the head is refused with :class:`~newsroom.models.SchemaError`, whose
  message says to run ``newsroom db upgrade``: workers never race to alter a shared database.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from newsroom.models import SchemaError
from newsroom.store.migrations.legacy import reshape
from newsroom.store.revision import HEAD

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_KEY = zlib.crc32(b"newsroom.store.schema")  # PostgreSQL's advisory lock for upgrades (the run locks use others)
OPEN_ATTEMPTS = 3  # SQLite: an open that lost a race for the write lock (60 s busy timeout each) tries again


@dataclass(frozen=True)
class Revision:
    """Where a database stands: its revision (None: no ``alembic_version``), and what it holds without one."""

    current: str | None
    made_before_alembic: bool = False  # tables, no revision: the releases before 0001
    head: str = HEAD

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True)
class Upgrade:
    """What :func:`upgrade` did: from which revision (None: empty or made before Alembic) to which."""

    before: str | None
    after: str
    made_before_alembic: bool = False
    reshaped: tuple[str, ...] = ()  # the in-place steps a database made before Alembic needed

    @property
    def changed(self) -> bool:
        return self.before != self.after


def revision_of(engine: Engine) -> str | None:
    """The database's revision, in one SELECT; None when it has no ``alembic_version`` table."""
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no such table (a server that cannot be reached fails again on the next statement)
        return None
    return str(found) if found is not None else None


def status(engine: Engine) -> Revision:
    """The revision, and when there is none whether the database holds our tables (``newsroom db current``)."""
    current = revision_of(engine)
    return Revision(current, made_before_alembic=current is None and inspect(engine).has_table("articles"))


def behind_message(current: str | None) -> str:
    found = current or "none (made before Alembic)"
    return (
        f"the state database is at revision {found}, this release needs {HEAD}: "
        "run `newsroom db upgrade` once before starting the workers"
    )


def ensure_current(engine: Engine) -> None:
    """The policy when a process opens the store (module docstring): upgrade, or refuse with the fix."""
    current = revision_of(engine)
    if current == HEAD:
        return
    if engine.dialect.name == "sqlite":
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                upgrade(engine)
                return
            except SchemaError as exc:
                if attempt == OPEN_ATTEMPTS or not isinstance(exc.__cause__, DBAPIError):
                    raise
    if current is None and not inspect(engine).has_table("articles"):
        upgrade(engine)  # a new install: workers starting at once wait for the first one's lock
        return
    raise SchemaError(behind_message(current))


def upgrade(engine: Engine) -> Upgrade:
    """Bring the database to :data:`HEAD` in one transaction, under a lock; a database at the head is left as is.

    Alembic is imported here, not at the top: opening a database at the head (what every task does)
    never needs it, and it costs about 0.3 s to import.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.util import CommandError

    try:
        with _migrating(engine) as migrating, migrating.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            before = MigrationContext.configure(conn).get_current_revision()
            legacy = before is None and inspect(conn).has_table("articles")
            reshaped = reshape(conn) if legacy else []
            if before != HEAD:
                config = Config()
                config.set_main_option("script_location", str(MIGRATIONS))
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
            after = MigrationContext.configure(conn).get_current_revision()
    except (CommandError, SQLAlchemyError) as exc:
        raise SchemaError(f"upgrading the state database failed: {one_line(exc)}") from exc
    return Upgrade(before, after or HEAD, legacy, tuple(reshaped))


def one_line(exc: BaseException) -> str:
    """An error in one line: a driver's own message, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None)
    return (str(orig or exc).strip().splitlines() or [type(exc).__name__])[0]


@contextmanager
def _migrating(engine: Engine) -> Iterator[Engine]:
    """The engine an upgrade runs on: ``engine`` itself, or for SQLite one whose transactions take the write lock.

    Python's sqlite3 runs DDL outside any transaction and takes the write lock only at the first
    write: two processes creating a new database would each create half of it. Here a transaction
    starts with ``BEGIN IMMEDIATE`` (the second process waits for the first to commit, then finds
    the head) and holds the DDL too (all or nothing).
    """
    if engine.dialect.name != "sqlite":
        yield engine
        return
    own = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 60})

    @event.listens_for(own, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(own, "begin")
    def _write_lock(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        yield own
    finally:
        own.dispose()
