"""Fixtures for ingest: the shipped configuration with its state in tmp_path, reading helpers, a SQLite store.

Self-contained on purpose (tests/conftest.py is shared with other suites): the
fixtures here override any of the same name for tests/ingest only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsroom.config import NewsroomConfig, parse_config
from newsroom.ingest import read_article
from newsroom.models import Article, ArticleError, Problem
from newsroom.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = REPO_ROOT / "include" / "newsroom.yaml"
SAMPLES_DIR = REPO_ROOT / "include" / "samples"

Read = Callable[..., Article]
Refuse = Callable[..., ArticleError]


def markdown(head: str, body: str = "Le marché a rouvert ce lundi.\n") -> bytes:
    """A Markdown filing: front matter lines, then the body."""
    return f"---\n{head.strip()}\n---\n{body}".encode()


def problem(exc: ArticleError, field: str) -> Problem:
    """The problem reported for ``field`` (fails the test if there is none)."""
    found = [p for p in exc.problems if p.field == field]
    assert found, f"no problem for {field!r} in {exc.problems}"
    return found[0]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> NewsroomConfig:
    """include/newsroom.yaml as shipped (database left default), its state in tmp_path."""
    for name in ("NEWSROOM_CONFIG", "NEWSROOM_STATE_DIR", "NEWSROOM_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    data: Any = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    return parse_config(data, CONFIG_FILE, state_dir=tmp_path)


@pytest.fixture
def read(config: NewsroomConfig) -> Read:
    def _read(data: bytes | str, file: str = "article.md") -> Article:
        return read_article(data.encode() if isinstance(data, str) else data, file, config)

    return _read


@pytest.fixture
def refuse(read: Read) -> Refuse:
    """Read bytes that must be refused; returns the ArticleError, checked to name the file."""

    def _refuse(data: bytes | str, file: str = "article.md") -> ArticleError:
        with pytest.raises(ArticleError) as caught:
            read(data, file)
        exc = caught.value
        assert exc.file == file
        assert exc.problems, "an ArticleError must say what is wrong"
        assert str(exc).startswith(f"{file}: ")
        return exc

    return _refuse


@pytest.fixture
def store(config: NewsroomConfig) -> Store:
    """SQLite in the temp state folder, as the default configuration says."""
    url = config.database_url()
    assert url == f"sqlite:///{config.state_dir / 'newsroom.db'}"
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return Store.from_url(url)
