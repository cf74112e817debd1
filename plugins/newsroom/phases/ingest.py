"""The ingest DAG's tasks (inbox -> store -> enrich -> render -> publish), and the site rebuild's.

Called by ``dags/ingest_articles.py`` and ``dags/rebuild_site.py`` (one call
per task body), by ``newsroom process`` / ``newsroom publish``, and by the
takedown and tag-review flows, which re-render and publish what they change.
Each is safe to re-run: ingest only stores new versions, render writes a
fresh build folder for its run, publish uploads only what differs. Two
inbox readers on one state database take turns (the store's ingest lock).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from tqdm import tqdm

from newsroom.config import NewsroomConfig, get_config
from newsroom.contracts import EnrichResult, IngestResult, ProcessResult, PublishResult, RenderResult
from newsroom.enrich import enrich_articles, write_review_file
from newsroom.ingest import Inbox
from newsroom.models import LockHolder, StorageError
from newsroom.publish.build import BuildFolder, run_folder
from newsroom.publish.cdn import invalidate
from newsroom.publish.s3 import delete, publish
from newsroom.render import Page, SiteRenderer
from newsroom.render.parallel import render_site
from newsroom.resources import bucket_for, make_enricher, open_store
from newsroom.store import Store, utcnow

log = logging.getLogger(__name__)

RENDER_FAILED = "render_failed"  # the page of this article failed to render; the run published the others
PUBLISH_FAILED = "publish_failed"  # the upload failed (the reason names the connection); the retry resumes


INGEST_LOCK = "ingest"  # one inbox reader at a time per state database (Store.locks)
LOCK_WAIT = 600.0  # seconds a second ingest waits for the first before it gives up (BusyError)

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
    outcome = Inbox(config).process(store, limit=limit)
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
    proposals = write_review_file(store, config.review_file, config.enrich.review_min_articles)
    log.info("Enrich: %d article(s); %d created tags wait for review (%s)", len(done), proposals, config.review_file)
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
) -> RenderResult:
    """Render the pages the changed articles touch (or the whole site, on ``workers`` cores) into a build folder.

    ``progress``: a one-line count of the pages on stderr (the desk's commands, on a terminal).
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
    folder = BuildFolder(build)
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
    folder.remove()
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
    """The ingest DAG once, inline: ingest; then, if anything is new or due, enrich, render, publish.

    Holds the ingest lock for the whole run, so a second ``process`` (or the DAG's ingest task)
    waits for this one to publish, then finds nothing left to do.
    Called by ``newsroom process`` and the tests that run the pipeline without Airflow.
    """
    config = config or get_config()
    store = open_store(config)
    with store.locks.hold(INGEST_LOCK, timeout=lock_wait, on_wait=on_wait):
        filed = _read_inbox(config, store, None, now)
        if not filed["ids"]:
            return {"ingest": filed}  # where the DAG's ingest task short-circuits
        enriched = enrich(filed["ids"], config, now=now)
        rendered = render(enriched["ids"], run_id, previous_tags=enriched["previous_tags"], config=config, now=now)
        return {"ingest": filed, "render": rendered, "publish": publish_build(rendered["build"], config, now=now)}
