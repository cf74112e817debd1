"""The task bodies: one function per DAG task, small JSON in and out (the XCom contract).

Each module serves one DAG (or one CLI flow) and is the only place that turns
the configuration into handles (through :mod:`newsroom.resources`) and hands
them to the libraries:

- :mod:`~newsroom.phases.ingest`: ``dags/ingest_articles.py`` and ``dags/rebuild_site.py``;
- :mod:`~newsroom.phases.distribute`: ``dags/distribute.py``;
- :mod:`~newsroom.phases.digest`: ``dags/daily_digest.py``;
- :mod:`~newsroom.phases.backfill`: ``dags/backfill_archive.py``;
- :mod:`~newsroom.phases.takedown`, :mod:`~newsroom.phases.tags`,
  :mod:`~newsroom.phases.preview`: the desk's commands (``newsroom takedown``,
  ``newsroom tags``, ``newsroom preview``).

What each returns is a ``TypedDict`` (``*Result``), which the DAG files'
task annotations use. Only ``dags/`` and ``newsroom.cli`` import this package.
"""
