"""The backfill DAG's tasks: a day's partition of imported archive articles, batch by batch, then its listings once.

Called by ``dags/backfill_archive.py`` (one call per task body), also run
inline by ``newsroom backfill --inline`` and the benchmark:

- :func:`plan_day`: the day's partition keys (``partitions/YYYY/MM/DD/``, one
  listing of the newsroom's files: the state folder or the private bucket) in
  batches of ``archive.batch_size``, the articles of one slug in one batch;
- :func:`run_batch`: one batch, self-contained so any worker can take it:
  ingest the articles into the store (one transaction), enrich the new or
  changed ones, render their pages and upload those whose bytes changed,
  mark them published;
- :func:`run_listings`: after the day's batches: the section and tag
  listings, feeds, sitemaps and home page the articles appear on, and the
  older pages whose "Sur le même sujet" now lists them. Batches leave what
  they published in the store's ``backfill_pending``; a listings run takes
  all of it. In a backfill over a range, the runs before the range's last
  day leave it there (``archive.listings_every_days``: 0, once at the end;
  N, also every N days), so each listing page of the range is rendered and
  uploaded once, not once per day (at 100,000 articles over a year that was
  750,845 listing pages rendered for some 37,000 listing objects). A listings
  run renders and uploads on ``archive.listings_workers`` processes, stage by
  stage (``SiteRenderer.plan_stages``: static files, article pages, listings,
  then the site's feeds, sitemaps and home), each process its share.

A backfill is silent: its articles get ``went_live_at`` = their publication
date (they went live on the old site long ago), so the social planner, which
looks at articles that went live in the last days, never sees them, and the
digest only covers its own day. Every phase is idempotent: a second backfill
stores no new version, enriches nothing and uploads nothing; after a template
change it uploads only the pages whose bytes changed. A batch killed half-way
leaves what it uploaded recorded group by group; its retry re-renders the same
pages and uploads only what is missing or different.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from newsroom.archive import partitions
from newsroom.config import NewsroomConfig, get_config
from newsroom.contracts import BatchResult, DayResult, DaysResult, ListingsResult
from newsroom.enrich import enrich_articles
from newsroom.files import Files
from newsroom.models import Article, ArticleError, Problem, TakenDownError
from newsroom.phases.clock import PhaseClock
from newsroom.publish.build import planned_pages
from newsroom.publish.cdn import invalidate
from newsroom.publish.s3 import BucketClient, publish
from newsroom.render import SiteRenderer
from newsroom.render.fingerprint import render_fingerprint
from newsroom.render.page import Page
from newsroom.render.parallel import run_units
from newsroom.render.site import Unit
from newsroom.resources import bucket_for, files_for, make_enricher, open_store
from newsroom.store import Store, utcnow
from newsroom.store.articles import BACKFILL

log = logging.getLogger(__name__)

CHUNK_BYTES = 32 << 20  # rendered bytes a listings run holds before uploading them
RECORD_EVERY = 128  # uploaded objects recorded per store transaction (a retry uploads again at most these)
JOBS_PER_WORKER = 4  # a listings stage's units are dealt into this many shares per process (even work)


def day_start(config: NewsroomConfig, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=config.site.tz)


def plan_day(day: date, config: NewsroomConfig | None = None) -> list[list[str]]:
    """The day's partition keys in batches of about ``archive.batch_size``.

    One listing of the day's prefix, keys in name order; the articles of one slug go in one
    batch (that of the first), so the one processes that store them give the first its
    ``yyyy/mm/dd/slug.html`` and the others their suffixed path in the same order whatever
    the number of workers.
    """
    config = config or get_config()
    files = files_for(config)
    groups: dict[str, list[str]] = {}
    keys = partitions.day_keys(files, config, day)
    for key, data in partitions.fetch(files, keys, config.storage.upload_workers):
        groups.setdefault(partitions.slug_of(data) or key, []).append(key)
    size = config.archive.batch_size
    batches: list[list[str]] = []
    for group in groups.values():
        if not batches or len(batches[-1]) + len(group) > size:
            batches.append([])
        batches[-1].extend(group)
    log.info("Backfill %s: %d article file(s) in %d batch(es)", day, len(keys), len(batches))
    return batches


def _quarantine(
    store: Store, config: NewsroomConfig, files: Files, key: str, data: bytes | None, exc: ArticleError
) -> None:
    """Report an unreadable partition (``quarantine/partitions/<yyyy_mm_dd_id>.json.report.json``);
    the partition itself stays where it is (nothing is lost)."""
    rel = partitions.relative(config, key)
    problems = [{"field": p.field, "reason": p.reason} for p in exc.problems or [Problem("file", "unreadable")]]
    report = f"quarantine/partitions/{rel.replace('/', '_')}.report.json"
    body = {"file": rel, "problems": problems, "field": problems[0]["field"], "reason": problems[0]["reason"]}
    files.put(report, (json.dumps(body) + "\n").encode("utf-8"))
    store.articles.record_quarantine(
        file=key,
        stored_path=files.location(key),
        report_path=files.location(report),
        problems=problems,
        article_id=exc.article_id,
        digest=hashlib.sha256(data).hexdigest() if data is not None else "",
    )
    log.warning("Backfill: quarantined %s: %s", key, exc)


def run_batch(
    batch: Sequence[str],
    day: date,
    *,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
) -> BatchResult:
    """Ingest, enrich, render and publish one batch of a day's partition keys (``plan_day``'s).

    Returns small JSON for the listings step: the batch's article ids, those
    new or changed, and the tags they carry (now and before).
    """
    config = config or get_config()
    store = open_store(config)
    now = now or utcnow()
    clock = PhaseClock()

    files = files_for(config)
    ids: list[str] = []
    changed: list[str] = []
    quarantined: list[str] = []
    refused: list[str] = []
    filings: list[tuple[Article, str, str | None]] = []
    names: list[str] = []
    keys = [partitions.as_key(config, name) for name in batch]
    for key, data in partitions.fetch(files, keys, config.storage.upload_workers):
        where = files.location(key)  # a path in the state folder, an s3:// URL in the private bucket
        try:
            article, _source = partitions.parse(data, where)
        except ArticleError as exc:
            _quarantine(store, config, files, key, data, exc)
            quarantined.append(key)
            continue
        filings.append((article, key, where))
        names.append(key)
    # one transaction for the batch's versions (the articles of a slug are in one batch: plan_day)
    stored = store.articles.record_versions(filings, tz=config.site.tz, now=now, status=BACKFILL)
    for rel, filed in zip(names, stored, strict=True):
        if isinstance(filed, TakenDownError):
            log.warning("Backfill: %s not republished: %s", rel, filed)
            refused.append(rel)
            continue
        ids.append(filed.article_id)
        if filed.changed:
            changed.append(filed.article_id)
    clock.lap("ingest")

    to_enrich = list(dict.fromkeys([*changed, *store.enrichments.unenriched(ids)]))
    before = {t.slug for tags in store.enrichments.tags_of(to_enrich).values() for t in tags}
    if to_enrich:
        enrich_articles(
            store,
            make_enricher(config, ner=config.archive.ner),
            to_enrich,
            now,
            batch_size=config.enrich.batch_size * 2,
            related_before=day_start(config, day),
        )
    clock.lap("enrich")

    # A rerun of a completed day with nothing new and the same templates can change no page.
    unchanged_day = not to_enrich and store.backfills.fingerprint_of(day.isoformat()) == render_fingerprint(config)
    pages = [] if unchanged_day else list(SiteRenderer(config, store, now).article_pages(ids))
    clock.lap("render")

    bucket = bucket_for(config)
    bucket.ensure_bucket()
    result = publish(
        planned_pages(pages), store, bucket, workers=config.storage.upload_workers, record_every=RECORD_EVERY
    )
    live = sorted(store.articles.live_ids(ids, now))
    store.articles.mark_backfilled(live, now, f"backfill of {day}")
    tags = before | {t.slug for tags in store.enrichments.tags_of(ids).values() for t in tags}
    if not unchanged_day:  # last: the listings that take these find the articles published
        store.backfills.add_pending(day.isoformat(), ids, tags)
    clock.lap("publish")

    log.info(
        "Backfill batch of %s: %d article(s), %d new or changed, %d enriched, %d page(s) uploaded, %d quarantined",
        day,
        len(ids),
        len(changed),
        len(to_enrich),
        len(result.uploaded),
        len(quarantined),
    )
    return {
        "ids": ids,
        "changed": changed,
        "skipped": unchanged_day,
        "enriched": len(to_enrich),
        "tags": sorted(tags),
        "pages": len(pages),
        "uploaded": len(result.uploaded),
        "quarantined": quarantined,
        "refused": refused,
        "seconds": clock.wall,
        "cpu": clock.cpu,
    }


def listings_due(config: NewsroomConfig, day: date, until: date | None, pending_days: Sequence[str]) -> bool:
    """Whether the listings run of ``day`` renders now, or leaves what is pending to a later run of the range.

    A run that does not know its range (``until`` None: the nightly run, a one-day
    republish) renders, as does the range's last day; before it, only when the
    pending batches span ``archive.listings_every_days`` days (0: never before the end).
    """
    if until is None or day >= until or not pending_days:
        return True
    every = config.archive.listings_every_days
    return every > 0 and (day - date.fromisoformat(min(pending_days))).days + 1 >= every


def run_listings(
    batches: Sequence[BatchResult],
    day: date,
    *,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
    until: date | None = None,
) -> ListingsResult:
    """Listings, tag pages, feeds, sitemaps, home, and pages linking to the articles, for all that is pending.

    It renders for everything the batches have left pending, not only its own
    day's: each tag page and feed once, from the newest state. In a backfill over
    a range (``until``: its last day) the runs before the last leave the pending
    rows to it (:func:`listings_due`), so each listing of the range is rendered
    once; when the batches get ahead of the listings, one run does the work of
    several and the runs after it find nothing to do. The bucket ends the same
    either way: every page is rendered from the store.
    """
    config = config or get_config()
    store = open_store(config)
    now = now or utcnow()
    own = sorted({i for b in batches for i in b.get("ids", [])})
    fingerprint = render_fingerprint(config)
    pending = store.backfills.pending()
    row_ids = [row_id for row_id, *_ in pending]
    ids = sorted({value for _, _, kind, value in pending if kind == "article"})
    tags = sorted({value for _, _, kind, value in pending if kind == "tag"})
    days = sorted({pending_day for _, pending_day, _, _ in pending})
    idle: ListingsResult = {
        "day": day.isoformat(),
        "articles": len(own),
        "pages": 0,
        "uploaded": 0,
        "skipped": True,
        "deferred": False,
        "days_rendered": [],
        "cdn_invalidations": 0,
        "seconds": {"render": 0.0, "publish": 0.0},
        "cpu": {"render": 0.0, "publish": 0.0},
        "wall_seconds": 0.0,
    }
    if not row_ids and store.backfills.fingerprint_of(day.isoformat()) == fingerprint:
        log.info("Backfill listings of %s: nothing new since the day was completed, nothing to render", day)
        return idle
    if not listings_due(config, day, until, days):
        # The day's articles are published; the rows pending in the store owe its listings to a later run.
        store.backfills.record_day(day.isoformat(), fingerprint, len(own), now)
        log.info(
            "Backfill listings of %s: %d day(s) pending, rendered with a later day's (until %s)", day, len(days), until
        )
        return {**idle, "skipped": False, "deferred": True}
    clock, started = PhaseClock(), time.perf_counter()
    renderer = SiteRenderer(config, store, now)
    bucket = bucket_for(config)
    bucket.ensure_bucket()
    stages = renderer.plan_stages(ids, tags, own_pages=False) if ids or tags else [[("static", None)]]
    clock.lap("render")
    workers = config.archive.listings_workers
    pages, uploaded = 0, []
    for stage in stages:  # each stage up before the next: no page links a file not there yet
        shares = run_units(
            config, store, now, _deal(stage, workers), _publish_share, workers, {"changed": set(ids)}, renderer
        )
        clock.skip()  # the stage's time is its shares' own, summed over the processes
        for share in shares:
            pages += share["pages"]
            uploaded.extend(share["uploaded"])
            clock.add(share["seconds"], share["cpu"])
    invalidations = invalidate(config, uploaded, reference=f"backfill-{day}")
    clock.lap("publish")
    store.backfills.clear_pending(row_ids)
    store.backfills.record_day(day.isoformat(), fingerprint, len(own), now)
    log.info(
        "Backfill listings of %s: %d page(s), %d uploaded, for the batches of %s",
        day,
        pages,
        len(uploaded),
        ", ".join(days) or "no day",
    )
    return {
        "day": day.isoformat(),
        "articles": len(own),
        "pages": pages,
        "uploaded": len(uploaded),
        "deferred": False,
        "days_rendered": days,
        "cdn_invalidations": len(invalidations),
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "wall_seconds": round(time.perf_counter() - started, 3),
    }


def _deal(units: Sequence[Unit], workers: int) -> list[list[Unit]]:
    """A stage's units as shares for ``workers`` processes: all of them in order for one; else dealt
    round-robin into ``JOBS_PER_WORKER`` shares per process (big and small units spread evenly)."""
    if workers <= 1:
        return [list(units)]
    shares = [list(units[i :: workers * JOBS_PER_WORKER]) for i in range(workers * JOBS_PER_WORKER)]
    return [share for share in shares if share]


def _publish_share(renderer: SiteRenderer, units: Sequence[Unit], shared: dict[str, Any]) -> dict[str, Any]:
    """One process's share of a listings stage: render the units (a plan's: ``shared["changed"]``)
    and upload their pages in chunks; the counts, the keys uploaded and the share's clock."""
    config = renderer.context.config
    clock = PhaseClock()
    pages = (page for unit in units for page in renderer.unit_pages(unit, shared["changed"]))
    count, uploaded = _publish_in_chunks(pages, open_store(config), bucket_for(config), config, clock)
    return {"pages": count, "uploaded": uploaded, "seconds": clock.wall, "cpu": clock.cpu}


