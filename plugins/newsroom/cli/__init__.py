"""The ``newsroom`` command: filing, the desk's decisions, the site, the archive.

``file`` is what a journalist's tool (or a person) calls: the file goes into
the inbox and Airflow is told at once. ``status`` says where an article is.
``preview`` renders a page locally without filing anything. ``process`` and
``publish`` run the phases inline, without Airflow, for operators. ``db upgrade``
brings the state database to this release's schema, once before the workers start.

A command starts with what it needs only: the parser (:mod:`~newsroom.cli.parser`)
names each subcommand's function as ``"module:function"``, and :func:`main`
imports that module when the command runs (``newsroom status`` never loads
spaCy, Airflow or the renderer). Without ``--verbose`` a command prints its
own lines only: the logs of our modules, Airflow's and boto's are kept to
warnings. The console script ``newsroom`` (``pyproject.toml``) calls :func:`main`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator

from newsroom.cli import parser
from newsroom.config import ConfigError, NewsroomConfig, load_config
from newsroom.models import BusyError, SchemaError, StorageError

Command = Callable[[argparse.Namespace, NewsroomConfig], int]
# Airflow configures logging when first imported (by the bucket's connection, mid-command) from this setting.
AIRFLOW_LOG_LEVEL = "AIRFLOW__LOGGING__LOGGING_LEVEL"


def build_parser() -> argparse.ArgumentParser:
    return parser.build_parser(__doc__.split("\n\n")[0])


def command_of(run: str) -> tuple[str, str]:
    """``"newsroom.cli.desk:cmd_takedown"`` -> (module, function)."""
    module, _, function = run.partition(":")
    return module, function


def load_command(run: str) -> Command:
    """The function of a subcommand, its module imported now (the command table names it)."""
    module, function = command_of(run)
    command: Command = getattr(importlib.import_module(module), function)
    return command


@contextlib.contextmanager
def quiet_logs(verbose: bool) -> Iterator[None]:
    """Our logs at INFO with ``--verbose``, else warnings only; Airflow, if the command imports it, told the same."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if verbose or AIRFLOW_LOG_LEVEL in os.environ:
        yield
        return
    os.environ[AIRFLOW_LOG_LEVEL] = "WARNING"
    try:
        yield
    finally:
        os.environ.pop(AIRFLOW_LOG_LEVEL, None)  # not passed on to what this process starts later (tests)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with quiet_logs(args.verbose):
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            print(f"newsroom: {exc}", file=sys.stderr)
            return 2
        try:
            result: int = load_command(args.run)(args, config)
        except (StorageError, BusyError, SchemaError) as exc:  # known and explained: one line, no traceback
            print(f"newsroom: {exc}", file=sys.stderr)
            return 1
    return result
