"""Airflow local settings for the newsroom: preload the French NLP model in the scheduler.

Airflow imports this module in every one of its processes (it must be on
``sys.path``: the embedded default puts this folder on ``PYTHONPATH``; in a
deployment, copy it to ``$AIRFLOW_HOME/config/``). In the scheduler, and so
before the LocalExecutor forks its workers, it loads spaCy's French pipeline
once: every task process forked from those workers then starts with the
model in memory (shared copy-on-write) instead of spending ~6 s loading it
on each filing. The taxonomy is parsed there too (about 0.3 s a task
otherwise; ``load_taxonomy`` parses again if the file changes). Celery
workers (prefork) benefit the same way when this runs in ``celery worker``.
Any failure is logged and ignored: preloading is an optimisation, never a
reason for the scheduler not to start.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)
PRELOAD_IN = {"scheduler", "worker", "celery"}


def _preload() -> None:
    if not PRELOAD_IN & set(sys.argv[1:3]):
        return
    try:
        from newsroom.config import get_config
        from newsroom.enrich.entities import load_nlp
        from newsroom.enrich.keywords import _extractor
        from newsroom.taxonomy import load_taxonomy

        config = get_config()
        model = config.enrich.model
        load_nlp(model)
        _extractor("fr", 8)
        load_taxonomy(config.taxonomy_path)  # parsed once; a forked task reuses it while the file is unchanged
        log.info("newsroom: preloaded %s for forked task processes", model)
    except Exception:  # never stop Airflow for an optimisation
        log.warning("newsroom: could not preload the NLP model", exc_info=True)


_preload()
