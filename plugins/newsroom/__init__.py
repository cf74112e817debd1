"""Newsroom publishing pipeline: ingest, enrich, render, publish.

The package lives under ``plugins/`` so Airflow puts it on ``sys.path`` for
every process (scheduler, workers, dag-processor); it is also installed as a
console script (``newsroom``) through ``pyproject.toml``.

Data flows one way: inbox -> ingest -> store -> enrich -> render -> publish.
"""

__version__ = "0.1.0"
