"""
### Desk watchdog: tell a person what should have happened and did not

Every two minutes, `check_and_alert` looks for an article due more than two
minutes ago that is not live, a social post whose outcome is unknown, and
yesterday's digest not sent by 06:15 (Africa/Porto-Novo), and mails what was
not told before to `alerts.to` through Airflow's `SmtpNotifier`
(`alerts.conn_id`). Each problem is told once. One call into
`newsroom.phases.watchdog`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import CronTriggerTimetable, dag, task

from newsroom import assets


@dag(
    dag_id="desk_watchdog",
    doc_md=__doc__,
    schedule=CronTriggerTimetable(assets.WATCHDOG_CRON, timezone=assets.SAFETY_NET_ZONE),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    tags=["newsroom", "desk"],
)
def desk_watchdog() -> None:
    @task
    def check_and_alert() -> dict[str, Any]:
        from newsroom.phases import watchdog

        return watchdog.run()

    check_and_alert()


desk_watchdog()
