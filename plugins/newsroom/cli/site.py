"""The whole site: ``publish`` renders every page (on several cores) and uploads what changed.

Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from newsroom.config import NewsroomConfig
from newsroom.phases.ingest import publish_build, render


def cmd_publish(args: argparse.Namespace, config: NewsroomConfig) -> int:

    shown = sys.stderr.isatty()  # a progress line on a terminal, nothing in a log
    rendered = render([], f"cli-{time.time_ns()}", full=True, workers=args.workers, config=config, progress=shown)
    published = publish_build(rendered["build"], config, verify=args.verify, progress=shown)
    print(json.dumps({"render": rendered, "publish": published}, indent=2))
    return 0