def _publish_in_chunks(
    pages: Iterator[Page], store: Store, bucket: BucketClient, config: NewsroomConfig, clock: PhaseClock
) -> tuple[int, list[str]]:
    """Publish rendered pages as they come, about ``CHUNK_BYTES`` at a time: (pages rendered, keys uploaded).

    A range's listings at 100,000 articles are some 40,000 pages (over a gigabyte); held
    all at once they were most of the backfill's peak memory. Chunks go up in the order
    rendered (listings, their feeds, the site's feeds, sitemaps, home last), each in the
    publisher's order. The clock's render and publish laps add up over the chunks.
    """
    count, uploaded = 0, []
    chunk: list[Page] = []
    size = 0

    def flush() -> None:
        clock.lap("render")
        result = publish(
            planned_pages(chunk), store, bucket, workers=config.storage.upload_workers, record_every=RECORD_EVERY
        )
        uploaded.extend(result.uploaded)
        clock.lap("publish")

    for page in pages:
        chunk.append(page)
        count += 1
        size += len(page.body)
        if size >= CHUNK_BYTES:
            flush()
            chunk, size = [], 0
    flush()
    return count, uploaded


def run_day(
    day: date, config: NewsroomConfig | None = None, *, now: datetime | None = None, until: date | None = None
) -> DayResult:
    """One day, inline: the DAG's run for that day without Airflow (batches one after another).

    ``until``: the last day of the range this day belongs to (see :func:`run_listings`)."""
    config = config or get_config()
    batches = [run_batch(batch, day, config=config, now=now) for batch in plan_day(day, config)]
    listings = run_listings(batches, day, config=config, now=now, until=until)
    return {"day": day.isoformat(), "batches": batches, "listings": listings}


def run_days(config: NewsroomConfig, first: date, last: date, *, now: datetime | None = None) -> DaysResult:
    """Every day from ``first`` to ``last`` inclusive, oldest first, as a backfill's runs would go:
    the listings once for the range (or every ``archive.listings_every_days``)."""
    days: list[DayResult] = []
    day = first
    while day <= last:
        days.append(run_day(day, config, now=now, until=last))
        day += timedelta(days=1)
    batches = [b for d in days for b in d["batches"]]
    return {
        "days": len(days),
        "articles": sum(len(b["ids"]) for b in batches),
        "changed": sum(len(b["changed"]) for b in batches),
        "uploaded": sum(b["uploaded"] for b in batches) + sum(d["listings"]["uploaded"] for d in days),
        "quarantined": [q for b in batches for q in b["quarantined"]],
        "runs": days,
    }
