"""Archive staff's commands: ``import-archive`` (legacy pages, WordPress exports, ninjs into day
partitions) and ``backfill`` (Airflow's backfill of ``backfill_archive`` over those days).

Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from newsroom.airflow_api import AirflowApi, AirflowApiError
from newsroom.archive.importer import import_archive
from newsroom.archive.report import default_report_path
from newsroom.config import NewsroomConfig
from newsroom.phases.backfill import run_days
from newsroom.resources import files_for


def cmd_backfill(args: argparse.Namespace, config: NewsroomConfig) -> int:
    """Publish imported archive days: Airflow's backfill over REST, or the same phases inline."""
    first, last = date.fromisoformat(args.from_date), date.fromisoformat(args.to_date)
    if last < first:
        print("newsroom backfill: --to-date is before --from-date", file=sys.stderr)
        return 2
    if args.inline:
        result = run_days(config, first, last)
        summary = {k: v for k, v in result.items() if k != "runs"}
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 1 if result["quarantined"] else 0

    try:
        api = AirflowApi.from_config(config)
        created = api.create_backfill(
            "backfill_archive",
            f"{first.isoformat()}T00:00:00Z",
            f"{last.isoformat()}T00:00:00Z",
            reprocess_behavior=args.reprocess_behavior,
            max_active_runs=args.max_active_runs,
            dag_run_conf={"until": last.isoformat()},  # the listings once, on the range's last run
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


def cmd_import_archive(args: argparse.Namespace, config: NewsroomConfig) -> int:
    """Legacy pages, WordPress exports and ninjs files into the day partitions (the state folder, or the
    private bucket ``storage.files_bucket``); a JSON report of what was not."""

    path = Path(args.path)
    if not path.exists():
        print(f"newsroom import-archive: {path}: no such file or folder", file=sys.stderr)
        return 2
    workers = min(4, os.cpu_count() or 1) if args.workers is None else args.workers
    if workers < 1:
        print("newsroom import-archive: --workers must be at least 1", file=sys.stderr)
        return 2
    progress = not args.no_progress and sys.stderr.isatty()
    files = files_for(config)
    report = import_archive(path, config, files, progress=progress, dry_run=args.dry_run, workers=workers)
    out = report.write(Path(args.report) if args.report else default_report_path(config))
    print("\n".join(report.summary()))
    print(f"Report: {out}")
    return report.exit_code
