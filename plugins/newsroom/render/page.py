"""A rendered file: its key under the site root, its bytes, and its kind (which sets its upload order and caching)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Page:
    key: str
    body: bytes
    kind: str  # article | home | section | tag | feed | sitemap | static
    article_id: str | None = None

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()


def write_files(pages: Iterable[Page], files: Path) -> Iterator[dict[str, Any]]:
    """Write each page under ``files``; yield its build-manifest entry (key, md5, size, kind, article id)."""
    for page in pages:
        target = files / page.key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        yield {
            "key": page.key,
            "md5": page.md5,
            "size": len(page.body),
            "kind": page.kind,
            "article_id": page.article_id,
        }
