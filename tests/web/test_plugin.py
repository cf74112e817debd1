"""The plugin as Airflow loads it: through the entry point, cheaply (every Airflow process loads
plugins, a task's too), the app built at its first request, and spaCy never on the way."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points


def _modules_after(code: str) -> dict[str, bool]:
    names = ("spacy", "newsroom.web.app", "fastapi")
    script = f"import json, sys\n{code}\nprint(json.dumps({{m: m in sys.modules for m in {names!r}}}))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_entry_point_names_the_plugin() -> None:
    (found,) = [e for e in entry_points(group="airflow.plugins") if e.name == "newsroom"]
    plugin = found.load()
    assert plugin.name == "newsroom"
    (mounted,) = plugin.fastapi_apps
    assert mounted["url_prefix"] == "/newsroom"
    (view,) = plugin.external_views
    assert view["href"] == "/newsroom/desk" and view["destination"] == "nav"


def test_loading_the_plugin_builds_nothing() -> None:
    loaded = _modules_after("import newsroom.web.plugin")
    assert loaded == {"spacy": False, "newsroom.web.app": False, "fastapi": False}


def test_the_app_does_not_load_spacy() -> None:
    loaded = _modules_after("from newsroom.web.app import create_app\ncreate_app()")
    assert loaded["newsroom.web.app"] and not loaded["spacy"]
