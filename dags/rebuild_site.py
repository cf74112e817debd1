"""
### Rebuild the whole site

Run by hand (or by the CLI's `newsroom publish`) after a template or
configuration change: renders every page from the store and uploads only
the objects whose bytes changed. A rebuild with nothing changed uploads
nothing. Each task is one call into `newsroom.phases.ingest`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, get_current_context, task

from newsroom.contracts import PublishResult, RenderResult


@dag(
    dag_id="rebuild_site",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=10)},
    tags=["newsroom", "publish"],
)
def rebuild_site() -> None:
    @task
    def render_all() -> RenderResult:
        from newsroom.phases import ingest

        return ingest.render([], get_current_context()["run_id"], full=True, handover=True)

    @task
    def publish(rendered: RenderResult) -> PublishResult:
        from newsroom.phases import ingest

        return ingest.publish_build(rendered["build"])

    publish(render_all())  # type: ignore[arg-type]  # an XComArg: the value at run time


rebuild_site()
