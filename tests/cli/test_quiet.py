"""Without ``--verbose`` a command prints its own result lines only: no Airflow, boto or pipeline logs
around its summary (``newsroom takedown`` printed about 20 log lines before it); with ``-v`` the logs
are there. The commands run in their own processes, against a real SeaweedFS."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from newsroom.config import NewsroomConfig
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e

ARTICLE = "benin-motos-godomey"


def newsroom(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsroom.cli", *argv],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_commands_print_their_results_and_nothing_else(pipeline_env: NewsroomConfig) -> None:
    good = [str(p) for p in sorted(SAMPLES_DIR.glob("*.md")) if p.name != "broken-no-title.md"]
    filed = newsroom("file", "--no-signal", *good)
    assert (filed.returncode, filed.stderr) == (0, "")
    assert [line.split(" ", 1)[0] for line in filed.stdout.splitlines()] == ["Filed"] * len(good)

    processed = newsroom("process")
    assert (processed.returncode, processed.stderr) == (0, ""), processed.stderr
    assert json.loads(processed.stdout)["publish"]["articles"] == len(good)  # the result, and only it, on stdout

    down = newsroom("takedown", ARTICLE, "--reason", "demande de la justice", "--by", "desk")
    assert (down.returncode, down.stderr) == (0, ""), down.stderr
    lines = down.stdout.splitlines()
    assert lines[0] == f"{ARTICLE}: taken down by desk: demande de la justice"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "removed from the bucket",
        "pages updated (listings, feeds, sitemaps, related links)",
        "CDN invalidations",
        "social posts deleted",
    ]


def test_verbose_shows_the_logs(pipeline_env: NewsroomConfig) -> None:
    newsroom("file", "--no-signal", str(SAMPLES_DIR / f"{ARTICLE}.md"))
    quiet = newsroom("process")
    loud = newsroom("-v", "takedown", ARTICLE, "--reason", "test", "--by", "desk")
    assert loud.returncode == 0, loud.stderr
    assert quiet.stderr == ""
    logs = loud.stdout + loud.stderr
    assert "Publish:" in logs and "Render:" in logs  # the phases' INFO lines
    assert f"{ARTICLE}: taken down by desk: test" in loud.stdout


def _on_a_terminal(*argv: str) -> tuple[int, str, str]:
    """Run ``newsroom`` with its stderr on a pseudo-terminal: (exit code, stdout, what the terminal showed)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsroom.cli", *argv],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the command closed the terminal (exited)
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    out = proc.stdout.read() if proc.stdout else ""
    return proc.wait(timeout=600), out, shown.decode("utf-8", "replace")


def test_on_a_terminal_takedown_shows_one_progress_line(pipeline_env: NewsroomConfig) -> None:
    newsroom("file", "--no-signal", *[str(p) for p in sorted(SAMPLES_DIR.glob("*.md"))])
    newsroom("process")
    code, out, shown = _on_a_terminal("takedown", ARTICLE, "--reason", "test", "--by", "desk")
    assert code == 0, shown
    assert "Rendering" in shown and "Uploading" in shown  # tqdm's counters, redrawn in place
    assert "\n" not in shown.replace("\r\n", "\n").strip("\n").replace("\x1b[A", "")  # on one line, then erased
    assert out.splitlines()[0] == f"{ARTICLE}: taken down by desk: test"
