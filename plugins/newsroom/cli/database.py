"""``newsroom db``: the state database's schema revision, ``current`` (where it stands) and ``upgrade``.

``newsroom db upgrade`` is run once before the workers start, on every release (with the Helm
chart: a Job before the upgrade, as Airflow's own ``migrateDatabaseJob`` migrates its metadata
database). Each prints one line; a failure is one line on stderr (``SchemaError``, printed by
:func:`newsroom.cli.main`) and exit 1. No store is opened: opening checks the revision, which is
what these commands are for. Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse

from sqlalchemy.exc import SQLAlchemyError

from newsroom.config import NewsroomConfig
from newsroom.models import SchemaError
from newsroom.resources import state_database
from newsroom.store.schema import Revision, one_line, status, upgrade


def cmd_db(args: argparse.Namespace, config: NewsroomConfig) -> int:
    engine = state_database(config)
    try:
        if args.action == "upgrade":
            done = upgrade(engine)
            if not done.changed:
                print(f"state database already at revision {done.after} (up to date)")
            else:
                before = done.before or ("none (made before Alembic)" if done.made_before_alembic else "none (empty)")
                steps = f" ({'; '.join(done.reshaped)})" if done.reshaped else ""
                print(f"state database upgraded from revision {before} to {done.after}{steps}")
            return 0
        print(describe(status(engine)))
        return 0
    except SQLAlchemyError as exc:  # the server could not be reached, or refused us
        raise SchemaError(f"the state database cannot be read: {one_line(exc)}") from exc
    finally:
        engine.dispose()


def describe(revision: Revision) -> str:
    """One line: the revision, and whether this release can use the database as it is."""
    if revision.up_to_date:
        return f"{revision.current} (head: up to date)"
    found = revision.current or ("none (made before Alembic)" if revision.made_before_alembic else "none (empty)")
    return f"{found}: this release needs {revision.head}: run `newsroom db upgrade`"
