"""
### Distribute: post live articles to the social channels, exactly once

Triggered as soon as the ingest DAG publishes (the `newsroom://published`
asset) and every minute as a safety net, so scheduled posts never wait for
another filing. `plan` writes one ledger row per (article, version,
channel) for articles that went live; `send` runs once per available
channel (mapped, bounded by the number of channels) and posts what the
channel's pacing allows.

Archives and backfills are never announced (an article published long before
it went live is skipped) unless this DAG is triggered with
`announce_archive: true`; even then the ledger refuses a second post.
Each task is one call into `newsroom.phases.distribute`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    CronTriggerTimetable,
    Param,
    dag,
    get_current_context,
    task,
)
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

from newsroom import assets

PUBLISHED = Asset(name=assets.PUBLISHED_NAME, uri=assets.PUBLISHED_URI)


@dag(
    dag_id="distribute",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(assets.SAFETY_NET_CRON, timezone=assets.SAFETY_NET_ZONE), assets=[PUBLISHED]
    ),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(seconds=20)},
    params={"announce_archive": Param(False, type="boolean", description="announce articles of the archive too")},
    tags=["newsroom", "distribute"],
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=assets.deadline_minutes("distribute")),
        callback=AsyncCallback(
            assets.DEADLINE_CALLBACK, kwargs={"dag_id": "distribute", "minutes": assets.deadline_minutes("distribute")}
        ),
    ),
)
def distribute() -> None:
    @task
    def plan() -> list[str]:
        """Ledger rows for what went live; returns the channels that can post."""
        from newsroom.phases import distribute as phase

        context = get_current_context()
        announce = bool(context["params"].get("announce_archive")) and context["dag_run"].run_type != "backfill"
        return phase.plan(announce_archive=announce)["channels"]

    @task(map_index_template="{{ task.op_kwargs['channel'] }}")
    def send(channel: str) -> dict[str, int]:
        from newsroom.phases import distribute as phase

        return phase.send(channel)

    send.expand(channel=plan())


distribute()
