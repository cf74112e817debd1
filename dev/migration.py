"""Draft the next schema migration from the models: ``python -m dev.migration "what changes"``.

Upgrades a temporary SQLite database to the head (``newsroom.store.schema.upgrade``), lets
Alembic's autogenerate compare it with ``newsroom.store.tables``, and writes the difference as
``plugins/newsroom/store/migrations/versions/v000N_<what>.py`` (revision ``000N``, after the head).
A draft, to read and finish: autogenerate does not see renames or data to move, nor the search
index (not a model: ``newsroom.store.search.create_search_index``). Then set
``newsroom.store.revision.HEAD`` to ``000N``; ``tests/store/test_migrations.py`` upgrades SQLite
and PostgreSQL to it and compares them with the models.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import Script

from newsroom.store.engine import make_engine
from newsroom.store.revision import HEAD
from newsroom.store.schema import MIGRATIONS, upgrade


def draft(message: str) -> Path:
    """Write the draft of revision HEAD + 1 and return its path."""
    number = f"{int(HEAD) + 1:04d}"
    with tempfile.TemporaryDirectory(prefix="newsroom-migration-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'head.db'}", check_schema=False)
        upgrade(engine)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
        try:
            with engine.connect() as conn:
                config.attributes["connection"] = conn
                script = command.revision(config, message, autogenerate=True, rev_id=number)
        finally:
            engine.dispose()
    if not isinstance(script, Script):
        raise RuntimeError(f"alembic wrote no single revision: {script!r}")
    return Path(script.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("message", help="what the migration changes, e.g. 'a byline column on articles'")
    path = draft(parser.parse_args().message)
    print(f"{path}: read it, finish it, then set newsroom.store.revision.HEAD = {path.stem[1:5]!r}")


if __name__ == "__main__":
    main()
