"""Asset URIs, schedules and zones shared by ``dags/`` and the CLI: each written once here.

Plain strings and numbers only, no Airflow import: the DAG files wrap them in ``airflow.sdk``
objects, the CLI and ``newsroom.airflow_api`` ask for runs of the DAG ids. The
configuration's ``airflow.inbox_asset`` defaults to :data:`INBOX_URI`.
"""

from __future__ import annotations

import os

INGEST_DAG_ID = "ingest_articles"
"""The live path's DAG: ``newsroom file`` asks for a run of it (REST), and so do the sweep and scheduled articles."""
SWEEP_DAG_ID = "ingest_sweep"

INBOX_NAME = "newsroom_inbox"
INBOX_URI = "newsroom://inbox"
"""Filings that arrive as asset events (another system, an older ``newsroom file``): wakes ``ingest_sweep``."""

PUBLISHED_NAME = "newsroom_published"
PUBLISHED_URI = "newsroom://published"
"""Emitted by ``ingest_articles``'s task when it publishes; starts ``distribute``."""

SAFETY_NET_CRON = "* * * * *"
"""Every minute, in UTC (``ingest_sweep``, ``distribute``): a file dropped without a run requested, a scheduled
article whose run was missed, a post waiting for its channel's pacing still go."""
SAFETY_NET_ZONE = "UTC"
WATCHDOG_CRON = "*/2 * * * *"
"""The desk watchdog (dags/desk_watchdog.py): every two minutes."""
DEADLINE_CALLBACK = "newsroom.phases.watchdog.deadline_missed"
"""What a missed ``DeadlineAlert`` of ingest_articles, distribute and daily_digest calls (in the triggerer)."""
DEADLINE_MINUTES = {"ingest_articles": 10.0, "distribute": 15.0, "daily_digest": 15.0}
"""How long after it was queued a run of each of these DAGs is late."""


def deadline_minutes(dag_id: str) -> float:
    """:data:`DEADLINE_MINUTES`, or ``NEWSROOM_DEADLINE_MINUTES`` for all three when set (read where the DAG
    files are parsed: the dag-processor's environment; the end-to-end test makes them seconds)."""
    override = os.environ.get("NEWSROOM_DEADLINE_MINUTES")
    return float(override) if override else DEADLINE_MINUTES[dag_id]


DIGEST_HOUR = 6
DIGEST_CRON = f"0 {DIGEST_HOUR} * * *"
"""The daily digest at 06:00 in :data:`DIGEST_ZONE`, for the calendar day before."""
DIGEST_ZONE = "Africa/Porto-Novo"

BACKFILL_CRON = "0 0 * * *"
"""One backfill run per UTC day: the dates given to ``airflow backfill create`` are partition dates."""
BACKFILL_ZONE = "UTC"
