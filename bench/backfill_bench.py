"""An archive backfill at scale: import, then publish day by day on two workers, then a no-op republish.

Steps (each timed, peak memory read after each):

1. generate N articles over D days (``bench.generate``) and import them into
   day partitions (``read_article`` + ``partitions.write_article``, what
   ``newsroom import-archive`` does for each item);
2. backfill every day as the ``backfill_archive`` DAG does: ``plan_day``,
   its batches spread over ``workers`` processes (forked after the spaCy
   model is loaded, as Celery's prefork workers are), then ``run_listings``
   once, in a process of its own, told the range's last day as ``newsroom
   backfill`` tells the DAG's runs (so the days before it defer, and the last
   renders every listing once). As in the DAG, a day's batches start when
   the previous day's batches are done, and its listings when its batches
   and the previous day's listings are: listings trail the batches by up to
   ``LISTINGS_LAG`` days instead of holding them up. Per phase
   (ingest, enrich, render, publish) the wall and CPU seconds the batches
   spent are summed over workers, so articles/s per phase is per worker; the total
   wall time is the backfill's;
3. a second backfill over the whole range (every phase compares, nothing is
   stored, enriched or uploaded);
4. a no-op republish of the whole archive as ``newsroom publish --verify``
   minus the render: list the bucket and compare it with the store's record
   of every object (the cheap check before deciding to re-render).

State is SQLite in a temp folder (WAL, the two workers share it) and the
bucket a SeaweedFS on free loopback ports, both removed at the end.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.util import environ, log, peak_rss_mb, rate
from newsroom.contracts import BatchResult, ListingsResult

PHASES = ("ingest", "enrich", "render", "publish")
LISTINGS_LAG = 4  # days the listings may trail the batches (the DAG allows up to max_active_runs)
_CONFIG: Any = None


def _children_peak_mb() -> float:
    return peak_rss_mb(resource.RUSAGE_CHILDREN)


def _batch(job: tuple[list[str], str]) -> BatchResult:
    from newsroom.phases import backfill

    files, day = job
    return backfill.run_batch(files, date.fromisoformat(day), config=_CONFIG)


def _listings(job: tuple[list[BatchResult], str, str]) -> ListingsResult:
    from newsroom.phases import backfill

    batches, day, until = job
    return backfill.run_listings(batches, date.fromisoformat(day), config=_CONFIG, until=date.fromisoformat(until))


def run(
    articles: int,
    seed: int,
    workdir: Path,
    *,
    days: int = 365,
    workers: int = 2,
    batch_size: int = 40,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    global _CONFIG
    from bench.generate import generate_articles, write_partitions
    from bench.util import NEWSROOM_YAML, newsroom_yaml
    from dev.devstack import SeaweedServer
    from newsroom.archive import partitions
    from newsroom.config import parse_config
    from newsroom.enrich.entities import load_nlp
    from newsroom.phases import backfill
    from newsroom.resources import bucket_for, files_for, open_store

    result = {} if result is None else result
    until = datetime(2025, 6, 30, tzinfo=UTC)
    since = until - timedelta(days=days)
    result.update(articles_requested=articles, days=days, workers=workers, batch_size=batch_size, rss_mb={})
    seaweed = SeaweedServer.on_free_ports(workdir / "s3")
    seaweed.start()
    try:
        with environ({"AIRFLOW_CONN_NEWSROOM_S3": seaweed.connection_uri()}, remove=["NEWSROOM_DATABASE_URL"]):
            data = newsroom_yaml()
            data["site"]["base_url"] = "https://www.echo-du-golfe.example/"
            data["storage"]["bucket"] = "bench-backfill"
            data["archive"]["batch_size"] = batch_size
            config = parse_config(data, NEWSROOM_YAML, state_dir=workdir / "state")
            _CONFIG = config

            log(f"backfill: generating and importing {articles:,} articles over {days} days")
            started = time.perf_counter()
            keys = write_partitions(generate_articles(articles, seed, since=since, until=until), config)
            seconds = time.perf_counter() - started
            result["import"] = {
                "articles": len(keys),
                "seconds": round(seconds, 1),
                "per_s": round(rate(len(keys), seconds), 1),
            }
            result["rss_mb"]["import"] = round(peak_rss_mb(), 1)
            all_days = partitions.all_days(files_for(config), config)

            load_nlp(config.enrich.model)  # before forking: workers share the loaded model
            open_store(config).close()
            context = multiprocessing.get_context("fork")
            first = _backfill(all_days, config, workers, context, backfill, label="backfill")
            result["backfill"] = first
            result["rss_mb"]["backfill"] = round(peak_rss_mb(), 1)
            result["rss_mb"]["backfill_workers"] = round(_children_peak_mb(), 1)

            log("backfill: second backfill over the same range (should store and upload nothing)")
            result["second_backfill"] = _backfill(all_days, config, workers, context, backfill, label="again")

            log("backfill: no-op republish check (bucket listing vs store records)")
            started = time.perf_counter()
            listing = bucket_for(config).listing()
            known = open_store(config).objects.get()
            differ = sum(1 for k, o in known.items() if listing.get(k) != (o.md5, o.size))
            seconds = time.perf_counter() - started
            result["noop_republish"] = {
                "objects": len(listing),
                "differing": differ + len(set(listing) - set(known)),
                "seconds": round(seconds, 2),
                "objects_per_s": round(rate(len(listing), seconds), 1),
            }
            result["rss_mb"]["noop_republish"] = round(peak_rss_mb(), 1)
            result["published"] = open_store(config).status.counts()["published"]  # counted in the database
    finally:
        seaweed.stop()
    result["peak_rss_mb"] = round(max(peak_rss_mb(), _children_peak_mb()), 1)
    return result


def _backfill(days: list[date], config: Any, workers: int, context: Any, backfill: Any, label: str) -> dict[str, Any]:
    phase_seconds = dict.fromkeys(PHASES, 0.0)
    phase_cpu = dict.fromkeys(PHASES, 0.0)
    listing_seconds = {"render": 0.0, "publish": 0.0}
    listing_cpu = {"render": 0.0, "publish": 0.0}
    counts = {
        "articles": 0,
        "changed": 0,
        "enriched": 0,
        "pages": 0,
        "uploaded": 0,
        "listing_pages": 0,
        "listing_uploaded": 0,
        "listing_runs": 0,
    }
    started = time.perf_counter()
    last_log = started
    pending: deque[Future[ListingsResult]] = deque()

    def collect(future: Future[ListingsResult]) -> None:
        listed = future.result()
        for key in listing_seconds:
            listing_seconds[key] += listed["seconds"][key]
            listing_cpu[key] += listed["cpu"][key]
        counts["listing_runs"] += 1 if listed["pages"] else 0
        counts["listing_pages"] += listed["pages"]
        counts["listing_uploaded"] += listed["uploaded"]

    with (
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
        ProcessPoolExecutor(max_workers=1, mp_context=context) as lister,
    ):
        for number, day in enumerate(days, 1):
            batches = backfill.plan_day(day, config)
            results = list(pool.map(_batch, [(files, day.isoformat()) for files in batches]))
            for r in results:
                for phase in PHASES:
                    phase_seconds[phase] += r["seconds"][phase]
                    phase_cpu[phase] += r["cpu"][phase]
                counts["articles"] += len(r["ids"])
                counts["changed"] += len(r["changed"])
                counts["enriched"] += r["enriched"]
                counts["pages"] += r["pages"]
                counts["uploaded"] += r["uploaded"]
            # The DAG's listings task waits only for its own day's batches and the previous day's
            # listings, so the next days' batches go on while it runs (up to the backfill's
            # max_active_runs): listings run in their own process, in day order, at most LAG behind.
            pending.append(lister.submit(_listings, (results, day.isoformat(), days[-1].isoformat())))
            while len(pending) > LISTINGS_LAG or (pending and pending[0].done()):
                collect(pending.popleft())
            if time.perf_counter() - last_log > 30:
                last_log = time.perf_counter()
                log(
                    f"{label}: day {number}/{len(days)} ({day}), {counts['articles']:,} articles, "
                    f"{len(pending)} day(s) of listings pending, {last_log - started:.0f} s"
                )
        while pending:
            collect(pending.popleft())
    wall = time.perf_counter() - started
    n = counts["articles"]
    return {
        **counts,
        "days": len(days),
        "wall_seconds": round(wall, 1),
        "articles_per_s": round(rate(n, wall), 1),
        "phases": {
            phase: {
                "seconds": round(s, 1),
                "cpu_seconds": round(phase_cpu[phase], 1),
                "articles_per_s_per_worker": round(rate(n, s), 1) if s else None,
            }
            for phase, s in phase_seconds.items()
        },
        "listings": {
            "render_seconds": round(listing_seconds["render"], 1),
            "publish_seconds": round(listing_seconds["publish"], 1),
            "render_cpu_seconds": round(listing_cpu["render"], 1),
            "publish_cpu_seconds": round(listing_cpu["publish"], 1),
            "ms_per_page": round(1000 * listing_seconds["render"] / max(1, counts["listing_pages"]), 3),
        },
    }


def format_backfill(r: dict[str, Any]) -> list[str]:
    lines = [
        f"Archive backfill ({r.get('articles_requested', '?'):,} articles over {r.get('days')} days, "
        f"{r.get('workers')} worker processes, batches of {r.get('batch_size')})"
    ]
    if "error" in r:
        lines.append(f"  FAILED: {r['error']}")
    imp = r.get("import")
    if imp:
        lines.append(
            f"  import into day partitions: {imp['articles']:,} articles in {imp['seconds']} s "
            f"({imp['per_s']} articles/s)"
        )
    for key, title in (("backfill", "first backfill"), ("second_backfill", "second backfill (nothing to do)")):
        b = r.get(key)
        if not b:
            continue
        lines.append(
            f"  {title}: {b['articles']:,} articles in {b['wall_seconds']} s wall = {b['articles_per_s']} articles/s; "
            f"{b['changed']:,} stored, {b['enriched']:,} enriched, {b['uploaded']:,} article pages and "
            f"{b['listing_uploaded']:,} listing/feed/sitemap objects uploaded"
        )
        phases = ", ".join(
            f"{p} {v['seconds']} s, CPU {v.get('cpu_seconds', '?')} s ({v['articles_per_s_per_worker']} /s)"
            for p, v in b["phases"].items()
        )
        lines.append(f"    per phase, summed over workers (articles/s per worker): {phases}")
        ls = b["listings"]
        lines.append(
            f"    listings ({b.get('listing_runs', '?')} run(s) rendering): {b['listing_pages']:,} pages rendered in "
            f"{ls['render_seconds']} s, CPU {ls.get('render_cpu_seconds', '?')} s ({ls['ms_per_page']} ms/page), "
            f"published in {ls['publish_seconds']} s, CPU {ls.get('publish_cpu_seconds', '?')} s"
        )
    noop = r.get("noop_republish")
    if noop:
        lines.append(
            f"  no-op republish check of the whole archive: {noop['objects']:,} objects listed and compared in "
            f"{noop['seconds']} s ({noop['objects_per_s']:,} objects/s), {noop['differing']} differing"
        )
    rss = r.get("rss_mb") or {}
    if rss:
        lines.append(
            f"  peak RSS: main process {max(v for k, v in rss.items() if k != 'backfill_workers'):.0f} MB, "
            f"largest worker {rss.get('backfill_workers', 0):.0f} MB"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import shutil
    import tempfile

    from bench.generate import DEFAULT_SEED

    parser = argparse.ArgumentParser(prog="bench.backfill_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365, help="days the archive spans (default 365: 274 a day)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--batch-size", type=int, default=40)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-backfill-"))
    try:
        result = run(
            args.articles, DEFAULT_SEED, folder, days=args.days, workers=args.workers, batch_size=args.batch_size
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n".join(format_backfill(result)))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
