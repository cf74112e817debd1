"""CPU of a forked task's work: what the scheduler's preload saves each task of the live path.

    python -m bench.task_cpu [--articles 3]

As the LocalExecutor does, a parent process loads things once and forks; the
child (a task) ingests, enriches and renders one new article (a generated one,
SQLite state in a temp dir, no upload), then more, and reports the CPU time
of each. Run twice, one after the other: with the parent holding only the NLP
model, YAKE and the taxonomy (the preload before issue 16) and with the whole
preload of ``config/airflow_local_settings.py``. The first article is what a
task pays (each task is a new fork); the next ones show a warm process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.generate import DEFAULT_SEED, generate_article, write_markdown
from bench.latency import loadavg
from bench.util import REPO_ROOT, environ, include_copy, newsroom_yaml


def _model_only() -> None:
    from newsroom.config import get_config
    from newsroom.enrich.entities import load_nlp
    from newsroom.enrich.keywords import _extractor
    from newsroom.taxonomy import load_taxonomy

    config = get_config()
    load_nlp(config.enrich.model)
    _extractor("fr", 8)
    load_taxonomy(config.taxonomy_path)


def _full_preload() -> None:
    sys.path.insert(0, str(REPO_ROOT / "config"))
    argv, sys.argv = sys.argv, ["airflow", "scheduler"]
    try:
        import airflow_local_settings  # noqa: F401  (preloads on import, as in the scheduler)
    finally:
        sys.argv = argv


def _child(workdir: Path, articles: int, out: int) -> None:
    from newsroom.config import get_config
    from newsroom.ingest import Inbox
    from newsroom.phases import ingest
    from newsroom.resources import files_for

    config = get_config()
    figures = []
    for number in range(articles):
        now = datetime.now(config.site.tz).replace(microsecond=0)
        article = generate_article(900_000 + number, DEFAULT_SEED + 1000).with_published(now)
        Inbox(config, files_for(config)).file(write_markdown(article, workdir))
        started = time.process_time()
        filed = ingest.ingest(config)
        enriched = ingest.enrich(filed["ids"], config)
        ingest.render(enriched["ids"], f"cpu-{number}", previous_tags=enriched["previous_tags"], config=config)
        figures.append(round(time.process_time() - started, 3))
    os.write(out, json.dumps(figures).encode())


def measure(mode: str, articles: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"newsroom-task-cpu-{mode}-"))
    try:
        data = newsroom_yaml()
        data.setdefault("paths", {})["state_dir"] = str(workdir / "state")
        config_path = include_copy(workdir / "include", data)
        with environ({"NEWSROOM_CONFIG": str(config_path)}, remove=["NEWSROOM_STATE_DIR", "NEWSROOM_DATABASE_URL"]):
            started = time.process_time()
            _full_preload() if mode == "preload" else _model_only()
            preload = round(time.process_time() - started, 2)
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                try:
                    _child(workdir, articles, write)
                finally:
                    os._exit(0)
            os.close(write)
            os.waitpid(pid, 0)
            with os.fdopen(read) as pipe:
                figures = json.loads(pipe.read() or "[]")
        return {"mode": mode, "parent_preload_cpu": preload, "articles_cpu": figures}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.task_cpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--mode", choices=["model", "preload"], help="one mode only (in this process)")
    args = parser.parse_args(argv)
    if args.mode:
        print(json.dumps(measure(args.mode, args.articles)))
        return 0
    for mode in ("model", "preload"):  # each in its own process: a preload cannot be undone
        done = __import__("subprocess").run(
            [sys.executable, "-m", "bench.task_cpu", "--mode", mode, "--articles", str(args.articles)],
            cwd=REPO_ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode or not lines:
            print(f"{mode}: failed: {done.stderr[-500:]}")
            continue
        r = json.loads(lines[-1])
        cpu = ", ".join(f"{x:.2f}" for x in r["articles_cpu"])
        label = "model, YAKE, taxonomy only" if mode == "model" else "airflow_local_settings preload"
        print(f"parent holds {label:<32} first article {r['articles_cpu'][0]:.2f} s of CPU (then {cpu})")
    print(f"load average {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
