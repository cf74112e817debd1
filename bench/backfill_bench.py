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
   of every object (the cheap check before deciding to re-render);
5. Hugo building the same site shape: the same generated articles, written
   as a Hugo site with bench/ssg/hugo's templates (``ssg_bench``), built
   after everything above so the two never share the CPUs, best of
   ``hugo_runs``, each build checked as ``ssg_bench`` checks it. Writing the
   site is not counted as Hugo's build; its peak RSS is the hugo process's
   (the build runs in a fresh process of its own, whose only children are
   hugo's).
   Compared with the first backfill twice: whole backfill against Hugo's
   build (ours does more: enrichment, related links, upload), and our
   render CPU (article pages and listings) against Hugo's CPU.

State is SQLite in a temp folder (WAL, the two workers share it) and the
bucket a SeaweedFS on free loopback ports, both removed at the end, the
Hugo site and its output as soon as it is measured.

    python -m bench.backfill_bench [--articles 100000] [--days 365] [--hugo-runs 1] [--skip-hugo] [--hugo-only]
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import ssg_bench
from bench.generate import GeneratedArticle, generate_articles
from bench.util import environ, log, own_peak_rss_mb, peak_rss_mb, rate
from newsroom.contracts import BatchResult, ListingsResult

PHASES = ("ingest", "enrich", "render", "publish")
LISTINGS_LAG = 4  # days the listings may trail the batches (the DAG allows up to max_active_runs)
UNTIL = datetime(2025, 6, 30, tzinfo=UTC)  # the archive's last day; it spans ``days`` days before
BASE_URL = "https://www.echo-du-golfe.example/"
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


def archive(articles: int, seed: int, days: int) -> Iterator[GeneratedArticle]:
    """The archive both the backfill imports and Hugo builds: ``articles`` over the ``days`` days up to UNTIL."""
    return generate_articles(articles, seed, since=UNTIL - timedelta(days=days), until=UNTIL)


def run(
    articles: int,
    seed: int,
    workdir: Path,
    *,
    days: int = 365,
    workers: int = 2,
    batch_size: int = 40,
    hugo_runs: int = 1,
    result: dict[str, Any] | None = None,
    listings_workers: int | None = None,
) -> dict[str, Any]:
    """The backfill of ``articles`` generated articles over ``days`` days, then (``hugo_runs`` > 0) Hugo's
    build of the same articles, best of ``hugo_runs``. Called by ``main`` and by ``bench.run`` (``make bench``)."""
    global _CONFIG
    from bench.generate import write_partitions
    from bench.util import NEWSROOM_YAML, newsroom_yaml
    from dev.devstack import SeaweedServer
    from newsroom.archive import partitions
    from newsroom.config import parse_config
    from newsroom.enrich.entities import load_nlp
    from newsroom.phases import backfill
    from newsroom.resources import bucket_for, files_for, open_store

    result = {} if result is None else result
    result.update(articles_requested=articles, days=days, workers=workers, batch_size=batch_size, rss_mb={})
    seaweed = SeaweedServer.on_free_ports(workdir / "s3")
    seaweed.start()
    try:
        with environ({"AIRFLOW_CONN_NEWSROOM_S3": seaweed.connection_uri()}, remove=["NEWSROOM_DATABASE_URL"]):
            data = newsroom_yaml()
            data["site"]["base_url"] = BASE_URL
            data["storage"]["bucket"] = "bench-backfill"
            data["archive"]["batch_size"] = batch_size
            if listings_workers is not None:
                data["archive"]["listings_workers"] = listings_workers
            config = parse_config(data, NEWSROOM_YAML, state_dir=workdir / "state")
            _CONFIG = config
            result["listings_workers"] = config.archive.listings_workers

            log(f"backfill: generating and importing {articles:,} articles over {days} days")
            started = time.perf_counter()
            keys = write_partitions(archive(articles, seed, days), config)
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
    # the backfill's peak, before Hugo's build: from then on RUSAGE_CHILDREN counts hugo too
    result["peak_rss_mb"] = round(max(peak_rss_mb(), _children_peak_mb()), 1)
    if hugo_runs < 1:
        result["hugo"] = {"skipped": True}
        return result
    result["hugo"] = hugo_build(articles, seed, workdir / "hugo", days=days, runs=hugo_runs)
    result["vs_hugo"] = compare_with_hugo(result["backfill"], result["hugo"])
    return result


def hugo_build(articles: int, seed: int, folder: Path, *, days: int = 365, runs: int = 1) -> dict[str, Any]:
    """Hugo's build of the backfill's site shape, in a process of its own; ``folder`` is removed after.

    The process generates the same articles as ``run`` imports (``archive``), writes them as a Hugo
    site and builds it with ``ssg_bench.bench_hugo`` (to disk only, no ``--renderToMemory``). Its only
    children are hugo's, so its ``RUSAGE_CHILDREN`` peak is the hugo process's RSS; and it is spawned,
    a fresh interpreter, not forked from the bench: Linux counts in a child's ``ru_maxrss`` the RSS of
    the process it was started from, which a fork would make the bench's (about 300 MB after a 1,500-article
    backfill). The 100,000 prepared entries never grow the bench process either.
    Called by ``run`` and by ``main --hugo-only``.
    """
    if shutil.which("hugo") is None:  # before generating the articles for nothing
        log(f"backfill: {ssg_bench.HUGO_MISSING}: no Hugo figures")
        return {"error": ssg_bench.HUGO_MISSING}
    log(f"backfill: Hugo building the same {articles:,} articles over {days} days, best of {runs}")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as alone:
            return alone.submit(_hugo_alone, (articles, seed, days, runs, str(folder))).result()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _hugo_alone(job: tuple[int, int, int, int, str]) -> dict[str, Any]:
    articles, seed, days, runs, folder = job
    started = time.perf_counter()
    site = replace(ssg_bench.site_info(), base_url=BASE_URL)
    entries = ssg_bench.prepare(archive(articles, seed, days), site)
    generated = time.perf_counter() - started
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    try:
        result = ssg_bench.bench_hugo(entries, site, Path(folder), runs, render_to_memory=False)
    except (ssg_bench.BuildError, OSError, subprocess.SubprocessError) as exc:
        log(f"backfill: hugo failed: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}"}
    if result.get("error"):
        return result
    result["articles"] = len(entries)
    result["generate_seconds"] = round(generated, 1)
    # bench_hugo's time outside the builds: writing the site, counting and checking the output
    result["write_and_check_seconds"] = round(time.perf_counter() - started - sum(result["runs"]), 1)
    result["peak_rss_mb"] = round(_children_peak_mb(), 1)
    # Linux counts this process's peak RSS, at exec, in hugo's ru_maxrss: the figure above is
    # hugo's own only when it is larger than this process's own
    result["launcher_rss_mb"] = round(own_peak_rss_mb(), 1)
    result["load_average_before"] = load_before
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def compare_with_hugo(backfill: dict[str, Any], hugo: dict[str, Any]) -> dict[str, Any]:
    """Hugo ÷ newsroom, > 1: newsroom faster. (a) our whole first backfill (import excluded; enrichment,
    related links and upload to S3 included) against Hugo's build; (b) the CPU of our rendering alone
    (article pages in the batches + the listings process's render) against Hugo's CPU for the build."""
    if hugo.get("error") or not hugo.get("seconds") or not backfill.get("wall_seconds"):
        return {}
    render_cpu = backfill["phases"]["render"]["cpu_seconds"] + backfill["listings"]["render_cpu_seconds"]
    hugo_cpu = hugo.get("cpu_seconds")
    return {
        "backfill_wall_seconds": backfill["wall_seconds"],
        "hugo_wall_seconds": hugo["seconds"],
        "whole_backfill": round(hugo["seconds"] / backfill["wall_seconds"], 4),
        "render_cpu_seconds": round(render_cpu, 1),
        "hugo_cpu_seconds": hugo_cpu,
        "render_cpu": round(hugo_cpu / render_cpu, 4) if hugo_cpu and render_cpu else None,
        "pages": backfill["pages"] + backfill["listing_pages"],
        "article_pages": backfill["pages"],
        "listing_pages": backfill["listing_pages"],
        "hugo_pages": hugo["pages"],
        "meaning": "Hugo ÷ newsroom; > 1: newsroom faster (for render_cpu: newsroom used less CPU)",
    }


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
        "listing_wall_seconds": 0.0,
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
        counts["listing_wall_seconds"] += listed.get("wall_seconds", 0.0)
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
        f"{r.get('workers')} worker processes, batches of {r.get('batch_size')}, "
        f"listings on {r.get('listings_workers', '?')} process(es))"
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
            f"published in {ls['publish_seconds']} s, CPU {ls.get('publish_cpu_seconds', '?')} s (summed over the"
            f" runs' processes); {b.get('listing_wall_seconds', 0):.1f} s wall"
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
    return lines + format_hugo(r)


def _times(ratio: Any, faster: str = "newsroom faster") -> str:
    return f"{ratio:.3g}× (> 1: {faster})" if isinstance(ratio, (int, float)) else "—"


def _hugo_rss(hugo: dict[str, Any]) -> str:
    peak, launcher = hugo["peak_rss_mb"], hugo.get("launcher_rss_mb", 0)
    if peak > launcher:
        return f"{peak:,.0f} MB"
    return f"≤ {peak:,.0f} MB (no more than the {launcher:,.0f} MB of the bench process it was started from)"


def format_hugo(r: dict[str, Any]) -> list[str]:
    """Hugo's build of the same site shape, and the two ratios; nothing if the run never got there."""
    hugo = r.get("hugo")
    if not hugo:
        return []
    if hugo.get("skipped"):
        return ["  Hugo's build of the same site shape: left out (--skip-hugo; in bench.run --backfill-hugo-runs 0)"]
    if hugo.get("error") == ssg_bench.HUGO_MISSING:
        return [f"  Hugo's build of the same site shape: not run, {ssg_bench.HUGO_MISSING}"]
    if hugo.get("error"):
        return [f"  Hugo's build of the same site shape: FAILED: {hugo['error'][:300]}"]
    ps = hugo["page_set"]
    lines = [
        f"  Hugo {hugo.get('version', '?')} building the same {hugo['articles']:,} articles (bench/ssg/hugo "
        f"templates), best of {len(hugo['runs'])}: {hugo['seconds']:.1f} s wall, "
        f"CPU {hugo.get('cpu_seconds', 0):.1f} s, {hugo['pages']:,} pages = {ps['article']:,} articles / "
        f"{ps['listing']:,} listings / {ps['feed']:,} feeds / {ps['sitemap']} sitemap(s) "
        f"(+ {ps['redirect']:,} page-1 redirects), peak RSS {_hugo_rss(hugo)}; output checked",
        f"    not counted: generating the articles {hugo['generate_seconds']} s, writing the Hugo site and checking "
        f"its output {hugo['write_and_check_seconds']} s; load average {hugo['load_average_before']} before, "
        f"{hugo['load_average_after']} after",
    ]
    vs = r.get("vs_hugo")
    if vs:
        lines += [
            f"  vs Hugo (Hugo ÷ newsroom): (a) whole first backfill {vs['backfill_wall_seconds']} s (ingest, enrich, "
            f"related links, render, upload to S3) vs Hugo's build {vs['hugo_wall_seconds']} s: "
            f"{_times(vs['whole_backfill'])}",
            f"    (b) CPU of our rendering alone (article pages + listings) {vs['render_cpu_seconds']} s vs Hugo's "
            f"CPU {vs['hugo_cpu_seconds']} s: {_times(vs['render_cpu'], 'newsroom used less CPU')}",
            f"    pages: newsroom rendered {vs['pages']:,} ({vs['article_pages']:,} article pages in the batches, "
            f"{vs['listing_pages']:,} by the listings), Hugo wrote {vs['hugo_pages']:,}",
        ]
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
    parser.add_argument(
        "--listings-workers", type=int, help="processes of a listings run (default: archive.listings_workers)"
    )
    parser.add_argument("--hugo-runs", type=int, default=1, help="Hugo's builds of the same site, best of N")
    parser.add_argument("--skip-hugo", action="store_true", help="leave Hugo's build out")
    parser.add_argument("--hugo-only", action="store_true", help="only Hugo's build of the site shape, no backfill")
    args = parser.parse_args(argv)
    if args.hugo_runs < 1:
        parser.error("--hugo-runs must be at least 1 (--skip-hugo leaves Hugo out)")
    if args.skip_hugo and args.hugo_only:
        parser.error("--skip-hugo and --hugo-only leave nothing to run")
    hugo_runs = 0 if args.skip_hugo else args.hugo_runs
    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-backfill-"))
    try:
        if args.hugo_only:
            result: dict[str, Any] = {
                "articles_requested": args.articles,
                "days": args.days,
                "hugo": hugo_build(args.articles, DEFAULT_SEED, folder / "hugo", days=args.days, runs=hugo_runs),
            }
        else:
            result = run(
                args.articles,
                DEFAULT_SEED,
                folder,
                days=args.days,
                workers=args.workers,
                batch_size=args.batch_size,
                hugo_runs=hugo_runs,
                listings_workers=args.listings_workers,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.hugo_only:
        print(f"Hugo alone at the backfill's site shape ({args.articles:,} articles over {args.days} days)")
        print("\n".join(format_hugo(result)))
    else:
        print("\n".join(format_backfill(result)))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
