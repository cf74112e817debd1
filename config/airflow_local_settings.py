"""Airflow local settings for the newsroom: preload, in the scheduler, what every task would load again.

Airflow imports this module in every one of its processes (it must be on
``sys.path``: the embedded default puts this folder on ``PYTHONPATH``; in a
deployment, copy it to ``$AIRFLOW_HOME/config/``). In the scheduler, and so
before the LocalExecutor forks its workers (and they their task processes),
it loads once what a task of the live path would otherwise load on each
filing; every forked task process starts with it in memory (shared
copy-on-write):

- spaCy's French pipeline, its lemma tables and YAKE (~7 s a task
  otherwise), the taxonomy (about 0.3 s; ``load_taxonomy`` parses again if
  the file changes), babel's French calendar data (0.3 s);
- the phases (``newsroom.phases``: enrichment, rendering, publishing and
  their libraries: Jinja, SQLAlchemy, boto3...);
- what the DAG files import when a task parses its DAG file: ``airflow.sdk``,
  the standard provider's trigger operator, and, through one ``Asset``, every
  provider's asset URI handlers (~300 modules, 0.4-0.8 s a task otherwise);
- SQLAlchemy's mappers of our tables (0.1 s), and botocore's S3 model,
  through an S3 client made without a connection and never used (a task's
  own client then costs 0.1 s of CPU instead of 0.33; none crosses the fork).

Celery workers (prefork) benefit the same way when this runs in ``celery
worker``. Any failure is logged and ignored: preloading is an optimisation,
never a reason for the scheduler not to start.
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
        from newsroom.enrich.entities import common_words, load_nlp
        from newsroom.enrich.keywords import _extractor
        from newsroom.taxonomy import load_taxonomy

        config = get_config()
        model = config.enrich.model
        load_nlp(model)
        common_words(model)  # the model's lemma tables, read from disk: about 1 s a task otherwise
        _extractor("fr", 8)
        load_taxonomy(config.taxonomy_path)  # parsed once; a forked task reuses it while the file is unchanged
        log.info("newsroom: preloaded %s for forked task processes", model)
    except Exception:  # never stop Airflow for an optimisation
        log.warning("newsroom: could not preload the NLP model", exc_info=True)
    try:
        _preload_tasks()
    except Exception:
        log.warning("newsroom: could not preload the phases and the DAG files' imports", exc_info=True)


def _preload_tasks() -> None:
    """The modules a task of ours imports, and the providers' asset URI handlers ``Asset(uri=...)`` loads."""
    import airflow.providers.standard.operators.trigger_dagrun  # noqa: F401  (dags/ingest_sweep.py)
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from airflow.sdk import Asset
    from babel.dates import get_day_names

    import newsroom.phases.distribute
    import newsroom.phases.ingest  # noqa: F401
    from newsroom import assets
    from newsroom.store.tables import Base

    Asset(name=assets.INBOX_NAME, uri=assets.INBOX_URI)  # initialises ProvidersManager's URI handlers
    Base.registry.configure()  # our tables' mappers only (Airflow's are not all imported yet): 0.1 s a task
    S3Hook(aws_conn_id=None, region_name="us-east-1").get_conn()  # botocore's S3 model: 0.33 -> 0.1 s a task
    get_day_names(locale="fr_FR")  # babel's French calendar data, read on a page's first date: 0.3 s a task
    log.info("newsroom: preloaded the phases and the DAG files' imports for forked task processes")


_preload()
