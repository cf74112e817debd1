"""Render throughput: ingest, enrich and render a generated archive in a fresh state, in this process.

Steps (each timed): generate N Markdown files; file them into the inbox of a
temporary state (``Inbox.file``, as ``newsroom file`` does); ingest
(``Inbox.process``); enrich (``enrich_articles``); render the whole site
(``SiteRenderer.everything`` consumed by ``BuildFolder.write``, render and
write time separated); then file one more article and render only what it
touches (``SiteRenderer.plan``). Peak RSS is read after each step.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.generate import generate_article, generate_articles, write_markdown, write_markdown_archive
from bench.util import NEWSROOM_YAML, TimedPages, environ, log, newsroom_yaml, peak_rss_mb, rate


def _phase(seconds: float, count: int, unit: str = "articles") -> dict[str, Any]:
    return {unit: count, "seconds": round(seconds, 3), f"{unit}_per_s": round(rate(count, seconds), 1)}


def run(
    articles: int,
    seed: int,
    workdir: Path,
    *,
    profile_to: Path | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The figures, filled into ``result`` as they come (so a failure keeps what was measured)."""
    # Imported here so `python -m bench.generate` does not need the whole pipeline.
    from newsroom.config import parse_config
    from newsroom.ingest import Inbox
    from newsroom.phases.ingest import enrich
    from newsroom.publish.build import BuildFolder
    from newsroom.render import SiteRenderer
    from newsroom.resources import files_for, open_store
    from newsroom.store import utcnow

    result = {} if result is None else result
    result.update(articles_requested=articles, seed=seed, rss_mb={})
    rss = result["rss_mb"]
    source = workdir / "archive"

    log(f"render: generating {articles} articles")
    started = time.perf_counter()
    paths = write_markdown_archive(generate_articles(articles, seed), source)
    result["generate"] = _phase(time.perf_counter() - started, len(paths))
    result["generate"]["megabytes"] = round(sum(p.stat().st_size for p in paths) / 1e6, 2)
    rss["generate"] = round(peak_rss_mb(), 1)

    # The state DB must be the temp one, whatever the caller's environment says.
    with environ({}, remove=["NEWSROOM_DATABASE_URL"]):
        config = parse_config(newsroom_yaml(), NEWSROOM_YAML, state_dir=workdir / "state")
        store = open_store(config)
        inbox = Inbox(config, files_for(config))

        started = time.perf_counter()
        for path in paths:
            inbox.file(path)
        result["file"] = _phase(time.perf_counter() - started, len(paths))

        log("render: ingesting")
        started = time.perf_counter()
        outcome = inbox.process(store)
        result["ingest"] = _phase(time.perf_counter() - started, len(outcome.accepted))
        result["ingest"]["quarantined"] = len(outcome.quarantined)
        rss["ingest"] = round(peak_rss_mb(), 1)
        ids = outcome.changed_ids

        log("render: enriching")
        started = time.perf_counter()
        enriched = enrich(ids, config=config)["ids"]  # what the DAG's enrich task runs
        result["enrich"] = _phase(time.perf_counter() - started, len(enriched))
        rss["enrich"] = round(peak_rss_mb(), 1)

        log("render: rendering the whole site")
        now = utcnow()
        started = time.perf_counter()
        renderer = SiteRenderer(config, store, now)
        setup = time.perf_counter() - started
        timed = TimedPages(renderer.everything())
        written = BuildFolder(config.build_dir / "runs" / "bench-full").write(timed, [])
        total = time.perf_counter() - started
        full = timed.summary()
        full["renderer_setup_seconds"] = round(setup, 4)
        full["write_seconds"] = round(total - setup - timed.total_seconds, 3)
        full["wall_seconds"] = round(total, 3)
        full["distinct_keys_written"] = written["pages"]
        full["site_pages_per_s"] = round(rate(written["pages"], total), 1)
        result["full_render"] = full
        rss["full_render"] = round(peak_rss_mb(), 1)

        workers = max(2, min(4, os.cpu_count() or 1))
        log(f"render: the whole site again on {workers} processes (render_site, as `newsroom publish`)")
        from newsroom.render.parallel import render_site

        started = time.perf_counter()
        entries = render_site(config, store, now, config.build_dir / "runs" / "bench-parallel" / "files", workers)
        seconds = time.perf_counter() - started
        result["full_render_parallel"] = {
            "workers": workers,
            "pages": len({e["key"] for e in entries}),
            "wall_seconds": round(seconds, 3),
            "site_pages_per_s": round(rate(len(entries), seconds), 1),
            "ms_per_page": round(1000 * seconds / max(1, len(entries)), 3),
        }

        if profile_to is not None:
            result["profile"] = _profile(config, store, now, profile_to)

        # As after a publish of that build: the objects table knows every page, so ``plan`` sees a live site.
        _record_as_published(store, config.build_dir / "runs" / "bench-full")

        log("render: filing one more article, incremental render")
        local_now = datetime.now(config.site.tz).replace(microsecond=0)
        fresh = generate_article(articles, seed).with_published(local_now)
        extra = write_markdown(fresh, workdir)
        started = time.perf_counter()
        inbox.file(extra)
        new = inbox.process(store)
        ingest_one = time.perf_counter() - started
        new_ids = new.changed_ids
        started = time.perf_counter()
        previous_tags = enrich(new_ids, config=config)["previous_tags"]
        enrich_one = time.perf_counter() - started
        now = utcnow()
        started = time.perf_counter()
        timed_plan = TimedPages(SiteRenderer(config, store, now).plan(new_ids, previous_tags))
        plan_written = BuildFolder(config.build_dir / "runs" / "bench-incremental").write(timed_plan, new_ids)
        plan_total = time.perf_counter() - started
        incremental = timed_plan.summary()
        incremental.update(
            article_id=fresh.id,
            ingest_seconds=round(ingest_one, 4),
            enrich_seconds=round(enrich_one, 4),
            render_seconds=round(timed_plan.total_seconds, 4),
            write_seconds=round(plan_total - timed_plan.total_seconds, 4),
            wall_seconds=round(plan_total, 4),
            distinct_keys_written=plan_written["pages"],
        )
        result["incremental_render"] = incremental
        rss["incremental_render"] = round(peak_rss_mb(), 1)
        result["store_articles"] = store.status.counts()["articles"]
        result["state_dir"] = str(config.state_dir)  # ssg_bench builds the site again from it, as a command
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def _record_as_published(store: Any, build: Path) -> None:
    from newsroom.models import StoredObject
    from newsroom.publish.s3 import content_type

    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    store.objects.record(
        [
            StoredObject(o["key"], o["md5"], o["size"], content_type(o["key"]), o["kind"], o["article_id"])
            for o in manifest["objects"]
        ]
    )


def _profile(config: Any, store: Any, now: datetime, out: Path, top: int = 30) -> dict[str, Any]:
    """A second full render under cProfile (not timed above): the functions with the most cumulative time."""
    from newsroom.publish.build import BuildFolder
    from newsroom.render import SiteRenderer

    log("render: profiling a second full render")
    profiler = cProfile.Profile()
    profiler.enable()
    BuildFolder(config.build_dir / "runs" / "bench-profile").write(SiteRenderer(config, store, now).everything())
    profiler.disable()
    out.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(out))
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (file, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {"function": f"{Path(file).name}:{line}({name})", "calls": calls, "tottime": tottime, "cumtime": cumtime}
        )
    rows.sort(key=lambda r: r["cumtime"], reverse=True)
    return {
        "file": str(out),
        "top_cumulative": [
            {**r, "tottime": round(r["tottime"], 3), "cumtime": round(r["cumtime"], 3)} for r in rows[:top]
        ],
    }
