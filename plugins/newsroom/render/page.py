"""A rendered file: its key under the site root, its bytes, and its kind (which sets its upload order and caching)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    key: str
    body: bytes
    kind: str  # article | home | section | tag | feed | sitemap | static
    article_id: str | None = None

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()
