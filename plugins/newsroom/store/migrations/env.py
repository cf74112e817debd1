"""Alembic's environment: run the migrations on the connection ``newsroom.store.schema`` hands in.

No ``alembic.ini``, no URL here and no logging set-up: the caller owns the connection and its
transaction (one for the whole upgrade: PostgreSQL's advisory lock, or SQLite's write lock, held to
the end), and Alembic runs inside it. ``target_metadata`` is the models, for drafting a migration by
comparison (``dev.migration``); the search index's tables are not in them and are left out.
"""

from __future__ import annotations

from alembic import context

from newsroom.store.migrations import include_name
from newsroom.store.tables import Base


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        raise RuntimeError(
            "the newsroom migrations run on a connection: newsroom.store.schema.upgrade, or `newsroom db upgrade`"
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=True,  # SQLite alters a table by copying it: drafted migrations say so
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
