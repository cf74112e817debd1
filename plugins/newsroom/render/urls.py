"""Where each page lives: object keys (relative to the site root) and public URLs.

One place decides the URL scheme, so templates, feeds and the publisher
agree. Keys never contain '..' or a leading '/': ids and slugs are checked
at ingest, and :func:`safe_key` checks again before anything is written.
"""

from __future__ import annotations

import posixpath

from newsroom.config import NewsroomConfig


class UnsafeKeyError(ValueError):
    """A computed key would escape the site root."""


def safe_key(key: str) -> str:
    normal = posixpath.normpath(key)
    if key.startswith("/") or normal != key or normal.startswith("..") or "\\" in key or not key:
        raise UnsafeKeyError(f"refusing to write outside the site: {key!r}")
    return key


HOME = "index.html"


def section_key(slug: str, page: int | None = None) -> str:
    return f"{slug}/index.html" if page is None else f"{slug}/page/{page}.html"


def tag_key(slug: str, page: int | None = None) -> str:
    return f"tag/{slug}/index.html" if page is None else f"tag/{slug}/page/{page}.html"


class Urls:
    """Public URLs for keys, honouring ``site.directory_index`` (links to 'x/' not 'x/index.html')."""

    def __init__(self, config: NewsroomConfig) -> None:
        self.base = config.site.base_url
        self.directory_index = config.site.directory_index

    def url(self, key: str) -> str:
        if self.directory_index and (key == HOME or key.endswith("/index.html")):
            key = key[: -len("index.html")]
        return self.base + key
