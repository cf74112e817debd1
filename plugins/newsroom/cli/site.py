"""The whole site: ``publish`` renders every page (on several cores) and uploads what changed.

Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from newsroom.config import NewsroomConfig
from newsroom.phases.ingest import publish_build, render


def cmd_publish(args: argparse.Namespace, config: NewsroomConfig) -> int:

    rendered = render([], f"cli-{time.time_ns()}", full=True, workers=args.workers, config=config)
    published = publish_build(rendered["build"], config, verify=args.verify)
    print(json.dumps({"render": rendered, "publish": published}, indent=2))
    return 0


def add_commands(sub: Any) -> None:
    """Register ``publish`` on the ``newsroom`` parser."""
    p = sub.add_parser("publish", help="render the whole site and upload what changed")
    p.add_argument("--verify", action="store_true", help="compare with the bucket's listing, not our records")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes rendering (default: all cores)")
    p.set_defaults(func=cmd_publish)
