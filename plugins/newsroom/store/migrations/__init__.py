"""The state database's migrations (Alembic): ``env.py``, ``script.py.mako`` and one file per revision in ``versions/``.

Run programmatically, never through an ``alembic.ini``: ``newsroom.store.schema.upgrade`` gives Alembic
this folder as its ``script_location`` and its connection in ``Config.attributes`` (``newsroom db
upgrade``, or the store when it opens an empty or an embedded SQLite database). A revision writes its
DDL out (``op.create_table``...), never reads ``newsroom.store.tables``: the models change, a revision
must not.

To change the schema: change ``newsroom.store.tables``, add ``versions/v000N_what.py`` (``revision``
``"000N"``, ``down_revision`` the previous head; ``dev.migration`` drafts it by comparing the models
with a database at the head), and set ``newsroom.store.revision.HEAD`` to it. The suite upgrades an
empty SQLite and PostgreSQL database to the head and compares it with the models
(``tests/store/test_migrations.py``): a model change without its migration fails there.

``legacy`` reshapes a database made before Alembic, before the baseline completes it.
"""

from __future__ import annotations

from typing import Any

SEARCH_TABLES = "search_"  # what create_search_index makes (FTS5 and its shadow tables, search_docs): not models


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """What a comparison with the models looks at: every table but the search index's (``env.py``, the tests)."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLES))
