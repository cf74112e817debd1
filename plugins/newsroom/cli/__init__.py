"""The ``newsroom`` command: filing, the desk's decisions, the site, the archive.

``file`` is what a journalist's tool (or a person) calls: the file goes into
the inbox and Airflow is told at once. ``status`` says where an article is.
``preview`` renders a page locally without filing anything. ``process`` and
``publish`` run the phases inline, without Airflow, for operators.

The subcommands live by who uses them: :mod:`~newsroom.cli.filing`,
:mod:`~newsroom.cli.desk`, :mod:`~newsroom.cli.site`, :mod:`~newsroom.cli.archive`.
The console script ``newsroom`` (``pyproject.toml``) calls :func:`main`.
"""

from __future__ import annotations

import argparse
import logging
import sys

from newsroom.cli import archive, desk, filing, site
from newsroom.config import ConfigError, load_config
from newsroom.models import BusyError, StorageError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsroom", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", help="the newsroom YAML (default: $NEWSROOM_CONFIG or include/newsroom.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (filing, archive, site, desk):
        group.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"newsroom: {exc}", file=sys.stderr)
        return 2
    try:
        result: int = args.func(args, config)
    except (StorageError, BusyError) as exc:  # known and explained: one line, no traceback
        print(f"newsroom: {exc}", file=sys.stderr)
        return 1
    return result
