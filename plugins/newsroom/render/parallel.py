"""Render and write the whole site on several cores: each process takes a share of the pages.

The work is cut into units (a chunk of article pages, one section's or one
tag's listing with its feeds, and the rest: static files, site feeds,
sitemaps, home), handed to ``workers`` forked processes; each renders its
units with its own :class:`SiteRenderer` and its own database connection,
writes the files under the build folder and returns only the manifest
entries. The pages and their bytes are exactly those of
:meth:`SiteRenderer.everything` (a test checks it).

Called by ``newsroom publish --workers N`` (``pipeline.render``) and the
benchmark. Inside a daemonic process (a Celery prefork worker) processes
cannot be forked: it renders in this process instead.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from newsroom.config import NewsroomConfig
from newsroom.render.page import Page
from newsroom.render.site import SiteRenderer
from newsroom.store import Store

ARTICLES_PER_UNIT = 250
_state: dict[str, Any] = {}


def _units(config: NewsroomConfig, store: Store, now: datetime) -> list[tuple[str, Any]]:
    ids = store.all_ids()
    units: list[tuple[str, Any]] = [
        ("articles", ids[i : i + ARTICLES_PER_UNIT]) for i in range(0, len(ids), ARTICLES_PER_UNIT)
    ]
    units += [("section", s.slug) for s in config.sections]
    units += [("tag", slug) for slug in store.tags_in_use(now)]
    units.append(("rest", None))
    return units


def unit_pages(renderer: SiteRenderer, unit: tuple[str, Any]) -> Iterator[Page]:
    kind, arg = unit
    if kind == "articles":
        yield from renderer.article_pages(arg)
    elif kind == "section":
        yield from renderer.listing_with_feeds(renderer.section_listing(arg))
    elif kind == "tag":
        yield from renderer.listing_with_feeds(renderer.tag_listing(arg))
    else:
        yield from renderer.static_pages()
        yield from renderer.site_feed_pages()
        yield from renderer.sitemaps.pages()
        yield renderer.home_page()


def _write(pages: Iterator[Page], files: Path) -> list[dict[str, Any]]:
    entries = []
    for page in pages:
        target = files / page.key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        entries.append(
            {"key": page.key, "md5": page.md5, "size": len(page.body), "kind": page.kind, "article_id": page.article_id}
        )
    return entries


def _start(config: NewsroomConfig, url: str, now: datetime, files: str) -> None:
    from newsroom.store.repository import _engine

    _engine.cache_clear()  # the parent's pooled connections must not be shared across the fork
    store = Store.from_url(url)
    renderer = SiteRenderer(config, store, now)
    renderer._tag_names.update(store.tag_names(store.tags_in_use(now)))  # one query, as everything() does
    _state.update(renderer=renderer, files=Path(files))


def _run(unit: tuple[str, Any]) -> list[dict[str, Any]]:
    return _write(unit_pages(_state["renderer"], unit), _state["files"])


def render_site(config: NewsroomConfig, store: Store, now: datetime, files: Path, workers: int) -> list[dict[str, Any]]:
    """Render every page into ``files``; the manifest entries, in the order of ``everything``'s kinds."""
    files.mkdir(parents=True, exist_ok=True)
    units = _units(config, store, now)
    if workers <= 1 or multiprocessing.current_process().daemon:
        renderer = SiteRenderer(config, store, now)
        return [e for unit in units for e in _write(unit_pages(renderer, unit), files)]
    url = str(store.engine.url.render_as_string(hide_password=False))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(config, url, now, str(files))
    ) as pool:
        # the big units first, so no process is left with a long one at the end
        order = sorted(range(len(units)), key=lambda i: units[i][0] != "articles")
        done = dict(zip(order, pool.map(_run, [units[i] for i in order], chunksize=1), strict=True))
    return [e for i in range(len(units)) for e in done[i]]
