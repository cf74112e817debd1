"""The ``newsroom`` command: file, status, preview, process, publish.

``file`` is what a journalist's tool (or a person) calls: the file goes into
the inbox and Airflow is told at once. ``status`` says where an article is.
``preview`` renders a page locally without filing anything. ``process`` and
``publish`` run the phases inline, without Airflow, for operators.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from newsroom.config import ConfigError, NewsroomConfig, load_config


def _fmt_time(value: Any, config: NewsroomConfig) -> str:
    if isinstance(value, datetime):
        return value.astimezone(config.site.tz).strftime("%Y-%m-%d %H:%M:%S %Z")
    return "—" if value is None else str(value)


def cmd_file(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from newsroom.airflow_api import AirflowApiError, signal_filed
    from newsroom.ingest import Inbox, read_article
    from newsroom.models import ArticleError

    inbox = Inbox(config)
    filed: list[str] = []
    ids: list[str] = []
    for name in args.paths:
        path = Path(name)
        if not path.is_file():
            print(f"newsroom file: {path}: no such file", file=sys.stderr)
            return 2
        try:
            article = read_article(path.read_bytes(), path.name, config)
            ids.append(article.id)
            note = f"article {article.id}"
        except ArticleError as exc:
            note = f"WILL BE QUARANTINED: {exc}"
        target = inbox.file(path)
        filed.append(target.name)
        print(f"Filed {path} -> {target} ({note})")
    if args.no_signal:
        return 0
    try:
        event = signal_filed(config, filed)
        print(f"Airflow told: asset event {event.get('id')} on {config.airflow.inbox_asset}")
    except AirflowApiError as exc:
        print(f"Warning: {exc}; the safety-net schedule will pick the filing up.", file=sys.stderr)
    if args.wait and ids:
        return _wait_published(config, ids, args.wait)
    return 0


def _wait_published(config: NewsroomConfig, ids: list[str], timeout: float) -> int:
    from newsroom.pipeline import open_store

    store = open_store(config)
    deadline = time.monotonic() + timeout
    pending = set(ids)
    while pending and time.monotonic() < deadline:
        rows = store.articles.records(pending)
        pending = {i for i in pending if i not in rows or rows[i].status != "published"}
        if pending:
            time.sleep(0.2)
    if pending:
        print(f"Not published after {timeout:.0f}s: {', '.join(sorted(pending))}", file=sys.stderr)
        return 1
    print(f"Published: {', '.join(ids)}")
    return 0


def cmd_status(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from newsroom.pipeline import open_store
    from newsroom.render import Urls

    info = open_store(config).status.of(args.ref)
    if info is None:
        print(f"newsroom status: nothing known about {args.ref!r} (not an article id or a quarantined file)")
        return 1
    if args.json:
        print(json.dumps(info, default=str, ensure_ascii=False, indent=2))
        return 0
    article = info["article"]
    print(f"{info['id']}")
    if article:
        url = Urls(config).url(article["path"])
        print(f"  title       {article['title']}")
        print(f"  status      {article['status']} (version {article['version']})")
        print(f"  section     {article['section']}")
        print(f"  page        {article['path']}  {url}")
        print(f"  published   {_fmt_time(article['published'], config)}")
        print(f"  modified    {_fmt_time(article['modified'], config)}")
        if article["visible_from"]:
            print(f"  not before  {_fmt_time(article['visible_from'], config)}")
        print(f"  went live   {_fmt_time(article['went_live_at'], config)}")
        for note in article["notes"]:
            print(f"  note        {note}")
    enrichment = info["enrichment"]
    if enrichment:
        from newsroom.enrich.topics import NAMES

        print(f"  language    {enrichment['language']}")
        print(f"  tags        {', '.join(enrichment['tags']) or '—'}")
        print(f"  topics      {', '.join(f'{c} ({NAMES.get(c, c)})' for c in enrichment['topics']) or '—'}")
        print(f"  keywords    {', '.join(enrichment['keywords']) or '—'}")
        for note in enrichment["notes"]:
            print(f"  enrichment  {note}")
    for q in info["quarantine"]:
        print(f"  QUARANTINED {_fmt_time(q['at'], config)}  {q['file']}")
        for problem in q["problems"]:
            print(f"     {problem['field']}: {problem['reason']}")
        print(f"     original kept at {q['stored_path']}")
        print(f"     report at {q['report_path']}")

    deliveries = open_store(config).deliveries.rows(info["id"])
    if deliveries:
        print("  deliveries")
        for d in deliveries:
            where = d.remote_url or d.remote_id or ""
            when = _fmt_time(d.sent_at, config) if d.sent_at else ""
            print(f"    {d.channel:<10} v{d.version}  {d.state:<9} {when} {where} {d.reason}".rstrip())
    if info["events"]:
        print("  timeline")
        for event in info["events"]:
            print(f"    {_fmt_time(event['at'], config)}  {event['kind']:<11} {event['detail']}")
    if info["objects"]:
        print("  in the bucket")
        for obj in info["objects"]:
            print(f"    {obj['key']}  md5 {obj['md5']}  uploaded {_fmt_time(obj['uploaded_at'], config)}")
    return 0


def cmd_preview(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from newsroom.ingest import read_article
    from newsroom.models import ArticleError
    from newsroom.render.preview import render_preview

    path = Path(args.path)
    try:
        article = read_article(path.read_bytes(), path.name, config)
    except ArticleError as exc:
        print(f"newsroom preview: this article would be quarantined:\n  {exc.file}", file=sys.stderr)
        for problem in exc.problems:
            print(f"    {problem.field}: {problem.reason}", file=sys.stderr)
        return 1
    from newsroom.pipeline import make_enricher

    body = render_preview(config, article, make_enricher(config))
    out = Path(args.output) if args.output else config.state_dir / "preview" / f"{article.slug}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    for note in article.notes:
        print(f"note: {note}")
    print(f"Preview of {article.id} written to {out}")
    return 0


def cmd_process(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from newsroom import pipeline

    result = pipeline.process(config, run_id=f"cli-{time.time_ns()}")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_backfill(args: argparse.Namespace, config: NewsroomConfig) -> int:
    """Publish imported archive days: Airflow's backfill over REST, or the same phases inline."""
    first, last = date.fromisoformat(args.from_date), date.fromisoformat(args.to_date)
    if last < first:
        print("newsroom backfill: --to-date is before --from-date", file=sys.stderr)
        return 2
    if args.inline:
        from newsroom.archive.backfill import run_days

        result = run_days(config, first, last)
        result.pop("runs")
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 1 if result["quarantined"] else 0
    from newsroom.airflow_api import AirflowApi, AirflowApiError

    try:
        api = AirflowApi.from_config(config)
        created = api.create_backfill(
            "backfill_archive",
            f"{first.isoformat()}T00:00:00Z",
            f"{last.isoformat()}T00:00:00Z",
            reprocess_behavior=args.reprocess_behavior,
            max_active_runs=args.max_active_runs,
        )
        print(f"Backfill {created['id']} of backfill_archive: {first} to {last} ({args.reprocess_behavior})")
        deadline = time.monotonic() + args.wait
        while args.wait and time.monotonic() < deadline:
            state = api.backfill(int(created["id"]))
            if state.get("completed_at"):
                runs = api.dag_runs("backfill_archive", limit=1000, run_type="backfill_job")
                mine = [r for r in runs if first.isoformat() <= str(r.get("logical_date", ""))[:10] <= last.isoformat()]
                failed = [r["run_id"] for r in mine if r["state"] != "success"]
                print(f"done: {len(mine) - len(failed)} run(s) succeeded" + (f", failed: {failed}" if failed else ""))
                return 1 if failed else 0
            time.sleep(2)
        if args.wait:
            print(f"still running after {args.wait:.0f} s; see the Airflow UI", file=sys.stderr)
            return 1
    except AirflowApiError as exc:
        print(f"newsroom backfill: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_publish(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from newsroom import pipeline

    rendered = pipeline.render([], f"cli-{time.time_ns()}", full=True, workers=args.workers, config=config)
    published = pipeline.publish_build(rendered["build"], config, verify=args.verify)
    print(json.dumps({"render": rendered, "publish": published}, indent=2))
    return 0


def cmd_deliveries(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from newsroom.pipeline import open_store
    from newsroom.store import utcnow

    ledger = open_store(config).deliveries
    if args.release is not None:
        if not ledger.release(args.release, f"released by hand: {args.reason}", utcnow()):
            print(f"newsroom deliveries: no failed or unknown delivery #{args.release}", file=sys.stderr)
            return 1
        print(f"Delivery #{args.release} is pending again; the next distribute run sends it.")
        return 0
    rows = [r for r in ledger.rows(channel=args.channel) if args.state is None or r.state == args.state]
    for r in rows:
        line = f"#{r.id:<5} {r.article_id:<40} v{r.version} {r.channel:<10} {r.state:<8} {r.remote_id or ''}"
        print(f"{line} {r.reason}".rstrip())
    print(f"{len(rows)} deliveries; by state: {ledger.counts()}")
    return 0


def cmd_takedown(args: argparse.Namespace, config: NewsroomConfig) -> int:
    import getpass

    from newsroom import pipeline

    by = args.by or getpass.getuser()
    try:
        result = pipeline.takedown(args.id, reason=args.reason, by=by, config=config)
    except KeyError:
        print(f"newsroom takedown: no article {args.id!r} (check the id with `newsroom status`)", file=sys.stderr)
        return 1
    state = "taken down" if result["newly_taken_down"] else "was already taken down; surfaces checked again"
    print(f"{args.id}: {state} by {by}: {args.reason}")
    print(f"  removed from the bucket: {', '.join(result['removed']) or 'nothing'}")
    print(f"  pages updated (listings, feeds, sitemaps, related links): {result['updated']}")
    print(f"  CDN invalidations: {result['cdn_invalidations']}")
    print(f"  social posts deleted: {', '.join(result['retracted']) or 'none'}")
    for channel, why in result["not_retracted"].items():
        print(f"  still online on {channel}: {why}")
    return 0


def cmd_restore(args: argparse.Namespace, config: NewsroomConfig) -> int:
    import getpass

    from newsroom.pipeline import open_store
    from newsroom.store import utcnow

    try:
        restored = open_store(config).takedowns.restore(args.id, by=args.by or getpass.getuser(), now=utcnow())
    except KeyError:
        print(f"newsroom restore: no article {args.id!r}", file=sys.stderr)
        return 1
    if not restored:
        print(f"newsroom restore: {args.id} is not taken down", file=sys.stderr)
        return 1
    print(f"{args.id}: restored; it goes live again with the next pipeline run (within a minute), not re-announced.")
    return 0


def cmd_tags(args: argparse.Namespace, config: NewsroomConfig) -> int:
    """The tags enrichment created: list those waiting for review; approve, block, merge, rename."""
    import getpass

    from newsroom import pipeline
    from newsroom.store.tag_registry import ReviewError

    if args.action == "review":
        states = ("pending", "approved", "blocked", "merged") if args.all else ("pending",)
        tags = pipeline.open_store(config).registry.listing(states, limit=args.limit)
        if args.json:
            print(json.dumps([t.__dict__ for t in tags], default=str, ensure_ascii=False, indent=2))
            return 0
        if not tags:
            print("No created tag waits for review." if not args.all else "Enrichment has created no tag yet.")
            return 0
        print(f"{'slug':<36} {'kind':<13} {'articles':>8}  {'state':<9} name / examples")
        for tag in tags:
            state = f"{tag.status} -> {tag.target}" if tag.target else tag.status
            print(f"{tag.slug:<36} {tag.kind:<13} {tag.articles:>8}  {state:<9} {tag.name}")
            for title in tag.examples:
                print(f"{'':<70}   · {title}")
        print("\nDecide with: newsroom tags approve|block SLUG, merge SLUG --into OTHER, rename SLUG --name 'New name'")
        return 0
    if not args.slugs:
        print(f"newsroom tags {args.action}: name the tag(s) (see `newsroom tags review`)", file=sys.stderr)
        return 2
    by = args.by or getpass.getuser()
    failed = 0
    for slug in args.slugs:
        try:
            result = pipeline.review_tag(args.action, slug, by=by, into=args.into, name=args.name, config=config)
        except ReviewError as exc:
            print(f"newsroom tags {args.action}: {exc}", file=sys.stderr)
            failed += 1
            continue
        done = {"approve": "approved", "block": "blocked", "merge": f"merged into {args.into}", "rename": "renamed"}
        print(
            f"{slug}: {done[args.action]} by {by}; {len(result['articles'])} article(s) re-rendered, "
            f"{result['uploaded']} object(s) uploaded"
        )
    return 1 if failed else 0


def cmd_digest(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from datetime import date, timedelta

    from newsroom import digest
    from newsroom.store import utcnow

    now = utcnow()
    day = date.fromisoformat(args.date) if args.date else now.astimezone(config.site.tz).date() - timedelta(days=1)
    built = digest.build_digest(config, day, now=now)
    print(f"{built['date']}: {built['articles']} article(s) — {built['subject']}")
    print(f"  build folder   {built['build']}")
    if args.publish or args.send:
        published = digest.publish_pages(config, built, now=now)
        state = f"{published['uploaded']} uploaded" if published["published"] else "nothing to publish"
        print(f"  web page       {config.site.base_url}{digest.page_key(day)} ({state})")
    if args.send:
        try:
            result = digest.send_digest(config, built, run_type="manual", force=args.force, owner="cli")
        except digest.DigestIncompleteError as exc:
            print(f"newsroom digest: {exc}", file=sys.stderr)
            return 1
        if result.get("held"):
            print(f"  not sent       {result['held']}")
        for name, outcome in result["lists"].items():
            print(f"  list {name:<9} {outcome['state']}, {outcome.get('sent_now', 0)} sent now")
    return 0


def cmd_schedule(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from datetime import timedelta

    from newsroom.pipeline import open_store
    from newsroom.store import utcnow
    from newsroom.store.ledger import PENDING

    store = open_store(config)
    now = utcnow()
    until = now + timedelta(days=args.days)
    print(f"Schedule, {_fmt_time(now, config)} to {_fmt_time(until, config)} ({config.site.timezone})")
    upcoming = store.articles.upcoming(now, until)
    print(f"  going live ({len(upcoming)})")
    for row in upcoming:
        kind = "embargo lifts" if row.article.embargo_until else "publish_at"
        print(f"    {_fmt_time(row.visible_from, config)}  {kind:<13} {row.id}  {row.title}")
    pending = [r for r in store.deliveries.rows() if r.state == PENDING]
    print(f"  social posts waiting ({len(pending)})")
    for r in pending:
        when = _fmt_time(r.next_attempt_at, config) if r.next_attempt_at else "next run (paced)"
        print(f"    {when}  {r.channel:<10} {r.article_id} v{r.version} {r.reason}".rstrip())
    if config.digest.enabled and config.digest.lists:
        local = now.astimezone(config.site.tz)
        next_digest = local.replace(hour=6, minute=0, second=0, microsecond=0)
        if next_digest <= local:
            next_digest += timedelta(days=1)
        lists = ", ".join(lst.name for lst in config.digest.lists)
        print(f"  next digest  {next_digest:%Y-%m-%d %H:%M %Z}  lists: {lists}")
    return 0


def cmd_import_archive(args: argparse.Namespace, config: NewsroomConfig) -> int:
    """Legacy pages, WordPress exports and ninjs files into the day partitions; a JSON report of what was not."""
    import os

    from newsroom.archive.importer import default_report_path, import_archive

    path = Path(args.path)
    if not path.exists():
        print(f"newsroom import-archive: {path}: no such file or folder", file=sys.stderr)
        return 2
    workers = min(4, os.cpu_count() or 1) if args.workers is None else args.workers
    if workers < 1:
        print("newsroom import-archive: --workers must be at least 1", file=sys.stderr)
        return 2
    progress = not args.no_progress and sys.stderr.isatty()
    report = import_archive(path, config, progress=progress, dry_run=args.dry_run, workers=workers)
    out = report.write(Path(args.report) if args.report else default_report_path(config))
    print("\n".join(report.summary()))
    print(f"Report: {out}")
    return report.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsroom", description=__doc__)
    parser.add_argument("--config", help="the newsroom YAML (default: $NEWSROOM_CONFIG or include/newsroom.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("file", help="file articles: into the inbox, and tell Airflow")
    p.add_argument("paths", nargs="+")
    p.add_argument("--no-signal", action="store_true", help="do not call Airflow (the safety net will pick it up)")
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="wait until the articles are published")
    p.set_defaults(func=cmd_file)

    p = sub.add_parser("status", help="where an article is: filed, quarantined, rendered, published")
    p.add_argument("ref", help="an article id, or the name of a quarantined file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("preview", help="render an article page locally, without filing it")
    p.add_argument("path")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("process", help="run ingest, enrich, render, publish once, inline (no Airflow)")
    p.set_defaults(func=cmd_process)

    p = sub.add_parser("backfill", help="publish imported archive days (Airflow's backfill of backfill_archive)")
    p.add_argument("--from-date", required=True, help="first day, YYYY-MM-DD (a partition of import-archive)")
    p.add_argument("--to-date", required=True, help="last day, YYYY-MM-DD, included")
    p.add_argument(
        "--reprocess-behavior",
        choices=["failed", "completed"],
        default="failed",
        help="days already run: rerun only the failed ones (default), or all of them (after a template change)",
    )
    p.add_argument("--max-active-runs", type=int, default=4)
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="wait for the backfill to finish")
    p.add_argument("--inline", action="store_true", help="run the same phases here, without Airflow")
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("publish", help="render the whole site and upload what changed")
    p.add_argument("--verify", action="store_true", help="compare with the bucket's listing, not our records")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes rendering (default: all cores)")
    p.set_defaults(func=cmd_publish)
    p = sub.add_parser("takedown", help="remove an article from every surface (page, listings, feeds, CDN...)")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", help="who decides (default: your user name)")
    p.set_defaults(func=cmd_takedown)

    p = sub.add_parser("restore", help="undo a takedown (the article goes live again, not re-announced)")
    p.add_argument("id")
    p.add_argument("--by")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("tags", help="tags created from the text: review, approve, block, merge, rename")
    p.add_argument("action", choices=["review", "approve", "block", "merge", "rename"])
    p.add_argument("slugs", nargs="*", metavar="SLUG")
    p.add_argument("--into", help="merge: the tag to merge into (a taxonomy tag or a created one)")
    p.add_argument("--name", help="rename: the new name")
    p.add_argument("--by", help="who decides (default: your user name)")
    p.add_argument("--all", action="store_true", help="review: every created tag, reviewed or not")
    p.add_argument("--limit", type=int, help="review: at most this many")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tags)

    p = sub.add_parser("schedule", help="what goes live, lifts its embargo or is due to be posted soon")
    p.add_argument("--days", type=float, default=7)
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("digest", help="build the daily digest (default: yesterday); --publish its page; --send it")
    p.add_argument("--date", help="YYYY-MM-DD in the site's time zone (default: yesterday)")
    p.add_argument("--publish", action="store_true", help="upload the day's web page and the archive index")
    p.add_argument("--send", action="store_true", help="publish, then send to every list (never twice: the ledger)")
    p.add_argument("--force", action="store_true", help="send even a digest date more than 2 days old")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("deliveries", help="the social delivery ledger; release a failed/unknown one after checking")
    p.add_argument("--state", choices=["pending", "sending", "sent", "failed", "skipped", "unknown", "retracted"])
    p.add_argument("--channel")
    p.add_argument(
        "--release", type=int, metavar="ID", help="make delivery ID pending again (you checked the platform)"
    )
    p.add_argument("--reason", default="checked on the platform")
    p.set_defaults(func=cmd_deliveries)

    p = sub.add_parser("import-archive", help="import legacy HTML pages, WordPress exports, ninjs into day partitions")
    p.add_argument("path", metavar="PATH", help="a file or a folder (searched recursively)")
    p.add_argument("--report", metavar="FILE", help="the JSON report (default: <state>/reports/import-<time>.json)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (there is none when not a terminal)")
    p.add_argument("--dry-run", action="store_true", help="read and report, write no partition file")
    p.add_argument("--workers", type=int, help="processes reading files (default: up to 4, one per CPU)")
    p.set_defaults(func=cmd_import_archive)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"newsroom: {exc}", file=sys.stderr)
        return 2
    result: int = args.func(args, config)
    return result


if __name__ == "__main__":
    sys.exit(main())
