"""The desk's decisions after publication that re-render or publish: ``takedown``, the review of
created ``tags`` and the ``digest`` by hand. (``restore``, the ``schedule`` ahead and the social
``deliveries`` ledger only touch the state database: :mod:`newsroom.cli.records`.)

Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import smtplib
import sys
from datetime import date, timedelta

from newsroom import digest
from newsroom.config import NewsroomConfig
from newsroom.phases.tags import review_tag
from newsroom.phases.takedown import takedown
from newsroom.resources import bucket_for, open_store
from newsroom.store import Store, utcnow
from newsroom.store.digests import UNKNOWN
from newsroom.store.tag_registry import ReviewError


def cmd_takedown(args: argparse.Namespace, config: NewsroomConfig) -> int:

    by = args.by or getpass.getuser()
    try:
        result = takedown(args.id, reason=args.reason, by=by, config=config, progress=sys.stderr.isatty())
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
            result = review_tag(
                args.action, slug, by=by, into=args.into, name=args.name, config=config, progress=sys.stderr.isatty()
            )
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
