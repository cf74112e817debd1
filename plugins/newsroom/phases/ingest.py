"""The ingest DAG's phases (inbox -> store -> enrich -> render -> publish), and the site rebuild's.

The phases are separate functions; :func:`process` runs them in order under
the ingest lock, and :func:`publish_filings` is that plus a run asked for the
time each scheduled article of the batch goes live: the ingest DAG's one task
(one Airflow hop from a filing to its page). :func:`missed` is the every-minute
sweep's question: is anything waiting that no run was asked for?
Called by ``dags/ingest_articles.py``, ``dags/ingest_sweep.py`` and
``dags/rebuild_site.py`` (one call per task body), by ``newsroom process`` /
``newsroom publish``, and by the takedown and tag-review flows, which
re-render and publish what they change.
Each is safe to re-run: ingest only stores new versions, render writes a
fresh build folder for its run, publish uploads only what differs. Two
inbox readers on one state database take turns (the store's ingest lock).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import PurePath

from tqdm import tqdm

from newsroom.airflow_api import AirflowApi, AirflowApiError, request_runs_at
from newsroom.config import NewsroomConfig, get_config
from newsroom.contracts import EnrichResult, IngestResult, ProcessResult, PublishResult, RenderResult
from newsroom.enrich import REVIEW_KEY, enrich_articles, write_review_file
from newsroom.ingest import Inbox
from newsroom.models import LockHolder, StorageError
from newsroom.phases.clock import PhaseClock
from newsroom.publish.build import BuildFolder, build_key, done_with, hand_over, run_folder, take_over
from newsroom.publish.cdn import invalidate
from newsroom.publish.s3 import delete, publish
from newsroom.render import Page, SiteRenderer
from newsroom.render.parallel import render_site
from newsroom.resources import bucket_for, files_for, make_enricher, open_store
from newsroom.store import Store, utcnow

log = logging.getLogger(__name__)

RENDER_FAILED = "render_failed"  # the page of this article failed to render; the run published the others
PUBLISH_FAILED = "publish_failed"  # the upload failed (the reason names the connection); the retry resumes


INGEST_LOCK = "ingest"  # one inbox reader at a time per state database (Store.locks)
LOCK_WAIT = 600.0  # seconds a second ingest waits for the first before it gives up (BusyError)
SWEEP_GRACE = timedelta(seconds=15)  # a filing or a due article younger than this has its own run coming
REQUEST_WAIT = 10.0  # seconds the ingest task waits for the api-server to take a run for a scheduled article

OnWait = Callable[[LockHolder | None], None]


def _log_wait(holder: LockHolder | None) -> None:
    log.warning("Waiting for another ingest (%s)", holder.describe() if holder else "holder unknown")


def ingest(
    config: NewsroomConfig | None = None,
    *,
    limit: int | None = None,
    now: datetime | None = None,
    on_wait: OnWait = _log_wait,
    lock_wait: float = LOCK_WAIT,
) -> IngestResult:
    """Read the inbox; return the ids to process (new versions, and scheduled ones now due).

    Holds the ingest lock while it reads: a second ingest on the same state (another task,
    ``newsroom process``) waits up to ``lock_wait`` seconds, calling ``on_wait`` once.
    """
    config = config or get_config()
    store = open_store(config)
    with store.locks.hold(INGEST_LOCK, timeout=lock_wait, on_wait=on_wait):
        return _read_inbox(config, store, limit, now)


def _read_inbox(config: NewsroomConfig, store: Store, limit: int | None, now: datetime | None) -> IngestResult:
    outcome = Inbox(config, files_for(config)).process(store, limit=limit)
    due = store.articles.due(now or utcnow())
    ids = list(dict.fromkeys([*outcome.changed_ids, *due]))
    log.info(
        "Ingest: %d new version(s), %d unchanged, %d quarantined, %d due",
        len(outcome.changed_ids),
        len(outcome.unchanged),
        len(outcome.quarantined),
        len(due),
    )
    return {"ids": ids, "quarantined": outcome.quarantined, "unchanged": outcome.unchanged}


def enrich(ids: Sequence[str], config: NewsroomConfig | None = None, *, now: datetime | None = None) -> EnrichResult:
    """Tags, topics, keywords, related links; also the tags the articles held before (their pages change too)."""
    config = config or get_config()
    store = open_store(config)
    before = {t.slug for tags in store.enrichments.tags_of(ids).values() for t in tags}
    batch = config.enrich.batch_size * 2
    done = enrich_articles(store, make_enricher(config), list(ids), now or utcnow(), batch_size=batch)
    files = files_for(config)
    proposals = write_review_file(store, files, config.enrich.review_min_articles)
    where = files.location(REVIEW_KEY)
    log.info("Enrich: %d article(s); %d created tags wait for review (%s)", len(done), proposals, where)
    return {"ids": done, "previous_tags": sorted(before)}


def render(
    ids: Sequence[str],
    run_id: str,
    *,
    previous_tags: Sequence[str] = (),
    full: bool = False,
    workers: int = 1,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
    progress: bool = False,
    handover: bool = False,
) -> RenderResult:
    """Render the pages the changed articles touch (or the whole site, on ``workers`` cores) into a build folder.

    ``progress``: a one-line count of the pages on stderr (the desk's commands, on a terminal).
    ``handover``: the build is published by another task, maybe on another worker (see
    :func:`~newsroom.publish.build.hand_over`); the result's ``build`` is its key either way.
    """
    config = config or get_config()
    store = open_store(config)
    now = now or utcnow()
    folder = BuildFolder(run_folder(config.build_dir, run_id))
    renderer = SiteRenderer(config, store, now)
    removed = renderer.removed(None if full else ids, previous_tags)  # emptied tags' pages: deleted, not rendered
    if full and workers > 1:
        folder.remove()
        result = folder.write_manifest(render_site(config, store, now, folder.files, workers), ids, removed=removed)
        failed: dict[str, str] = {}
    else:
        pages = renderer.everything() if full else renderer.plan(ids, previous_tags)
        result = folder.write(shown(pages, "Rendering", " page", progress), ids, removed=removed)
        failed = renderer.articles.failed
    live = store.articles.live_ids(ids, now) - failed.keys()
    waiting = store.articles.waiting_ids(ids, now)
    for article_id, reason in sorted(failed.items()):
        store.articles.mark([article_id], RENDER_FAILED, now, f"its page could not be rendered: {reason}")
    store.articles.mark(sorted(live), "rendered", now)
    store.articles.mark(waiting, "scheduled", now, "waiting for publish_at / embargo_until")
    if handover:
        result["build"] = hand_over(folder, files_for(config), config.state_dir)
    else:
        result["build"] = build_key(folder, config.state_dir)
    log.info("Render: %d page(s) into %s", result["pages"], result["build"])
    return result


def publish_build(
    build: str,
    config: NewsroomConfig | None = None,
    *,
    verify: bool = False,
    now: datetime | None = None,
    progress: bool = False,
) -> PublishResult:
    """Upload what changed from a build folder, then mark its articles published, then delete what the build
    removed (an emptied tag's pages and feeds: from the bucket, our objects table and the CDN).
    ``progress``: see :func:`render`."""
    config = config or get_config()
    store = open_store(config)
    files = files_for(config)
    folder = take_over(build, files, config.state_dir)
    entries = folder.entries()
    removed = folder.removed()
    changed = set(folder.changed())
    published_ids = sorted({e["article_id"] for e in entries if e["article_id"]} & changed)
    try:
        bucket = bucket_for(config)
        bucket.ensure_bucket()
        workers = config.storage.upload_workers
        result = publish(folder.planned(entries), store, bucket, workers=workers, verify=verify, progress=progress)
        if removed:
            delete(bucket, store, removed)
    except StorageError as exc:  # the desk sees why in `newsroom status`; the retry resumes (objects are recorded)
        store.articles.mark(published_ids, PUBLISH_FAILED, now or utcnow(), str(exc))
        raise
    now = now or utcnow()
    uploaded = set(result.uploaded)
    for article_id in published_ids:
        keys = [e["key"] for e in entries if e["article_id"] == article_id]
        detail = ", ".join(f"{k} ({'uploaded' if k in uploaded else 'unchanged'})" for k in keys)
        store.articles.mark([article_id], "published", now, detail)
    invalidations = invalidate(config, [*result.uploaded, *removed], reference=folder.path.name)
    done_with(folder, files)
    return {
        "uploaded": len(result.uploaded),
        "unchanged": result.unchanged,
        "articles": len(published_ids),
        "cdn_invalidations": len(invalidations),
        "removed": removed,
    }


def shown(items: Iterable[Page], what: str, unit: str, progress: bool) -> Iterable[Page]:
    """``items`` counted on one line of stderr as they go by, when ``progress`` (the line is gone once done)."""
    return tqdm(items, desc=what, unit=unit, file=sys.stderr, leave=False) if progress else items


def process(
    config: NewsroomConfig | None = None,
    *,
    run_id: str,
    now: datetime | None = None,
    on_wait: OnWait = _log_wait,
    lock_wait: float = LOCK_WAIT,
) -> ProcessResult:
    """The ingest DAG's work once: ingest; then, if anything is new or due, enrich, render, publish.

    Holds the ingest lock for the whole run, so a second ``process`` (or the DAG's task)
    waits for this one to publish, then finds nothing left to do.
    Called by :func:`publish_filings` (the DAG's task), ``newsroom process`` and the tests
    that run the pipeline without Airflow.
    """
    config = config or get_config()
    store = open_store(config)
    clock = PhaseClock()
    with store.locks.hold(INGEST_LOCK, timeout=lock_wait, on_wait=on_wait):
        filed = _read_inbox(config, store, None, now)
        if not filed["ids"]:
            return {"ingest": filed, "seconds": clock.lap("ingest")}  # the DAG's task is skipped
        clock.lap("ingest")
        enriched = enrich(filed["ids"], config, now=now)
        clock.lap("enrich")
        rendered = render(enriched["ids"], run_id, previous_tags=enriched["previous_tags"], config=config, now=now)
        clock.lap("render")
        published = publish_build(rendered["build"], config, now=now)
        clock.lap("publish")
        ahead = _goes_live_at(store, filed["ids"], now or utcnow())
        return {
            "ingest": filed,
            "render": rendered,
            "publish": published,
            "goes_live_at": ahead,
            "seconds": clock.wall,
        }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _goes_live_at(store: Store, ids: Sequence[str], now: datetime) -> list[str]:
    """When the articles of ``ids`` not live yet (and not taken down) become visible, after ``now``."""
    records = store.articles.records(store.articles.waiting_ids(ids, now))
    times = {_aware(r.visible_from) for r in records.values() if r.visible_from is not None}
    return [t.astimezone(UTC).isoformat() for t in sorted(t for t in times if t > _aware(now))]


def publish_filings(run_id: str, config: NewsroomConfig | None = None) -> ProcessResult:
    """The ingest DAG's task: :func:`process`, then a run asked for each time a scheduled article of the
    batch goes live (``run_after``), so it is published then rather than at the next sweep.

    Asking needs the REST API (``airflow.conn_id``'s user, as ``newsroom file``); if Airflow refuses or
    does not answer within :data:`REQUEST_WAIT`, a warning says so and the every-minute sweep publishes
    the article within a minute of its time instead.
    """
    config = config or get_config()
    result = process(config, run_id=run_id)
    result.setdefault("seconds", {})["cpu"] = round(time.process_time(), 3)  # since the task's fork
    if result.get("goes_live_at"):
        times = [datetime.fromisoformat(t) for t in result["goes_live_at"]]
        try:
            result["runs_requested"] = request_runs_at(AirflowApi.from_config(config, wait=REQUEST_WAIT), times)
        except AirflowApiError as exc:
            log.warning("Could not ask for the runs of scheduled articles (%s); the sweep publishes them", exc)
        else:
            log.info("Runs at the scheduled times: %s", result["runs_requested"])
    return result


def missed(
    config: NewsroomConfig | None = None, *, now: datetime | None = None, grace: timedelta = SWEEP_GRACE
) -> bool:
    """Whether the inbox holds a filing no run was asked for (dropped without ``newsroom file``, or filed
    more than ``grace`` ago), or an article became due more than ``grace`` ago without going live.

    Reads without the ingest lock: cheap enough to ask every minute, and it never makes a filing's run
    wait. Called by ``dags/ingest_sweep.py`` (``grace`` 0 when an asset event woke it: that filing
    asked for no run).
    """
    config = config or get_config()
    now = now or utcnow()
    cutoff = _aware(now) - grace
    waiting = [p for p in Inbox(config, files_for(config)).pending() if (_filed_at(p) or cutoff) <= cutoff]
    due = open_store(config).articles.due(cutoff)
    log.info("Sweep: %d filing(s) without a run, %d article(s) due without one", len(waiting), len(due))
    return bool(waiting or due)


def _filed_at(path: PurePath) -> datetime | None:
    """When ``newsroom file`` put it in the inbox (the stamp in its name); None for a file dropped there."""
    stamp, sep, _ = path.name.partition("--")
    return datetime.fromtimestamp(int(stamp) / 1e9, UTC) if sep and stamp.isdigit() else None
