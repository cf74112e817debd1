"""Schema migrations (Alembic): databases of earlier releases upgraded with their data, the migrations
equal to the models, and what opening the store does about a database not at this release's revision.

The earlier releases' databases are SQL dumps made by those releases' own code
(``tests/store/fixtures/README.md``); ``newsroom db upgrade`` runs on them as an operator would.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from newsroom.cli import main
from newsroom.models import SchemaError
from newsroom.store import Store
from newsroom.store.engine import engine_for, make_engine
from newsroom.store.migrations import include_name
from newsroom.store.revision import HEAD
from newsroom.store.schema import MIGRATIONS, behind_message, revision_of, upgrade
from newsroom.store.tables import Base
from tests.support.paths import CONFIG_FILE
from tests.support.postgres import pg_database

FIXTURES = Path(__file__).parent / "fixtures"
LATER = datetime(2030, 1, 1, tzinfo=UTC)
# every table the earlier releases' dumps hold rows in, and the FTS5 index's own
KEPT = ["articles", "versions", "article_tags", "related", "enrichments", "objects", "events", "search_keys"]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    yield from pg_database()


def newsroom_db(action: str, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """``newsroom db ACTION`` on the database at ``url``: its one line (exit 0 and nothing on stderr checked)."""
    monkeypatch.setenv("NEWSROOM_DATABASE_URL", url)
    code = main(["--config", str(CONFIG_FILE), "db", action])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == 1, out
    return out.strip()


def load_dump(name: str, path: Path) -> str:
    """A SQLite database made from a fixture dump (reopened: the dump declares its FTS5 table in the schema)."""
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / f"{name}.sql").read_text(encoding="utf-8"))
    conn.close()
    return f"sqlite:///{path}"


def rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """What must survive an upgrade: every row of the tables the dumps fill (the columns both shapes have)."""
    with engine.connect() as conn:
        found = {t: sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}"))) for t in KEPT}
        # the index's entries by article: 0002 renumbers its rowids (publication order, search_keys.pos)
        ordered = "pos" in {c["name"] for c in inspect(conn).get_columns("search_keys")}
        found["search_keys"] = sorted(tuple(r) for r in conn.execute(text("SELECT docid, article_id FROM search_keys")))
        found["search_text"] = sorted(
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT k.article_id, t.title, t.tags, t.body FROM search_text t "
                    f"JOIN search_keys k ON k.{'pos' if ordered else 'docid'} = t.rowid"
                )
            )
        )
        found["tags"] = sorted(
            tuple(r) for r in conn.execute(text("SELECT article_id, tag, name, kind FROM article_tags"))
        )
        found["links"] = sorted(
            tuple(r) for r in conn.execute(text("SELECT article_id, rank, related_id FROM related"))
        )
    for table in ("article_tags", "related"):  # compared through the columns both shapes have
        del found[table]
    return found


def schema_and_rows(engine: Engine) -> tuple[list[tuple[object, ...]], dict[str, list[tuple[object, ...]]]]:
    with engine.connect() as conn:
        schema = sorted(tuple(r) for r in conn.execute(text("SELECT type, name, sql FROM sqlite_master")))
    return schema, rows(engine)


def test_the_head_constant_is_the_migration_scripts_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]


@pytest.mark.parametrize("dump", ["previous_release", "before_tag_dates"])
def test_a_database_of_an_earlier_release_is_upgraded_and_keeps_its_data(
    dump: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSROOM_STATE_DIR", str(tmp_path / "state"))
    url = load_dump(dump, tmp_path / "state.db")
    plain = make_engine(url, check_schema=False)
    before = rows(plain)
    had_kinds = "kind" in {c["name"] for c in inspect(plain).get_columns("related")}
    with plain.connect() as conn:
        published: dict[str, object] = {
            str(r[0]): r[1] for r in conn.execute(text("SELECT id, published FROM articles"))
        }
        kind = "kind" if had_kinds else "'story'"
        links = conn.execute(text(f"SELECT {kind} FROM related ORDER BY 1")).scalars().all()
    assert newsroom_db("current", url, capsys, monkeypatch) == (
        f"none (made before Alembic): this release needs {HEAD}: run `newsroom db upgrade`"
    )

    said = newsroom_db("upgrade", url, capsys, monkeypatch)
    steps = {
        "previous_release": "",
        "before_tag_dates": " (article_tags.published filled from the articles; related.kind set to 'story'; "
        "ix_article_tags_tag dropped)",
    }
    assert said == f"state database upgraded from revision none (made before Alembic) to {HEAD}{steps[dump]}"
    assert revision_of(plain) == HEAD
    assert newsroom_db("current", url, capsys, monkeypatch) == f"{HEAD} (head: up to date)"
    assert rows(plain) == before  # nothing lost
    with plain.connect() as conn:
        for article_id, tag_date in conn.execute(text("SELECT article_id, published FROM article_tags")):
            assert tag_date == published[article_id]  # the copy, filled from the articles (before_tag_dates)
        # links chosen before kinds existed came from the text match: 'story'; later ones keep theirs
        assert conn.execute(text("SELECT kind FROM related ORDER BY 1")).scalars().all() == links
    indexes = {i["name"] for i in inspect(plain).get_indexes("article_tags")}
    assert "ix_article_tags_tag_published" in indexes and "ix_article_tags_tag" not in indexes

    # the upgraded database answers as this release's store
    store = Store.from_url(url)
    assert store.articles.all_ids() == sorted(published)
    assert "mali-russie-goita-poutine" in store.listings.ids(LATER, tag="mali")
    assert set(store.listings.ids(LATER, tag="benin")) >= {"benin-motos-godomey", "benin-pahou-interpellations"}
    assert store.related.of(["benin-pahou-interpellations"])["benin-pahou-interpellations"][0] == "benin-motos-godomey"
    hits, _own = store.search.related_hits(["Goïta", "Poutine"], "an-unknown-id", before=LATER, now=LATER)
    assert hits[0][0] == "mali-russie-goita-poutine"
    with store.engine.connect() as conn:
        terms = {str(r[0]): int(r[1]) for r in conn.execute(text("SELECT term, docs FROM search_terms"))}
        assert terms == {str(r[0]): int(r[1]) for r in conn.execute(text("SELECT term, doc FROM search_vocab"))} != {}
    store.close()
    engine_for.cache_clear()

    # a second upgrade changes nothing
    snapshot = schema_and_rows(plain)
    assert newsroom_db("upgrade", url, capsys, monkeypatch) == f"state database already at revision {HEAD} (up to date)"
    assert schema_and_rows(plain) == snapshot
    plain.dispose()


def test_the_embedded_sqlite_database_of_the_previous_release_is_upgraded_when_opened(tmp_path: Path) -> None:
    url = load_dump("previous_release", tmp_path / "state.db")
    before = rows(make_engine(url, check_schema=False))
    store = Store.from_url(url)
    assert revision_of(store.engine) == HEAD
    assert rows(store.engine) == before
    store.close()


def test_the_migrations_make_the_models_schema(empty_url: str) -> None:
    """Upgraded from empty to the head, the database is what ``newsroom.store.tables`` declares: a model
    changed without a migration (or a migration without its model change) fails here."""
    engine = make_engine(empty_url, check_schema=False)
    assert upgrade(engine).after == HEAD
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    search = {"sqlite": {"search_keys", "search_text", "search_terms"}, "postgresql": {"search_docs"}}
    assert search[engine.dialect.name] <= set(inspect(engine).get_table_names())
    if engine.dialect.name == "sqlite":  # what keeps the index in publication order (0002)
        with engine.connect() as conn:
            triggers = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        assert triggers == {"search_follows_new_article", "search_follows_published"}
    engine.dispose()


def test_postgresql_behind_the_head_is_refused_until_newsroom_db_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSROOM_STATE_DIR", str(tmp_path / "state"))
    gen = pg_database()
    url = next(gen)
    try:
        store = Store.from_url(url)  # empty: created at the head
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO locks VALUES ('ingest', 1, 'host', '2026-12-07 00:00:00')"))
            conn.execute(text("DROP TABLE alembic_version"))  # as a release before Alembic left it
        store.close()
        engine_for.cache_clear()

        with pytest.raises(SchemaError) as refused:
            Store.from_url(url)
        assert (
            str(refused.value)
            == (
                f"the state database is at revision none (made before Alembic), this release needs {HEAD}: "
                "run `newsroom db upgrade` once before starting the workers"
            )
            == behind_message(None)
        )
        monkeypatch.setenv("NEWSROOM_DATABASE_URL", url)
        assert main(["--config", str(CONFIG_FILE), "schedule"]) == 1  # a command that opens the store: one line
        assert capsys.readouterr().err == f"newsroom: {behind_message(None)}\n"

        said = newsroom_db("upgrade", url, capsys, monkeypatch)
        assert said == f"state database upgraded from revision none (made before Alembic) to {HEAD}"
        store = Store.from_url(url)
        assert store.locks.holder("ingest") is not None  # kept
        store.close()
    finally:
        next(gen, None)


OPEN = """
import sys, time
from newsroom.store import Store
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
store = Store.from_url(sys.argv[1])
print(len(store.articles.all_ids()))
"""


def test_two_processes_opening_an_empty_database_at_once_both_succeed(empty_url: str) -> None:
    start = time.time() + 4  # both interpreters are up by then, and open within a millisecond or two
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, empty_url, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(proc.wait(timeout=120), *proc.communicate()) for proc in procs]
    assert [(code, out.strip()) for code, out, _err in results] == [(0, "0"), (0, "0")], [r[2][-2000:] for r in results]
    engine = make_engine(empty_url, check_schema=False)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
    engine.dispose()


CHEAP = """
import sys
from newsroom.store import Store
Store.from_url(sys.argv[1])
print(sorted({m.split(".")[0] for m in sys.modules} & {"alembic", "mako"}))
"""


def test_opening_a_database_at_the_head_loads_no_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    Store.from_url(url).close()  # created (Alembic ran, in this process)
    done = subprocess.run([sys.executable, "-c", CHEAP, url], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("action", ["upgrade", "current"])
def test_a_failure_is_one_line_on_stderr(
    action: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSROOM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("NEWSROOM_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere")  # nothing listens
    assert main(["--config", str(CONFIG_FILE), "db", action]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("newsroom: ") and "refused" in err, err
