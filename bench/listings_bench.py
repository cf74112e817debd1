"""One day's listings at archive scale (10,000 and 100,000 articles): does their cost grow with the archive?

A backfill (and every live publish) renders, for the articles it just
published, their section and tag listings with feeds, the sitemaps and home
(``SiteRenderer.plan``). That should cost what those articles touch, not what
the archive holds. The archive is loaded in bulk as ``bench.related_bench``
does (articles, tags, search index), every listing, feed and monthly sitemap
is recorded as already published (the state of a site after its earlier
days), then ``plan`` is timed, render only, for the newest ``--changed``
articles (137: one day of 100,000 articles over two years), best of
``--repeat``.

    python -m bench.listings_bench [--sizes 10000,100000] [--changed 137]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.generate import DEFAULT_SEED
from bench.related_bench import NOW, _load
from bench.util import NEWSROOM_YAML, log, newsroom_yaml, peak_rss_mb

CHANGED = 137
REPEAT = 3


def _published_so_far(renderer: Any, store: Any) -> None:
    """Record every listing, feed and monthly sitemap as published (a site after its earlier days)."""
    from newsroom.models import StoredObject
    from newsroom.render.feeds import RSS_NAME
    from newsroom.render.sitemaps import month_key
    from newsroom.render.urls import section_key

    keys = [section_key(s) for s in renderer.config.section_slugs]
    keys += [f"{s}/{RSS_NAME}" for s in renderer.config.section_slugs]
    keys += [f"tag/{t}/{RSS_NAME}" for t in store.enrichments.tag_slugs()]
    keys += [month_key(m) for m in renderer.sitemaps.months()]
    store.objects.record([StoredObject(k, "0" * 32, 0, "text/html", "listing", None) for k in keys], NOW)


def _measure(config: Any, store: Any, size: int, changed: int, repeat: int, profile: bool) -> dict[str, Any]:
    import cProfile
    import pstats

    from newsroom.render import SiteRenderer

    _published_so_far(SiteRenderer(config, store, NOW), store)
    ids = store.listings.ids(NOW)[:changed]
    timings, pages = [], 0
    for _ in range(repeat):
        renderer = SiteRenderer(config, store, NOW)  # a listings run: a renderer of its own
        started = time.perf_counter()
        pages = len(list(renderer.plan(ids, own_pages=False)))
        timings.append(time.perf_counter() - started)
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: list(SiteRenderer(config, store, NOW).plan(ids, own_pages=False)))
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    best = min(timings)
    return {
        "articles": size,
        "changed": len(ids),
        "pages": pages,
        "best_seconds": round(best, 3),
        "ms_per_page": round(1000 * best / max(1, pages), 2),
    }


def run(
    sizes: Sequence[int], folder: Path, *, changed: int = CHANGED, repeat: int = REPEAT, profile: bool = False
) -> dict[str, Any]:
    from newsroom.config import parse_config
    from newsroom.resources import open_store
    from newsroom.taxonomy import load_taxonomy

    data = newsroom_yaml()
    data["site"]["base_url"] = "https://www.echo-du-golfe.example/"
    config = parse_config(data, NEWSROOM_YAML, state_dir=folder / "state")
    store = open_store(config)
    taxonomy = load_taxonomy(config.taxonomy_path)
    results: dict[str, Any] = {"sizes": []}
    loaded = 0
    for size in sorted(sizes):
        started = time.perf_counter()
        _load(store, taxonomy, loaded, size - loaded, DEFAULT_SEED)
        log(f"listings: loaded {size:,} articles in {time.perf_counter() - started:.1f} s; timing a day's listings")
        loaded = size
        results["sizes"].append(_measure(config, store, size, changed, repeat, profile))
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return results


def format_listings(r: dict[str, Any]) -> list[str]:
    lines = ["One day's listings (section and tag pages, feeds, sitemaps, home) at archive scale, render only:"]
    if "error" in r:
        return [*lines, f"  FAILED: {r['error']}"]
    for s in r["sizes"]:
        lines.append(
            f"  {s['articles']:>7,} archived, {s['changed']} changed: {s['pages']:,} pages in {s['best_seconds']} s "
            f"({s['ms_per_page']} ms/page)"
        )
    if len(r["sizes"]) > 1:
        first, last = r["sizes"][0], r["sizes"][-1]
        growth = last["best_seconds"] / max(first["best_seconds"], 1e-9)
        lines.append(f"  {last['articles'] // first['articles']}x the archive: {growth:.2f}x the time")
    return lines


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import shutil

    parser = argparse.ArgumentParser(prog="bench.listings_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--changed", type=int, default=CHANGED)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--profile", action="store_true", help="profile one more run at each size (to stderr)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-listings-"))
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
        result = run(sizes, folder, changed=args.changed, repeat=args.repeat, profile=args.profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n".join(format_listings(result)))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
