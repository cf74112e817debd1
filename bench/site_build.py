"""Our whole-site build as one command, in a fresh process: the newsroom side of ``bench.ssg_bench``.

    python -m bench.site_build STATE_DIR OUT [--workers 2]

Renders and writes every page of the site whose state (the store) is in
``STATE_DIR`` into ``OUT``, with ``render_site`` as ``newsroom publish`` does,
and prints one JSON line: pages written, and the seconds of ``render_site``
alone (the rest of the command's time is starting Python and importing). Run
as its own process so that it is timed as Hugo is, from the command line,
and holds none of the bench's state (the language model, the archive in
memory).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.site_build", description=__doc__.split("\n\n")[0])
    parser.add_argument("state_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    from bench.util import NEWSROOM_YAML, environ, newsroom_yaml
    from newsroom.config import parse_config
    from newsroom.render.parallel import render_site
    from newsroom.resources import open_store
    from newsroom.store import utcnow

    with environ({}, remove=["NEWSROOM_DATABASE_URL"]):
        config = parse_config(newsroom_yaml(), NEWSROOM_YAML, state_dir=args.state_dir)
        store = open_store(config)
        started = time.perf_counter()
        entries = render_site(config, store, utcnow(), args.out, args.workers)
        seconds = time.perf_counter() - started
    print(json.dumps({"pages": len({e["key"] for e in entries}), "render_site_seconds": round(seconds, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
