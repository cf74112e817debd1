"""Render on several cores: each process takes a share of the units of work (:func:`run_units`).

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
benchmark; :func:`run_units` also by a backfill's listings (each process renders and
uploads its share of the plan's units). Inside a daemonic process (a Celery prefork worker) processes
cannot be forked: it renders in this process instead.

Unlike the rest of render it takes a ``Store``, not ``render.reads.SiteReads``:
each worker opens the same store again from its URL.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from newsroom.config import NewsroomConfig
from newsroom.render.page import write_files
from newsroom.render.site import SiteRenderer, Unit
from newsroom.store import Store
from newsroom.store.engine import engine_for

W = TypeVar("W")
R = TypeVar("R")
#: what a process does with one item of work: (its renderer, the item, the state all items share) -> result
Task = Callable[[SiteRenderer, W, dict[str, Any]], R]

_state: dict[str, Any] = {}


def _start(
    config: NewsroomConfig, url: str, now: datetime, task: Task[Any, Any], shared: dict[str, Any], env: dict[str, str]
) -> None:
    # a forkserver's children have the environment the forkserver started with, perhaps another
    # test's or command's: the caller's of now (its NEWSROOM_DATABASE_URL, its connections) instead
    os.environ.clear()
    os.environ.update(env)
    engine_for.cache_clear()  # the parent's pooled connections must not be shared across the fork
    renderer = SiteRenderer(config, Store.from_url(url), now)
    renderer.preload_tag_names()
    _state.update(renderer=renderer, task=task, shared=shared)


def _run(item: Any) -> Any:
    return _state["task"](_state["renderer"], item, _state["shared"])


def _write_unit(renderer: SiteRenderer, unit: Unit, shared: dict[str, Any]) -> list[dict[str, Any]]:
    return list(write_files(renderer.unit_pages(unit), Path(shared["files"])))


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


def run_units(
    config: NewsroomConfig,
    store: Store,
    now: datetime,
    items: Sequence[W],
    task: Task[W, R],
    workers: int,
    shared: dict[str, Any] | None = None,
    renderer: SiteRenderer | None = None,
) -> list[R]:
    """``task(renderer, item, shared)`` for each item, on ``workers`` processes, each with its own
    renderer and database connection (``task`` a module-level function, ``shared`` picklable); the
    results in the order of ``items``, handed out in that order. With one worker, or inside a
    daemonic process, each item runs here in turn on ``renderer`` (made if not given)."""
    shared = {} if shared is None else shared
    if workers <= 1 or len(items) <= 1 or multiprocessing.current_process().daemon:
        here = renderer or SiteRenderer(config, store, now)
        return [task(here, item, shared) for item in items]
    start = (config, store.url, now, task, shared, dict(os.environ))
    with ProcessPoolExecutor(workers, mp_context=_fork_context(), initializer=_start, initargs=start) as pool:
        return list(pool.map(_run, items, chunksize=1))


def render_site(config: NewsroomConfig, store: Store, now: datetime, files: Path, workers: int) -> list[dict[str, Any]]:
    """Render every page into ``files``; the manifest entries, in the order of ``everything``."""
    files.mkdir(parents=True, exist_ok=True)
    renderer = SiteRenderer(config, store, now)
    units = renderer.units()
    # the big units first, so no process is left with a long one at the end
    order = sorted(range(len(units)), key=lambda i: units[i][0] != "articles")
    shared = {"files": str(files)}
    written = run_units(config, store, now, [units[i] for i in order], _write_unit, workers, shared, renderer)
    done = dict(zip(order, written, strict=True))
    return [e for i in range(len(units)) for e in done[i]]
