"""A rendered file: its key under the site root, its bytes, and its kind (which sets its upload order and caching)."""

from __future__ import annotations

import hashlib
import os
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
    """Write each page under ``files``; yield its build-manifest entry (key, md5, size, kind, article id).

    Each folder is made once (a whole site has a few hundred folders for thousands of pages: a
    ``mkdir`` per page was a tenth of the write time).
    """
    made: set[str] = set()
    root = str(files)
    for page in pages:
        target = os.path.join(root, page.key)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        body = page.body
        with open(target, "wb") as out:
            out.write(body)
        yield {
            "key": page.key,
            "md5": hashlib.md5(body, usedforsecurity=False).hexdigest(),
            "size": len(body),
            "kind": page.kind,
            "article_id": page.article_id,
        }
