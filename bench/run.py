"""``make bench``: render throughput (and Hugo and Pelican on the same articles), an archive backfill
(and Hugo building the same site shape after it), enrichment per core (``python -m bench.enrich_bench``),
related-link query time, one day's listings at archive scale, then filed-to-live latency on the embedded
stack beside one bare Airflow hop (``python -m bench.latency`` alone).

    python -m bench.run [--articles 5000] [--backfill-articles 100000] [--backfill-hugo-runs 1] [--filings 20]
                        [--skip-latency] [--skip-ssg] [--skip-enrich] [--skip-related] [--skip-listings]
                        [--profile] [--keep]

Prints a readable report on stdout (progress goes to stderr) and writes the
same figures as JSON to ``bench-out/results.json``. Every temp dir and
server it starts is removed or stopped on the way out, Ctrl-C included.
``python -m bench.run --articles 500 --backfill-articles 500 --filings 2`` is a quick smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import backfill_bench, enrich_bench, latency, listings_bench, related_bench, render_bench, ssg_bench
from bench.generate import DEFAULT_SEED
from bench.util import LISTING_KINDS, REPO_ROOT, log, peak_rss_mb


@contextmanager
def workdir(name: str, keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"newsroom-bench-{name}-"))
    try:
        yield path
    finally:
        if keep:
            log(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def meta() -> dict[str, Any]:
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "local_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


# -- the report ----------------------------------------------------------------
def _f(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "—"


def format_render(r: dict[str, Any]) -> list[str]:
    lines = [f"Render throughput ({r['articles_requested']} generated articles, seed {r['seed']})"]
    if "error" in r:
        lines.append(f"  FAILED: {r['error']}")
    gen = r.get("generate")
    if gen:
        lines.append(
            f"  generate      {gen['articles']:>7} articles  {_f(gen['seconds']):>8} s  "
            f"{_f(gen['articles_per_s'], 1):>8} articles/s   ({gen['megabytes']} MB of Markdown)"
        )
    for name, label in (("file", "file (inbox)"), ("ingest", "ingest"), ("enrich", "enrich ¹")):
        phase = r.get(name)
        if phase:
            extra = f"   ({phase['quarantined']} quarantined)" if "quarantined" in phase else ""
            lines.append(
                f"  {label:<13} {phase['articles']:>7} articles  {_f(phase['seconds']):>8} s  "
                f"{_f(phase['articles_per_s'], 1):>8} articles/s{extra}"
            )
    if r.get("enrich"):
        lines.append("  ¹ newsroom.phases.ingest.enrich, as the DAG's enrich task runs it (model load included)")
    full = r.get("full_render")
    if full:
        lines.append("  full render (SiteRenderer.everything + BuildFolder.write)")
        lines.append(f"    {'':<38}{'pages':>7}{'render s':>11}{'pages/s':>10}{'ms/page':>10}{'MB':>8}")
        listing = [(f"  {k}", v) for k, v in full["by_kind"].items() if k in LISTING_KINDS]
        other = [(f"  {k}", v) for k, v in full["by_kind"].items() if k != "article" and k not in LISTING_KINDS]
        for label, group in (
            ("article pages", full["article"]),
            ("listing pages (home, sections, tags)", full["listing"]),
            *listing,
            ("other (static, feeds, sitemaps...)", full["other"]),
            *other,
            ("total", full["total"]),
        ):
            lines.append(
                f"    {label:<38}{group['pages']:>7}{_f(group['seconds']):>11}{_f(group['pages_per_s'], 1):>10}"
                f"{_f(group['ms_per_page'], 3):>10}{_f(group['bytes'] / 1e6, 1):>8}"
            )
        lines.append(
            f"    write to disk {_f(full['write_seconds'])} s; render + write {_f(full['wall_seconds'])} s "
            f"= {_f(full['site_pages_per_s'], 1)} pages/s end to end ({full['distinct_keys_written']} files)"
        )
    par = r.get("full_render_parallel")
    if par:
        lines.append(
            f"    on {par['workers']} processes (render_site, as `newsroom publish`): render + write "
            f"{_f(par['wall_seconds'])} s = {_f(par['site_pages_per_s'], 1)} pages/s, "
            f"{_f(par['ms_per_page'], 3)} ms/page"
        )
    inc = r.get("incremental_render")
    if inc:
        kinds = inc["by_kind"]
        parts = ", ".join(f"{v['pages']} {k}" for k, v in kinds.items())
        lines.append(
            f"  incremental render of 1 new article (SiteRenderer.plan): {inc['total']['pages']} pages ({parts})"
        )
        lines.append(
            f"    render {_f(inc['render_seconds'], 3)} s, write {_f(inc['write_seconds'], 3)} s "
            f"(its ingest {_f(inc['ingest_seconds'], 3)} s, enrich {_f(inc['enrich_seconds'], 3)} s); "
            f"article page {_f(inc['article']['ms_per_page'], 1)} ms, "
            f"listing pages {_f(inc['listing']['ms_per_page'], 1)} ms/page"
        )
    rss = r.get("rss_mb") or {}
    if rss:
        steps = ", ".join(f"{k.replace('_', ' ')} {v:.0f}" for k, v in rss.items())
        lines.append(f"  peak RSS {r.get('peak_rss_mb', max(rss.values())):.0f} MB (after: {steps})")
    profile = r.get("profile")
    if profile:
        lines.append(f"  profile of a second full render ({profile['file']}), top by cumulative time:")
        lines.append(f"    {'cumtime':>8} {'tottime':>8} {'calls':>9}  function")
        for row in profile["top_cumulative"][:25]:
            lines.append(f"    {row['cumtime']:>8.3f} {row['tottime']:>8.3f} {row['calls']:>9}  {row['function']}")
    return lines


def format_report(results: dict[str, Any]) -> str:
    m = results["meta"]
    head = (
        f"Newsroom benchmark — {m['started']}, Python {m['python']}, {m['cpus']} CPUs, "
        f"commit {m['commit'] or '?'}{' + local changes' if m['local_changes'] else ''}"
    )
    lines = [head, ""]
    if "render" in results:
        lines += [*format_render(results["render"]), ""]
    if "ssg" in results:
        lines += [*ssg_bench.format_ssg(results["ssg"]), ""]
    if "backfill" in results:
        lines += [*backfill_bench.format_backfill(results["backfill"]), ""]
    if "enrich" in results:
        lines += [*enrich_bench.format_enrich(results["enrich"]), ""]
    if "related" in results:
        lines += [*related_bench.format_related(results["related"]), ""]
    if "listings" in results:
        lines += [*listings_bench.format_listings(results["listings"]), ""]
    if "latency" in results:
        lines += [*latency.format_latency(results["latency"]), ""]
    elif results.get("latency_skipped"):
        lines += ["Filed-to-live latency: skipped (--skip-latency)", ""]
    lines.append(f"Total {results['seconds']:.1f} s; results in {results['output']}")
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------
def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="size of the generated archive (default 5000)")
    parser.add_argument(
        "--filings", type=int, default=20, help="articles filed one by one for the latency, each beside a bare hop"
    )
    parser.add_argument("--skip-latency", action="store_true", help="only the render throughput")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for one filing to go live")
    parser.add_argument("--profile", action="store_true", help="also profile a second full render (cProfile)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench-out", help="folder for results.json")
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs (state, logs) for inspection")
    parser.add_argument("--related-sizes", default="10000,100000", help="archive sizes for the related-link query time")
    parser.add_argument("--related-queries", type=int, default=200)
    parser.add_argument("--skip-related", action="store_true")
    parser.add_argument("--enrich-articles", type=int, default=300, help="generated articles for enrichment per core")
    parser.add_argument("--skip-enrich", action="store_true")
    parser.add_argument("--listings-sizes", default="10000,100000", help="archive sizes for one day's listings")
    parser.add_argument("--skip-listings", action="store_true")
    parser.add_argument(
        "--skip-ssg", action="store_true", help="no Hugo / Pelican render comparison (not the backfill's Hugo build)"
    )
    parser.add_argument(
        "--backfill-articles", type=int, default=100_000, help="archive size for the backfill (0: skip; default 100000)"
    )
    parser.add_argument(
        "--backfill-days", type=int, default=365, help="days the backfilled archive spans (default 365)"
    )
    parser.add_argument("--backfill-workers", type=int, default=2)
    parser.add_argument(
        "--backfill-hugo-runs",
        type=int,
        default=1,
        help="Hugo's builds of the backfill's site shape after it, best of N (0: leave Hugo out)",
    )
    args = parser.parse_args(argv)
    if args.articles < 1 or args.filings < 0:
        parser.error("--articles must be at least 1 and --filings at least 0")

    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    output = args.out / "results.json"
    results: dict[str, Any] = {"meta": meta(), "args": {k: str(v) for k, v in vars(args).items()}}
    failed = False
    try:
        with workdir("render", args.keep) as folder:
            results["render"] = {}
            try:
                profile = args.out / "render.prof" if args.profile else None
                render_bench.run(args.articles, args.seed, folder, profile_to=profile, result=results["render"])
            except Exception as exc:  # report it (with what was measured) and go on to the latency
                log(f"render: failed: {type(exc).__name__}: {exc}")
                results["render"]["error"] = f"{type(exc).__name__}: {exc}"
                failed = True
            # inside the render's folder: ssg_bench builds our site again from its state, as a command
            if not args.skip_ssg:
                with workdir("ssg", args.keep) as folder:
                    try:
                        render = results.get("render") or {}
                        results["ssg"] = ssg_bench.run(
                            args.articles, args.seed, folder, newsroom=render if "full_render" in render else None
                        )
                    except Exception as exc:
                        log(f"ssg: failed: {type(exc).__name__}: {exc}")
                        results["ssg"] = {"error": f"{type(exc).__name__}: {exc}"}
                        failed = True
        if args.backfill_articles:
            with workdir("backfill", args.keep) as folder:
                results["backfill"] = {}
                try:
                    backfill_bench.run(
                        args.backfill_articles,
                        args.seed,
                        folder,
                        days=args.backfill_days,
                        workers=args.backfill_workers,
                        hugo_runs=args.backfill_hugo_runs,
                        result=results["backfill"],
                    )
                except Exception as exc:
                    log(f"backfill: failed: {type(exc).__name__}: {exc}")
                    results["backfill"]["error"] = f"{type(exc).__name__}: {exc}"
                    failed = True
        if not args.skip_enrich:
            try:
                results["enrich"] = enrich_bench.run(args.enrich_articles, 2, args.seed)
            except Exception as exc:
                log(f"enrich: failed: {type(exc).__name__}: {exc}")
                results["enrich"] = {"error": f"{type(exc).__name__}: {exc}"}
                failed = True
        if not args.skip_related:
            with workdir("related", args.keep) as folder:
                try:
                    sizes = [int(x) for x in args.related_sizes.split(",") if x.strip()]
                    results["related"] = related_bench.run(sizes, args.related_queries, folder, args.seed)
                except Exception as exc:
                    log(f"related: failed: {type(exc).__name__}: {exc}")
                    results["related"] = {"error": f"{type(exc).__name__}: {exc}"}
                    failed = True
        if not args.skip_listings:
            with workdir("listings", args.keep) as folder:
                try:
                    sizes = [int(x) for x in args.listings_sizes.split(",") if x.strip()]
                    results["listings"] = listings_bench.run(sizes, folder)
                except Exception as exc:
                    log(f"listings: failed: {type(exc).__name__}: {exc}")
                    results["listings"] = {"error": f"{type(exc).__name__}: {exc}"}
                    failed = True
        if args.skip_latency or args.filings == 0:
            results["latency_skipped"] = True
        else:
            results["latency"] = {}
            with workdir("latency", args.keep) as folder:
                try:
                    latency.run(args.filings, args.seed, folder, timeout=args.timeout, result=results["latency"])
                except Exception as exc:  # servers are already stopped by latency.run's finally
                    log(f"latency: failed: {type(exc).__name__}: {exc}")
                    results["latency"]["error"] = f"{type(exc).__name__}: {exc}"
            failed = failed or bool(results["latency"].get("error")) or results["latency"].get("not_live", 0) > 0
    except KeyboardInterrupt:
        log("interrupted: servers stopped and temp dirs removed")
        return 130
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["peak_rss_mb_this_process"] = round(peak_rss_mb(), 1)
    results["output"] = str(output)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(format_report(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
