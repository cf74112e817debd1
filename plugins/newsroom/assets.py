"""Asset URIs, schedules and zones shared by ``dags/`` and the CLI: each written once here.

Plain strings only, no Airflow import: the DAG files wrap them in ``airflow.sdk``
objects, the CLI and ``newsroom.airflow_api`` send events to the URIs. The
configuration's ``airflow.inbox_asset`` defaults to :data:`INBOX_URI`.
"""

from __future__ import annotations

INBOX_NAME = "newsroom_inbox"
INBOX_URI = "newsroom://inbox"
"""Created by ``newsroom file`` (through the REST API); starts ``ingest_articles``."""

PUBLISHED_NAME = "newsroom_published"
PUBLISHED_URI = "newsroom://published"
"""Emitted by ``ingest_articles``'s publish task; starts ``distribute``."""

SAFETY_NET_CRON = "* * * * *"
"""Every minute, in UTC: a file dropped without an event and scheduled articles now due still go."""
SAFETY_NET_ZONE = "UTC"

DIGEST_HOUR = 6
DIGEST_CRON = f"0 {DIGEST_HOUR} * * *"
"""The daily digest at 06:00 in :data:`DIGEST_ZONE`, for the calendar day before."""
DIGEST_ZONE = "Africa/Porto-Novo"

BACKFILL_CRON = "0 0 * * *"
"""One backfill run per UTC day: the dates given to ``airflow backfill create`` are partition dates."""
BACKFILL_ZONE = "UTC"
