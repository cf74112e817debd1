"""Quick looks at the state database, and the one change that needs nothing else: ``status`` (where an
article is), ``schedule`` (what goes live soon), ``deliveries`` (the social ledger) and ``restore`` (a
takedown undone; the next pipeline run publishes the article again).

No rendering, no bucket, no Airflow: these start in about the time the store takes to open.
Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import timedelta

from newsroom.assets import DIGEST_HOUR
from newsroom.cli.common import fmt_time
from newsroom.config import NewsroomConfig
from newsroom.enrich.topics import NAMES
from newsroom.render.urls import Urls
from newsroom.resources import open_store
from newsroom.store import utcnow
from newsroom.store.ledger import PENDING


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


def cmd_schedule(args: argparse.Namespace, config: NewsroomConfig) -> int:
    store = open_store(config)
    now = utcnow()
    until = now + timedelta(days=args.days)
    print(f"Schedule, {fmt_time(now, config)} to {fmt_time(until, config)} ({config.site.timezone})")
    upcoming = store.articles.upcoming(now, until)
    print(f"  going live ({len(upcoming)})")
    for row in upcoming:
        kind = "embargo lifts" if row.article.embargo_until else "publish_at"
        print(f"    {fmt_time(row.visible_from, config)}  {kind:<13} {row.id}  {row.title}")
    pending = [r for r in store.deliveries.rows() if r.state == PENDING]
    print(f"  social posts waiting ({len(pending)})")
    for r in pending:
        when = fmt_time(r.next_attempt_at, config) if r.next_attempt_at else "next run (paced)"
        print(f"    {when}  {r.channel:<10} {r.article_id} v{r.version} {r.reason}".rstrip())
    if config.digest.enabled and config.digest.lists:
        local = now.astimezone(config.site.tz)
        next_digest = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
        if next_digest <= local:
            next_digest += timedelta(days=1)
        lists = ", ".join(lst.name for lst in config.digest.lists)
        print(f"  next digest  {next_digest:%Y-%m-%d %H:%M %Z}  lists: {lists}")
    return 0


def cmd_deliveries(args: argparse.Namespace, config: NewsroomConfig) -> int:

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


def cmd_restore(args: argparse.Namespace, config: NewsroomConfig) -> int:

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
