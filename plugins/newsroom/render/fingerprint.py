"""What the site's bytes depend on besides the articles: a fingerprint to know when nothing can have changed.

The templates, the static files, the taxonomy (tag names), the site and
section configuration, and the render code itself. A backfill records it
per day; rerunning a day with no new article and the same fingerprint
renders nothing, while a template change (a new fingerprint) re-renders
the day's pages and uploads those whose bytes changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from newsroom.config import NewsroomConfig

RENDER_CODE = Path(__file__).resolve().parent


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def render_fingerprint(config: NewsroomConfig) -> str:
    digest = hashlib.sha256()
    settings = {
        "site": config.site.model_dump(mode="json"),
        "sections": [s.model_dump(mode="json") for s in config.sections],
    }
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    static = config.templates_path.parent / "static"
    for root in (config.templates_path, static, RENDER_CODE):
        for path in _files(root):
            digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    if config.taxonomy_path.is_file():
        digest.update(config.taxonomy_path.read_bytes())
    return digest.hexdigest()
