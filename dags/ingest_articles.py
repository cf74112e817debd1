"""
### Ingest articles: inbox → store → enrich → render → publish

Event-driven: `newsroom file` drops the article in the inbox and creates an
event on the `newsroom://inbox` asset, which starts this DAG within about a
second. A cron safety net (every minute) also runs it, so a file dropped in
the inbox without an event is picked up, and scheduled articles whose
`publish_at` / `embargo_until` has passed go live.

Every filing waiting in the inbox is handled in the same run, in one batch.
When nothing changed, `ingest` short-circuits and the rest is skipped.
Publishing emits the `newsroom://published` asset, which starts the
`distribute` DAG. Each task is one call into `newsroom.pipeline`
(plugins/newsroom).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, get_current_context, task
from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable

INBOX = Asset(name="newsroom_inbox", uri="newsroom://inbox")
PUBLISHED = Asset(name="newsroom_published", uri="newsroom://published")


@dag(
    dag_id="ingest_articles",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("* * * * *", timezone="UTC"), assets=[INBOX]),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=5)},
    tags=["newsroom", "ingest", "publish"],
)
def ingest_articles() -> None:
    @task.short_circuit(ignore_downstream_trigger_rules=True)
    def ingest() -> dict[str, object]:
        """Read the inbox; stop here (skip the rest) if nothing is new or due."""
        from newsroom import pipeline

        result = pipeline.ingest()
        return result if result["ids"] else {}

    @task
    def enrich(filed: dict[str, list[str]]) -> dict[str, list[str]]:
        from newsroom import pipeline

        return pipeline.enrich(filed["ids"])

    @task
    def render(enriched: dict[str, list[str]]) -> dict[str, object]:
        from newsroom import pipeline

        run_id = get_current_context()["run_id"]
        return pipeline.render(enriched["ids"], run_id, previous_tags=enriched["previous_tags"])

    @task(outlets=[PUBLISHED])
    def publish(rendered: dict[str, str]) -> dict[str, int]:
        """Upload what changed; the PUBLISHED event starts distribution at once."""
        from newsroom import pipeline

        return pipeline.publish_build(rendered["build"])

    publish(render(enrich(ingest())))


ingest_articles()
