"""
### Ingest articles: inbox → store → enrich → render → publish, in one task

`newsroom file` drops the article in the inbox and asks the REST API for a
run of this DAG: the run is queued at once and starts as soon as the run
before it is done (one at a time, `max_active_runs=1`; a run asked for is
never lost, unlike an asset event arriving mid-run, apache/airflow#56050).
The one task, `publish_filings`, handles every filing waiting in the inbox in
one batch: ingest, enrich, render and publish, the phases of
`newsroom.phases.ingest` run in order under the ingest lock: one Airflow hop
from a filing to its page. When nothing is new or due it is skipped, and
nothing is rendered or published.

A scheduled article (`publish_at` / `embargo_until` ahead) gets a run of its
own, asked for by the task for its exact time (`run_after`): it goes live
within seconds of it. `ingest_sweep` asks for a run every minute if a filing
or a due article was missed. Publishing emits the `newsroom://published`
asset, which starts the `distribute` DAG.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, get_current_context, task
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference
from airflow.sdk.exceptions import AirflowSkipException

from newsroom import assets
from newsroom.contracts import ProcessResult

PUBLISHED = Asset(name=assets.PUBLISHED_NAME, uri=assets.PUBLISHED_URI)


@dag(
    dag_id=assets.INGEST_DAG_ID,
    doc_md=__doc__,
    schedule=None,  # runs are asked for: newsroom file, scheduled articles' times, ingest_sweep
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=5)},
    tags=["newsroom", "ingest", "publish"],
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=assets.deadline_minutes("ingest_articles")),
        callback=AsyncCallback(
            assets.DEADLINE_CALLBACK,
            kwargs={"dag_id": "ingest_articles", "minutes": assets.deadline_minutes("ingest_articles")},
        ),
    ),
)
def ingest_articles() -> None:
    @task(outlets=[PUBLISHED])
    def publish_filings() -> ProcessResult:
        """Ingest, enrich, render, publish the batch; skipped (no PUBLISHED event) if nothing is new or due."""
        from newsroom.phases import ingest

        result = ingest.publish_filings(get_current_context()["run_id"])
        if "publish" not in result:
            raise AirflowSkipException("nothing new or due in the inbox")
        return result

    publish_filings()


ingest_articles()
