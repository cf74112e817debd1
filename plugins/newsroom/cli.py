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
import sys
import time
from datetime import datetime
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
        rows = store.rows(pending)
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

    info = open_store(config).status(args.ref)
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
    for q in info["quarantine"]:
        print(f"  QUARANTINED {_fmt_time(q['at'], config)}  {q['file']}")
        for problem in q["problems"]:
            print(f"     {problem['field']}: {problem['reason']}")
        print(f"     original kept at {q['stored_path']}")
        print(f"     report at {q['report_path']}")
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

    filed = pipeline.ingest(config)
    enriched = pipeline.enrich(filed["ids"], config)
    rendered = pipeline.render(
        enriched["ids"], f"cli-{time.time_ns()}", previous_tags=enriched["previous_tags"], config=config
    )
    published = pipeline.publish_build(rendered["build"], config)
    print(json.dumps({"ingest": filed, "render": rendered, "publish": published}, ensure_ascii=False, indent=2))
    return 0


def cmd_publish(args: argparse.Namespace, config: NewsroomConfig) -> int:
    from newsroom import pipeline

    rendered = pipeline.render([], f"cli-{time.time_ns()}", full=True, config=config)
    published = pipeline.publish_build(rendered["build"], config, verify=args.verify)
    print(json.dumps({"render": rendered, "publish": published}, indent=2))
    return 0


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

    p = sub.add_parser("publish", help="render the whole site and upload what changed")
    p.add_argument("--verify", action="store_true", help="compare with the bucket's listing, not our records")
    p.set_defaults(func=cmd_publish)
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
