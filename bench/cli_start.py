"""How long the desk's commands take, from the shell's Enter to their last line, against ``python -c pass``.

    python -m bench.cli_start [--runs 5] [--keep]

Setup (not measured): a SeaweedFS on free ports, a copy of include/newsroom.yaml
publishing to it with its state in a temp folder, the sample articles filed and
processed (``newsroom file`` + ``newsroom process``). Then each command runs
``--runs`` times as a new process, as a journalist would run it: ``--help``,
``status ID``, ``schedule``, ``preview FILE``, ``takedown ID`` (the first run
takes the article down, the next ones check every surface again: the same
re-render and upload). Each is printed as its median wall time and as a ratio
to ``python -c pass`` measured in the same run, so figures from a loaded machine
still compare; and whether the command imported spaCy or Airflow (one more run
under ``python -X importtime``). SeaweedFS is stopped and the temp folder removed
on the way out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from bench.util import REPO_ROOT, include_copy, log, newsroom_yaml
from dev.devstack import SeaweedServer

SAMPLES = REPO_ROOT / "include" / "samples"
ARTICLE = "benin-motos-godomey"  # a sample article (include/samples/benin-motos-godomey.md)
HEAVY = ("spacy", "airflow")  # what a quick command should never import


def commands() -> dict[str, list[str]]:
    """The measured command lines (after ``python -m newsroom.cli``), by label."""
    return {
        "--help": ["--help"],
        "status ID": ["status", ARTICLE],
        "schedule": ["schedule"],
        "preview FILE": ["preview", str(SAMPLES / f"{ARTICLE}.md"), "-o", os.devnull],
        "takedown ID": ["takedown", ARTICLE, "--reason", "bench", "--by", "bench"],
    }


def _run(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[2:])} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return seconds


def heavy_imports(argv: list[str], env: dict[str, str]) -> list[str]:
    """Which of :data:`HEAVY` the command imported (``-X importtime`` lists every module it imported)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True, check=False
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return [h for h in HEAVY if h in names]


def bytecode_cached() -> bool:
    """Whether the installed libraries have .pyc files: without them (``PYTHONDONTWRITEBYTECODE`` and a venv
    installed without ``--compile-bytecode``) every start compiles the sources again."""
    sqlalchemy = Path(sysconfig.get_paths()["purelib"]) / "sqlalchemy"
    if prefix := os.environ.get("PYTHONPYCACHEPREFIX"):  # the .pyc files are looked for there only
        return any(Path(prefix + str(sqlalchemy)).glob("*.pyc"))
    return any(sqlalchemy.glob("__pycache__/*.pyc"))


def setup(folder: Path) -> tuple[dict[str, str], SeaweedServer]:
    """SeaweedFS, the config and the processed samples; returns the commands' environment and the server."""
    seaweed = SeaweedServer.on_free_ports(folder / "seaweed")
    log(f"cli_start: starting SeaweedFS on {seaweed.endpoint}")
    seaweed.start()
    data = newsroom_yaml()
    bucket = str(data["storage"]["bucket"])
    data["site"]["base_url"] = f"{seaweed.endpoint}/{bucket}/"
    data.setdefault("paths", {})["state_dir"] = str(folder / "state")
    config_path = include_copy(folder / "include", data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env.update(
        NEWSROOM_CONFIG=str(config_path),
        AIRFLOW_HOME=str(folder / "airflow"),
        AIRFLOW_CONN_NEWSROOM_S3=seaweed.connection_uri(),
    )
    cli = [sys.executable, "-m", "newsroom.cli"]
    log("cli_start: filing and processing the samples (not measured)")
    samples = [str(p) for p in sorted(SAMPLES.glob("*.md"))]
    subprocess.run([*cli, "file", "--no-signal", *samples], env=env, check=False, capture_output=True)
    subprocess.run([*cli, "process"], env=env, check=True, capture_output=True)
    return env, seaweed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.cli_start", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (state, SeaweedFS data)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-cli-"))
    seaweed: SeaweedServer | None = None
    try:
        env, seaweed = setup(folder)
        cli = [sys.executable, "-m", "newsroom.cli"]
        baseline = [_run([sys.executable, "-c", "pass"], env) for _ in range(args.runs)]
        floor = statistics.median(baseline)
        print(f"Command start, median of {args.runs} runs (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs,")
        cached = "cached" if bytecode_cached() else "NOT cached: every start compiles the libraries"
        print(f"load average {os.getloadavg()[0]:.1f}, libraries' bytecode {cached})")
        print(f"  {'python -c pass':<21} {floor:>7.2f} s  {'1.0':>6} x")
        for label, tail in commands().items():
            log(f"cli_start: {label}")
            times = [_run([*cli, *tail], env) for _ in range(args.runs)]
            heavy = heavy_imports([*cli, *tail], env)
            median = statistics.median(times)
            note = f"imports {', '.join(heavy)}" if heavy else "no spaCy, no Airflow"
            print(
                f"  newsroom {label:<12} {median:>7.2f} s  {median / floor:>6.1f} x   (best {min(times):.2f} s; {note})"
            )
    except KeyboardInterrupt:
        return 130
    finally:
        if seaweed is not None:
            seaweed.stop()
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
