"""The desk's decisions after publication: ``takedown`` and ``restore``, the review of created
``tags``, the ``schedule`` ahead, the ``digest`` by hand and the social ``deliveries`` ledger.

Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import smtplib
import sys
from datetime import date, timedelta
from typing import Any

from newsroom import digest
from newsroom.assets import DIGEST_HOUR
from newsroom.cli.common import fmt_time
from newsroom.config import NewsroomConfig
from newsroom.phases.tags import review_tag
from newsroom.phases.takedown import takedown
from newsroom.resources import bucket_for, open_store
from newsroom.store import Store, utcnow
from newsroom.store.digests import UNKNOWN
from newsroom.store.ledger import PENDING
from newsroom.store.tag_registry import ReviewError


def cmd_takedown(args: argparse.Namespace, config: NewsroomConfig) -> int:

    by = args.by or getpass.getuser()
    try:
        result = takedown(args.id, reason=args.reason, by=by, config=config)
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

    if args.action == "review":
        states = ("pending", "approved", "blocked", "merged") if args.all else ("pending",)
        tags = open_store(config).registry.listing(states, limit=args.limit)
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
            result = review_tag(args.action, slug, by=by, into=args.into, name=args.name, config=config)
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


def cmd_digest(args: argparse.Namespace, config: NewsroomConfig) -> int:
    now = utcnow()
    day = date.fromisoformat(args.date) if args.date else now.astimezone(config.site.tz).date() - timedelta(days=1)
    store = open_store(config)
    if args.release:
        return _release_unknown(config, store, day, args.release, args.list)
    built = digest.build_digest(config, day, now=now, store=store)
    print(f"{built['date']}: {built['articles']} article(s) — {built['subject']}")
    print(f"  build folder   {built['build']}")
    if args.publish or args.send:
        bucket = bucket_for(config)
        bucket.ensure_bucket()
        published = digest.publish_pages(config, built, store=store, bucket=bucket, now=now)
        state = f"{published['uploaded']} uploaded" if published["published"] else "nothing to publish"
        print(f"  web page       {config.site.base_url}{digest.page_key(day)} ({state})")
    code = 0
    if args.send:
        try:
            result = digest.send_digest(config, built, store=store, run_type="manual", force=args.force, owner="cli")
        except digest.DigestIncompleteError as exc:
            print(f"newsroom digest: {exc}", file=sys.stderr)
            code = 1
        except (OSError, smtplib.SMTPException) as exc:  # the server is down or refused us: the ledger knows
            print(f"newsroom digest: the mail server refused or did not answer: {exc}", file=sys.stderr)
            code = 1
        else:
            if result.get("held"):
                print(f"  not sent       {result['held']}")
            for name, outcome in result["lists"].items():
                print(f"  list {name:<9} {outcome['state']}, {outcome.get('sent_now', 0)} sent now")
    _print_ledger(config, store, day)
    return code


def _print_ledger(config: NewsroomConfig, store: Store, day: date) -> None:
    """Each list's recipients by state; the ``unknown`` ones by address, with what to do about them."""
    for mailing in config.digest.lists:
        counts = store.digests.counts(day.isoformat(), mailing.name)
        if not counts:
            continue
        states = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
        print(f"  ledger {mailing.name:<7} {states}")
        for row in store.digests.recipients(day.isoformat(), mailing.name):
            if row.state == UNKNOWN:
                print(f"    unknown      {row.email} ({row.reason})")
        if counts.get(UNKNOWN):
            print(
                f"    check the mail server's log, then: newsroom digest --date {day} --list {mailing.name}"
                " --release EMAIL... (sent again at the next --send)"
            )


def _release_unknown(config: NewsroomConfig, store: Store, day: date, emails: list[str], only: str | None) -> int:
    names = [m.name for m in config.digest.lists if only is None or m.name == only]
    if not names:
        print(f"newsroom digest: no list named {only!r}", file=sys.stderr)
        return 2
    wanted = [e.strip().lower() for e in emails]
    released = sum(store.digests.release_unknown(day.isoformat(), name, wanted) for name in names)
    if not released:
        print(f"newsroom digest: no unknown recipient among {', '.join(wanted)} on {day}", file=sys.stderr)
        return 1
    print(f"Released {released} recipient(s) of {day}: the next --send (or the DAG's rerun) mails them.")
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


def add_commands(sub: Any) -> None:
    """Register the desk's subcommands on the ``newsroom`` parser."""
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
    p.add_argument(
        "--release",
        nargs="+",
        metavar="EMAIL",
        help="make these 'unknown' recipients pending again (you checked the mail log: they got nothing)",
    )
    p.add_argument("--list", help="--release: only this list (default: every list)")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("deliveries", help="the social delivery ledger; release a failed/unknown one after checking")
    p.add_argument("--state", choices=["pending", "sending", "sent", "failed", "skipped", "unknown", "retracted"])
    p.add_argument("--channel")
    p.add_argument(
        "--release", type=int, metavar="ID", help="make delivery ID pending again (you checked the platform)"
    )
    p.add_argument("--reason", default="checked on the platform")
    p.set_defaults(func=cmd_deliveries)
