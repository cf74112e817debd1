"""Faults and what they cost: ``python -m bench.faults`` prints fault x (lost, duplicated, re-uploaded).

Each scenario is a function of ``tests/support/faults.py`` (the tests assert on the
same figures) run against real components: a SeaweedFS of its own on free ports,
PostgreSQL on 127.0.0.1:5432 when it answers (a database of its own, dropped after),
the platform fakes on loopback, real child processes killed with SIGKILL. Then the
configuration cases of ``tests/test_preflight.py``: how many are refused at load.

Small on purpose (seconds to half a minute each; the two-process runs load spaCy twice).
Progress on stderr; the table on stdout, with the machine's load average. Exits 1 when
anything was duplicated or a configuration case was not refused (the SMTP row's one
``unknown`` recipient before its release is the ledger's design: never resend blindly).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

from bench.util import log
from dev.devstack import SeaweedServer
from newsroom.config import ConfigError, load_config
from tests.support.faults import (
    KILL_POINTS,
    Cost,
    ingest_killed,
    platforms_failing,
    seaweed_killed_mid_publish,
    smtp_killed_mid_digest,
    two_processes,
)
from tests.support.postgres import pg_database
from tests.test_preflight import CASES, write_broken


@contextlib.contextmanager
def logs_to_stderr() -> Iterator[None]:
    """File descriptor 1 onto stderr for the block: Airflow's SDK logs on stdout, the table goes there."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    except OSError:
        return "n/a"


def with_postgres(run: Callable[[str], Cost]) -> Cost | None:
    """``run(url)`` on a PostgreSQL database of its own, or None when no server answers."""
    databases: Generator[str, None, None] = pg_database()  # type: ignore[assignment]  # a generator function
    try:
        url = next(databases)
    except BaseException as exc:  # pytest's Skipped: no server here
        log(f"PostgreSQL: skipped ({exc})")
        return None
    try:
        return run(url)
    finally:
        databases.close()  # drops the database


def scenarios(folder: Path, only: str | None) -> list[Cost]:
    costs: list[Cost] = []

    def run(name: str, step: Callable[[], Cost | list[Cost] | None]) -> None:
        if only and only not in name:
            return
        log(f"{name}…")
        started = time.perf_counter()
        result = step()
        found = [] if result is None else result if isinstance(result, list) else [result]
        for cost in found:  # a scenario of several faults: its time shared between them
            cost.detail["seconds"] = (time.perf_counter() - started) / len(found)
            log(f"  {cost.fault}: lost {cost.lost}, duplicated {cost.duplicated}, re-uploaded {cost.reuploaded}")
        costs.extend(found)

    run("seaweedfs", lambda: seaweed_killed_mid_publish(folder / "seaweed-kill"))
    for point, after in KILL_POINTS:

        def killed(p: str = point, a: int = after) -> Cost:
            return ingest_killed(folder / f"kill-{p}-{a}", p, a)

        run(f"ingest-{point}-{after}", killed)
    run("smtp", lambda: smtp_killed_mid_digest(folder / "smtp-kill"))
    seaweed = SeaweedServer.on_free_ports(folder / "seaweed")
    seaweed.start()
    os.environ["AIRFLOW_CONN_NEWSROOM_S3"] = seaweed.connection_uri()
    try:
        run("platforms", lambda: platforms_failing(folder / "platforms", seaweed, "faults-platforms"))
        run("two-process-sqlite", lambda: two_processes(folder / "duo-sqlite", seaweed, "faults-duo-sqlite", count=8))
        run(
            "two-process-postgresql",
            lambda: with_postgres(
                lambda url: two_processes(folder / "duo-pg", seaweed, "faults-duo-pg", database_url=url, count=8)
            ),
        )
    finally:
        seaweed.stop()
    return costs


def config_cases(folder: Path) -> tuple[int, int]:
    """(refused at load, cases) over the broken configurations of tests/test_preflight.py."""
    refused = 0
    for index, case in enumerate(CASES):
        try:
            load_config(write_broken(case, folder / f"case-{index}"))
        except ConfigError as exc:
            refused += f"\n  {case.key}: " in str(exc)
        else:
            log(f"  configuration case not refused: {case.name}")
    return refused, len(CASES)


def table(costs: list[Cost]) -> list[str]:
    width = max([len(c.fault) for c in costs] + [5])
    lines = [f"{'fault':<{width}}  lost  duplicated  re-uploaded  seconds", "-" * (width + 38)]
    for cost in costs:
        again = "—" if cost.reuploaded is None else str(cost.reuploaded)
        seconds = cost.detail.get("seconds", 0.0)
        lines.append(f"{cost.fault:<{width}}  {cost.lost:>4}  {cost.duplicated:>10}  {again:>11}  {seconds:>7.1f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", help="the scenarios whose name contains this: seaweedfs, ingest, smtp, platforms, two-process"
    )
    parser.add_argument("--config-only", action="store_true", help="only count the configuration cases")
    args = parser.parse_args(argv)
    before = loadavg()
    with tempfile.TemporaryDirectory(prefix="newsroom-faults-") as tmp, logs_to_stderr():
        folder = Path(tmp)
        costs = [] if args.config_only else scenarios(folder, args.only)
        refused, cases = config_cases(folder / "config")
    lines = [*table(costs), ""] if costs else []
    lines.append(f"configuration cases refused at load: {refused} of {cases}")
    lines.append(f"load average (1, 5, 15 min): {before} before, {loadavg()} after")
    print("\n".join(lines))
    return 0 if all(c.duplicated == 0 for c in costs) and refused == cases else 1


if __name__ == "__main__":
    raise SystemExit(main())
