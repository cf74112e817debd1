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
`distribute` DAG. Each task is one call into `newsroom.phases.ingest`
(plugins/newsroom).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, get_current_context, task

from newsroom import assets
from newsroom.contracts import EnrichResult, IngestResult, PublishResult, RenderResult

INBOX = Asset(name=assets.INBOX_NAME, uri=assets.INBOX_URI)
PUBLISHED = Asset(name=assets.PUBLISHED_NAME, uri=assets.PUBLISHED_URI)


@dag(
    dag_id="ingest_articles",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(assets.SAFETY_NET_CRON, timezone=assets.SAFETY_NET_ZONE), assets=[INBOX]
    ),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=5)},
    tags=["newsroom", "ingest", "publish"],
)
def ingest_articles() -> None:
    @task.short_circuit(ignore_downstream_trigger_rules=True)
    def ingest() -> IngestResult:
        """Read the inbox; stop here (skip the rest) if nothing is new or due."""
        from newsroom.phases import ingest

        result = ingest.ingest()
        return result if result["ids"] else cast(IngestResult, {})  # empty: short-circuits the rest

    @task
    def enrich(filed: IngestResult) -> EnrichResult:
        from newsroom.phases import ingest

        return ingest.enrich(filed["ids"])

    @task
    def render(enriched: EnrichResult) -> RenderResult:
        from newsroom.phases import ingest

        run_id = get_current_context()["run_id"]
        return ingest.render(enriched["ids"], run_id, previous_tags=enriched["previous_tags"])

    @task(outlets=[PUBLISHED])
    def publish(rendered: RenderResult) -> PublishResult:
        """Upload what changed; the PUBLISHED event starts distribution at once."""
        from newsroom.phases import ingest

        return ingest.publish_build(rendered["build"])

    publish(render(enrich(ingest())))  # type: ignore[arg-type]  # XComArgs: the values at run time


ingest_articles()
