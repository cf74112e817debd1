"""The site rendered on several processes is the site rendered in one: same pages, same bytes.

The render runs in a fresh interpreter, as ``newsroom publish --workers`` does:
forking the test process itself would copy whatever other tests left open in
it (a Celery broker connection's after-fork hook blocks on its socket).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.render.site_fixture import make_small_site, sample_articles
from tests.support.paths import REPO_ROOT

SCRIPT = """
import json, sys, threading
from pathlib import Path
from newsroom.render.parallel import _fork_context, render_site
from tests.render.site_fixture import NOW, make_small_site
if sys.argv[3] == "threaded":  # another thread running, as in an Airflow task: no fork from here
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
site = make_small_site(Path(sys.argv[1]))
print(_fork_context().get_start_method())
print(json.dumps(render_site(site.config, site.store, NOW, Path(sys.argv[2]), workers=2)))
"""


def _python(script: str, *args: str) -> list[str]:
    """The lines ``script`` printed, run in a fresh interpreter from the repository (it must exit 0)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "plugins"), str(REPO_ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()


@pytest.mark.parametrize(("threads", "start_method"), [("single", "fork"), ("threaded", "forkserver")])
def test_parallel_render_writes_exactly_the_serial_site(tmp_path: Path, threads: str, start_method: str) -> None:
    site = make_small_site(tmp_path / "state")
    sample_articles(site)
    serial = {key: page.md5 for key, page in site.everything().items()}
    site.store.close()

    *_, method, last = _python(SCRIPT, str(tmp_path / "state"), str(tmp_path / "files"), threads)
    assert method == start_method
    entries = json.loads(last)

    assert {e["key"]: e["md5"] for e in entries} == serial
    assert len(entries) == len(serial) > 20
    for entry in entries:
        body = (tmp_path / "files" / entry["key"]).read_bytes()
        assert hashlib.md5(body, usedforsecurity=False).hexdigest() == entry["md5"]


ENV_SCRIPT = """
import os, sys, threading
from pathlib import Path
from newsroom.render.parallel import _fork_context, run_units
from tests.render.site_fixture import NOW, make_small_site
from tests.render.test_parallel import environment_of
stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()  # as in an Airflow task: a forkserver starts the workers
site = make_small_site(Path(sys.argv[1]))
print(_fork_context().get_start_method())
for value in ("first", "second"):  # the forkserver, started for the first call, keeps the environment of then
    os.environ["NEWSROOM_TEST_MARK"] = value
    print(",".join(run_units(site.config, site.store, NOW, ["NEWSROOM_TEST_MARK"] * 3, environment_of, workers=2)))
"""


def environment_of(renderer: object, name: str, shared: dict[str, str]) -> str:
    """A worker's task: the value of ``name`` in the worker's environment."""
    return os.environ.get(name, "")


def test_workers_see_the_callers_environment_of_the_moment(tmp_path: Path) -> None:
    """A forkserver started by an earlier call (another database URL, other connections then) does not
    hand its own environment to the workers of a later one."""
    *_, method, first, second = _python(ENV_SCRIPT, str(tmp_path / "state"))
    assert method == "forkserver"
    assert (first, second) == ("first,first,first", "second,second,second")
