"""config/airflow_local_settings.py in a process started as the scheduler: it preloads what a task would load
again (the NLP model, the phases, the DAG files' imports) without a warning, and leaves Airflow usable (its
own models configure afterwards: a preload that configured every SQLAlchemy mapper once broke the scheduler)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
sys.argv = ["airflow", "scheduler"]
import airflow  # imports airflow_local_settings, as the scheduler does
from sqlalchemy.orm import configure_mappers
from airflow.models import DagRun, TaskInstance
configure_mappers()
from newsroom.enrich.entities import load_nlp
from airflow.providers_manager import ProvidersManager
print("nlp", load_nlp.cache_info().currsize, "modules", "newsroom.phases.ingest" in sys.modules)
"""


def test_the_scheduler_preloads_and_airflow_still_works(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "config"), str(REPO / "plugins"), os.environ.get("PYTHONPATH", "")]),
        "AIRFLOW_HOME": str(tmp_path),
    }
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "could not preload" not in done.stderr + done.stdout, done.stderr[-3000:]
    assert "nlp 1 modules True" in done.stdout
