"""
### Daily digest: yesterday's articles by email and on the web

Every day at 06:00 (Africa/Porto-Novo) this DAG builds the digest of the
*previous calendar day* in the site's time zone (the day before the run's
`data_interval_end`): every article published that day that is live now
(went live, not taken down, embargo passed), grouped by section in the
configuration's order, the `digest.top_stories` best-scored first.

1. `build`: render the email (HTML with inlined CSS + plain text) and the
   web page into a build folder;
2. `publish_page`: upload `digest/YYYY-MM-DD/index.html`, then the archive
   `digest/index.html` (only what changed);
3. `send`: one message per subscriber of each list in `digest.lists`, over
   the SMTP connection `digest.conn_id`, in batches of `digest.batch_size`.

**Exactly once**: a ledger (tables `digest_sends`, `digest_recipients` in
the state DB) records each (date, list) and each recipient; a retry, a
killed task or a rerun sends only to recipients not yet sent, and a
(date, list) once sent is final. A day without articles sends nothing
unless `digest.send_empty`. A **backfill** run, or a digest date more than
two days old, never sends unless the run is triggered with
`force_send: true` — and even then the ledger refuses a second send.
Each task is one call into `newsroom.phases.digest`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import (
    CronDataIntervalTimetable,
    Param,
    dag,
    get_current_context,
    task,
)
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

from newsroom import assets
from newsroom.contracts import BuiltDigest, DigestSendResult, PublishedPages


@dag(
    dag_id="daily_digest",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable(assets.DIGEST_CRON, timezone=assets.DIGEST_ZONE),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 3,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
    },
    params={
        "force_send": Param(
            False,
            type="boolean",
            description="Send even for a backfill run or a digest date more than 2 days old (never twice).",
        )
    },
    tags=["newsroom", "digest"],
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=assets.deadline_minutes("daily_digest")),
        callback=AsyncCallback(
            assets.DEADLINE_CALLBACK,
            kwargs={"dag_id": "daily_digest", "minutes": assets.deadline_minutes("daily_digest")},
        ),
    ),
)
def daily_digest() -> None:
    @task
    def build() -> BuiltDigest:
        """Render the digest of the day before data_interval_end (site time zone)."""
        from newsroom.phases import digest

        context = get_current_context()
        end = context.get("data_interval_end") or context["dag_run"].run_after
        return digest.build(end.isoformat())

    @task
    def publish_page(built: BuiltDigest) -> PublishedPages:
        from newsroom.phases import digest

        return digest.publish_page(built)

    @task
    def send(built: BuiltDigest) -> DigestSendResult:
        from newsroom.phases import digest

        context = get_current_context()
        dag_run = context["dag_run"]
        run_type = getattr(dag_run.run_type, "value", dag_run.run_type)
        owner = f"{dag_run.dag_id}/{dag_run.run_id}/{context['task_instance'].task_id}"
        force = bool(context["params"].get("force_send", False))
        return digest.send(built, run_type=str(run_type), force=force, owner=owner)

    built = build()
    publish_page(built) >> send(built)  # type: ignore[arg-type]  # an XComArg: the value at run time


daily_digest()
