"""Golden files: the sample articles rendered to a whole site tree, byte for byte.

``make golden`` (``python -m tests.render.golden``) regenerates
``tests/render/expected/`` after an intended template change; review the
diff before committing it. ``test_golden.py`` compares a fresh render with it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import yaml

from newsroom.config import DEFAULT_CONFIG, NewsroomConfig, parse_config
from newsroom.enrich import enrich_articles
from newsroom.ingest import Inbox
from newsroom.render import SiteRenderer
from newsroom.resources import files_for, make_enricher
from newsroom.store import Store

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "include" / "samples"
EXPECTED = Path(__file__).with_name("expected")
NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
BASE_URL = "https://www.echo-du-golfe.example/"


def golden_config(state_dir: Path) -> NewsroomConfig:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["site"]["base_url"] = BASE_URL
    return parse_config(data, DEFAULT_CONFIG, state_dir=state_dir)


def render_samples(state_dir: Path) -> dict[str, bytes]:
    """Ingest and enrich the samples into a fresh store, then render the whole site."""
    config = golden_config(state_dir)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    store = Store.from_url(config.database_url())
    inbox = Inbox(config, files_for(config))
    for sample in sorted(SAMPLES.iterdir()):
        inbox.file(sample)
    outcome = inbox.process(store)
    enrich_articles(store, make_enricher(config), outcome.changed_ids, NOW)
    return {page.key: page.body for page in SiteRenderer(config, store, NOW).everything()}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        pages = render_samples(Path(tmp))
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for key, body in pages.items():
        target = EXPECTED / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    print(f"Wrote {len(pages)} expected page(s) to {EXPECTED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
