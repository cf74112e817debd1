"""
### Ingest sweep: every minute, a run of `ingest_articles` if something was missed

The safety net of the live path, kept out of it: `check` looks, without
the ingest lock, for a filing that no run was asked for (a file dropped in
the inbox without `newsroom file`, or filed while Airflow did not answer)
and for a scheduled article that became due without going live; only then
does `request_run` ask for a run of `ingest_articles`. So the every-minute
run never holds the ingest DAG's one run slot while a filing waits for it.
Filings that arrive as events on the `newsroom://inbox` asset (another
system, an older `newsroom file`) wake it at once. `check` is one call into
`newsroom.phases.ingest`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, get_current_context, task

from newsroom import assets

INBOX = Asset(name=assets.INBOX_NAME, uri=assets.INBOX_URI)


@dag(
    dag_id=assets.SWEEP_DAG_ID,
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(assets.SAFETY_NET_CRON, timezone=assets.SAFETY_NET_ZONE), assets=[INBOX]
    ),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=5)},
    tags=["newsroom", "ingest"],
)
def ingest_sweep() -> None:
    @task.short_circuit
    def check() -> bool:
        """A filing without a run, or an article due without going live? Otherwise skip the request."""
        from newsroom.phases import ingest

        woken = get_current_context()["dag_run"].run_type == "asset_triggered"  # that filing asked for no run
        return ingest.missed(grace=timedelta(0)) if woken else ingest.missed()

    check() >> TriggerDagRunOperator(task_id="request_run", trigger_dag_id=assets.INGEST_DAG_ID)


ingest_sweep()
