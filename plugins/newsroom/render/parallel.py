"""Render and write the whole site on several cores: each process takes a share of the pages.

The work is :meth:`SiteRenderer.units` (the static files, chunks of article
pages, one section's or one tag's listing with its feeds, the site's feeds,
sitemaps and home), handed to ``workers`` processes forked from this process when it runs a
single thread (they start with its modules imported), else by a forkserver
(a thread of this process may hold a lock the child would wait on forever);
each renders its
units with its own :class:`SiteRenderer` and its own database connection,
writes the files under the build folder and returns only the manifest
entries. The pages and their bytes are exactly those of
:meth:`SiteRenderer.everything`, which renders the same units in turn (a
test checks it).

Called by ``newsroom publish --workers N`` (``newsroom.phases.ingest.render``) and the
benchmark. Inside a daemonic process (a Celery prefork worker) processes
cannot be forked: it renders in this process instead.

Unlike the rest of render it takes a ``Store``, not ``render.reads.SiteReads``:
each worker opens the same store again from its URL.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from newsroom.config import NewsroomConfig
from newsroom.render.page import write_files
from newsroom.render.site import SiteRenderer, Unit
from newsroom.store import Store
from newsroom.store.engine import engine_for

_state: dict[str, Any] = {}


def _start(config: NewsroomConfig, url: str, now: datetime, files: str) -> None:
    engine_for.cache_clear()  # the parent's pooled connections must not be shared across the fork
    renderer = SiteRenderer(config, Store.from_url(url), now)
    renderer.preload_tag_names()
    _state.update(renderer=renderer, files=Path(files))


def _run(unit: Unit) -> list[dict[str, Any]]:
    return list(write_files(_state["renderer"].unit_pages(unit), _state["files"]))


def _fork_context() -> multiprocessing.context.BaseContext:
    """``fork`` when this process runs one thread: the workers start at once, with its imports.

    With other threads (tqdm's monitor, Airflow's in-process API loop), forking could copy a lock one
    of them holds into a child that then waits forever: a fresh, thread-free forkserver forks them.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def render_site(config: NewsroomConfig, store: Store, now: datetime, files: Path, workers: int) -> list[dict[str, Any]]:
    """Render every page into ``files``; the manifest entries, in the order of ``everything``."""
    files.mkdir(parents=True, exist_ok=True)
    renderer = SiteRenderer(config, store, now)
    units = renderer.units()
    if workers <= 1 or multiprocessing.current_process().daemon:
        return [e for unit in units for e in write_files(renderer.unit_pages(unit), files)]
    url = store.url
    context = _fork_context()
    start = (config, url, now, str(files))
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=start) as pool:
        # the big units first, so no process is left with a long one at the end
        order = sorted(range(len(units)), key=lambda i: units[i][0] != "articles")
        done = dict(zip(order, pool.map(_run, [units[i] for i in order], chunksize=1), strict=True))
    return [e for i in range(len(units)) for e in done[i]]
