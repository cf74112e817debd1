"""The ``newsroom`` command line: every subcommand's arguments, and the function that runs it, by name.

Reading the command line imports argparse alone: each subcommand names its
function as ``"module:function"`` (``run``), and :func:`newsroom.cli.main`
imports that module when the command runs. So ``newsroom status`` loads the
store and nothing else, and ``newsroom --help`` loads nothing at all; the
rendering, publishing and language-model modules are imported by the
commands that use them. The functions live by who uses them:
:mod:`~newsroom.cli.filing`, :mod:`~newsroom.cli.records` (quick reads of the
state database), :mod:`~newsroom.cli.desk`, :mod:`~newsroom.cli.site`,
:mod:`~newsroom.cli.archive`, :mod:`~newsroom.cli.database`.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

FILING = "newsroom.cli.filing"
RECORDS = "newsroom.cli.records"
DESK = "newsroom.cli.desk"
SITE = "newsroom.cli.site"
ARCHIVE = "newsroom.cli.archive"
DATABASE = "newsroom.cli.database"
DELIVERY_STATES = ["pending", "sending", "sent", "failed", "skipped", "unknown", "retracted"]


def build_parser(description: str = "") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsroom", description=description)
    parser.add_argument("--config", help="the newsroom YAML (default: $NEWSROOM_CONFIG or include/newsroom.yaml)")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show the logs (ours, Airflow's, boto's), not only the results"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (_filing, _archive, _site, _desk, _database):
        group(sub)
    return parser


def _command(sub: Any, name: str, run: str, help: str) -> argparse.ArgumentParser:
    """A subcommand whose function is ``run`` ("module:function"), imported only when it runs."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help)
    parser.set_defaults(run=run)
    return parser


def _filing(sub: Any) -> None:
    p = _command(sub, "file", f"{FILING}:cmd_file", "file articles: into the inbox, and tell Airflow")
    p.add_argument("paths", nargs="+")
    p.add_argument("--no-signal", action="store_true", help="do not call Airflow (the safety net will pick it up)")
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="wait until the articles are published")
    p.add_argument("--to", metavar="URL", help="file through the filing API at URL (e.g. http://airflow:8080/newsroom)")

    p = _command(sub, "status", f"{RECORDS}:cmd_status", "where an article is: filed, quarantined, rendered, published")
    p.add_argument("ref", help="an article id, or the name of a quarantined file")
    p.add_argument("--json", action="store_true")

    p = _command(sub, "preview", f"{FILING}:cmd_preview", "render an article page locally, without filing it")
    p.add_argument("path", help="a file to render; with --link, the id of a stored article")
    p.add_argument("--link", action="store_true", help="print a signed, expiring preview link to a stored article")
    p.add_argument("--hours", type=float, help="how long the link works (default: web.preview_hours)")
    p.add_argument("-o", "--output")
    p.add_argument("--no-tags", action="store_true", help="no enrichment: no tags, no language model (seconds sooner)")

    _command(sub, "process", f"{FILING}:cmd_process", "run ingest, enrich, render, publish once, inline (no Airflow)")


def _archive(sub: Any) -> None:
    p = _command(
        sub,
        "backfill",
        f"{ARCHIVE}:cmd_backfill",
        "publish imported archive days (Airflow's backfill of backfill_archive)",
    )
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

    p = _command(
        sub,
        "import-archive",
        f"{ARCHIVE}:cmd_import_archive",
        "import legacy HTML pages, WordPress exports, ninjs into day partitions",
    )
    p.add_argument("path", metavar="PATH", help="a file or a folder (searched recursively)")
    p.add_argument("--report", metavar="FILE", help="the JSON report (default: <state>/reports/import-<time>.json)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (there is none when not a terminal)")
    p.add_argument("--dry-run", action="store_true", help="read and report, write no partition file")
    p.add_argument("--workers", type=int, help="processes reading files (default: up to 4, one per CPU)")


def _site(sub: Any) -> None:
    p = _command(sub, "publish", f"{SITE}:cmd_publish", "render the whole site and upload what changed")
    p.add_argument("--verify", action="store_true", help="compare with the bucket's listing, not our records")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes rendering (default: all cores)")


def _desk(sub: Any) -> None:
    p = _command(
        sub, "takedown", f"{DESK}:cmd_takedown", "remove an article from every surface (page, listings, feeds, CDN...)"
    )
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", help="who decides (default: your user name)")

    p = _command(
        sub, "restore", f"{RECORDS}:cmd_restore", "undo a takedown (the article goes live again, not re-announced)"
    )
    p.add_argument("id")
    p.add_argument("--by")

    p = _command(sub, "tags", f"{DESK}:cmd_tags", "tags created from the text: review, approve, block, merge, rename")
    p.add_argument("action", choices=["review", "approve", "block", "merge", "rename"])
    p.add_argument("slugs", nargs="*", metavar="SLUG")
    p.add_argument("--into", help="merge: the tag to merge into (a taxonomy tag or a created one)")
    p.add_argument("--name", help="rename: the new name")
    p.add_argument("--by", help="who decides (default: your user name)")
    p.add_argument("--all", action="store_true", help="review: every created tag, reviewed or not")
    p.add_argument("--limit", type=int, help="review: at most this many")
    p.add_argument("--json", action="store_true")

    p = _command(
        sub, "schedule", f"{RECORDS}:cmd_schedule", "what goes live, lifts its embargo or is due to be posted soon"
    )
    p.add_argument("--days", type=float, default=7)

    p = _command(
        sub,
        "digest",
        f"{DESK}:cmd_digest",
        "build the daily digest (default: yesterday); --publish its page; --send it",
    )
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

    p = _command(
        sub,
        "deliveries",
        f"{RECORDS}:cmd_deliveries",
        "the social delivery ledger; release a failed/unknown one after checking",
    )
    p.add_argument("--state", choices=DELIVERY_STATES)
    p.add_argument("--channel")
    p.add_argument(
        "--release", type=int, metavar="ID", help="make delivery ID pending again (you checked the platform)"
    )
    p.add_argument("--reason", default="checked on the platform")


def _database(sub: Any) -> None:
    p = _command(
        sub,
        "db",
        f"{DATABASE}:cmd_db",
        "the state database's schema: `upgrade` it (once, before the workers start), or show the `current` revision",
    )
    p.add_argument("action", choices=["upgrade", "current"])
