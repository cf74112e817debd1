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
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable

PUBLISHED = Asset(name="newsroom_published", uri="newsroom://published")


@dag(
    dag_id="distribute",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("* * * * *", timezone="UTC"), assets=[PUBLISHED]),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(seconds=20)},
    params={"announce_archive": Param(False, type="boolean", description="announce articles of the archive too")},
    tags=["newsroom", "distribute"],
)
def distribute() -> None:
    @task
    def plan() -> list[str]:
        """Ledger rows for what went live; returns the channels that can post."""
        from newsroom import distribute as distribution

        context = get_current_context()
        announce = bool(context["params"].get("announce_archive")) and context["dag_run"].run_type != "backfill"
        return list(distribution.plan(announce_archive=announce)["channels"])

    @task(map_index_template="{{ task.op_kwargs['channel'] }}")
    def send(channel: str) -> dict[str, int]:
        from newsroom import distribute as distribution

        return distribution.send(channel)

    send.expand(channel=plan())


distribute()
