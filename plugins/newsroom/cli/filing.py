"""Filing and following an article: ``file`` (into the inbox, Airflow told at once), ``status``
(where an article is), ``preview`` (a page rendered locally, nothing filed) and ``process``
(the ingest DAG once, inline, without Airflow).

Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsroom.airflow_api import AirflowApiError, AirflowAuthError, signal_filed
from newsroom.cli.common import fmt_time
from newsroom.config import NewsroomConfig
from newsroom.enrich.topics import NAMES
from newsroom.ingest import Inbox, read_article
from newsroom.ingest.inbox import MAX_NAME_BYTES
from newsroom.models import ArticleError, LockHolder
from newsroom.phases.ingest import process
from newsroom.phases.preview import render_preview
from newsroom.render import Urls
from newsroom.resources import make_enricher, open_store
from newsroom.store.articles import content_hash
from newsroom.text import INVISIBLE


def cmd_file(args: argparse.Namespace, config: NewsroomConfig) -> int:

    inbox = Inbox(config)
    filed: list[str] = []
    expected: dict[str, str] = {}  # article id -> the content hash of the version filed now
    refused: list[str] = []
    for name in args.paths:
        path = Path(name)
        if not path.is_file():
            print(f"newsroom file: {path}: no such file", file=sys.stderr)
            return 2
        size = len(path.name.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            print(
                f"newsroom file: {path.name[:40]}…: file name too long ({size} bytes, at most {MAX_NAME_BYTES});"
                " rename it and file it again",
                file=sys.stderr,
            )
            return 2
        if hidden := INVISIBLE.findall(path.name):
            codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(hidden))
            print(
                f"newsroom file: {path.name.encode('unicode_escape').decode('ascii')}: the file name holds "
                f"invisible characters ({codes}: a bidi control shows a name backwards); rename it and file it again",
                file=sys.stderr,
            )
            return 2
        try:
            article = read_article(path.read_bytes(), path.name, config)
            expected[article.id] = content_hash(article)
            note = f"article {article.id}"
        except ArticleError as exc:
            note = f"WILL BE QUARANTINED: {exc}"
            refused.append(str(exc))
        try:
            target = inbox.file(path)
        except OSError as exc:
            print(f"newsroom file: {path}: cannot copy it into {inbox.inbox}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        filed.append(target.name)
        print(f"Filed {path} -> {target} ({note})")
    code = 0
    if not args.no_signal:
        try:
            event = signal_filed(config, filed)
            print(f"Airflow told: asset event {event.get('id')} on {config.airflow.inbox_asset}")
        except AirflowAuthError as exc:  # a setup to fix: say so, and fail (without waiting)
            print(f"newsroom file: {exc}; the filing is safe in the inbox, the safety net picks it up", file=sys.stderr)
            code = 1
        except AirflowApiError as exc:
            print(f"Warning: {exc}; the safety-net schedule will pick the filing up.", file=sys.stderr)
    if args.wait and expected and not code:
        code = _wait_published(config, expected, args.wait)
    for reason in refused:  # filed all the same: the original is kept beside its report
        print(f"newsroom file: will be quarantined: {reason}", file=sys.stderr)
    return 1 if refused else code


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _wait_published(config: NewsroomConfig, expected: dict[str, str], timeout: float) -> int:
    """Wait until the version filed now (its content hash) is live; stop at once if it is refused."""
    store = open_store(config)
    since = datetime.now(UTC)
    deadline = time.monotonic() + timeout
    pending = dict(expected)
    scheduled: dict[str, datetime] = {}
    while pending and time.monotonic() < deadline:
        rows = store.articles.records(pending)
        for article_id, digest in list(pending.items()):
            row = rows.get(article_id)
            if row is not None and row.content_hash == digest:
                if row.status == "published":
                    del pending[article_id]
                elif row.status == "scheduled" and row.visible_from is not None:
                    scheduled[article_id] = row.visible_from
                    del pending[article_id]
                continue
            info = store.status.of(article_id)
            refusals = [q for q in (info or {}).get("quarantine", []) if _aware(q["at"]) >= since]
            if refusals:
                problems = "; ".join(f"{p['field']}: {p['reason']}" for p in refusals[-1]["problems"])
                print(f"newsroom file: {article_id} was refused: {problems}", file=sys.stderr)
                return 1
        if pending:
            time.sleep(0.3)
    if pending:
        print(f"newsroom file: not published after {timeout:.0f}s: {', '.join(sorted(pending))}", file=sys.stderr)
        return 1
    for article_id, when in scheduled.items():
        print(f"Scheduled: {article_id} goes live at {fmt_time(when, config)}")
    live = [i for i in expected if i not in scheduled]
    if live:
        print(f"Published: {', '.join(live)}")
    return 0


def cmd_status(args: argparse.Namespace, config: NewsroomConfig) -> int:

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
        print(f"  published   {fmt_time(article['published'], config)}")
        print(f"  modified    {fmt_time(article['modified'], config)}")
        if article["visible_from"]:
            print(f"  not before  {fmt_time(article['visible_from'], config)}")
        print(f"  went live   {fmt_time(article['went_live_at'], config)}")
        for note in article["notes"]:
            print(f"  note        {note}")
    enrichment = info["enrichment"]
    if enrichment:
        print(f"  language    {enrichment['language']}")
        print(f"  tags        {', '.join(enrichment['tags']) or '—'}")
        print(f"  topics      {', '.join(f'{c} ({NAMES.get(c, c)})' for c in enrichment['topics']) or '—'}")
        print(f"  keywords    {', '.join(enrichment['keywords']) or '—'}")
        for note in enrichment["notes"]:
            print(f"  enrichment  {note}")
    for q in info["quarantine"]:
        print(f"  QUARANTINED {fmt_time(q['at'], config)}  {q['file']}")
        for problem in q["problems"]:
            print(f"     {problem['field']}: {problem['reason']}")
        print(f"     original kept at {q['stored_path']}")
        print(f"     report at {q['report_path']}")

    deliveries = open_store(config).deliveries.rows(info["id"])
    if deliveries:
        print("  deliveries")
        for d in deliveries:
            where = d.remote_url or d.remote_id or ""
            when = fmt_time(d.sent_at, config) if d.sent_at else ""
            print(f"    {d.channel:<10} v{d.version}  {d.state:<9} {when} {where} {d.reason}".rstrip())
    if info["events"]:
        print("  timeline")
        for event in info["events"]:
            print(f"    {fmt_time(event['at'], config)}  {event['kind']:<11} {event['detail']}")
    if info["objects"]:
        print("  in the bucket")
        for obj in info["objects"]:
            print(f"    {obj['key']}  md5 {obj['md5']}  uploaded {fmt_time(obj['uploaded_at'], config)}")
    return 0


def cmd_preview(args: argparse.Namespace, config: NewsroomConfig) -> int:

    path = Path(args.path)
    try:
        article = read_article(path.read_bytes(), path.name, config)
    except ArticleError as exc:
        print(f"newsroom preview: this article would be quarantined:\n  {exc.file}", file=sys.stderr)
        for problem in exc.problems:
            print(f"    {problem.field}: {problem.reason}", file=sys.stderr)
        return 1

    body = render_preview(config, article, make_enricher(config))
    out = Path(args.output) if args.output else config.state_dir / "preview" / f"{article.slug}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    for note in article.notes:
        print(f"note: {note}")
    print(f"Preview of {article.id} written to {out}")
    return 0


def cmd_process(args: argparse.Namespace, config: NewsroomConfig) -> int:

    def waiting(holder: LockHolder | None) -> None:
        who = holder.describe(config.site.tz) if holder else "holder unknown"
        print(f"newsroom process: waiting for another ingest ({who})…", file=sys.stderr, flush=True)

    result = process(config, run_id=f"cli-{time.time_ns()}", on_wait=waiting)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def add_commands(sub: Any) -> None:
    """Register ``file``, ``status``, ``preview``, ``process`` on the ``newsroom`` parser."""
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
