"""
### Backfill the archive: one run per day of imported articles

Archive staff import legacy material with `newsroom import-archive PATH`,
which writes each article into the partition of its publication day. Then
Airflow's own backfill publishes a range of days:

    airflow backfill create --dag-id backfill_archive --from-date 2019-01-01 --to-date 2019-12-31 \
        --reprocess-behavior failed

(or `newsroom backfill --from-date ... --to-date ...`, which asks the REST API).
Each run reads its day's partition, processes it in batches (a mapped task
per batch, on any worker: ingest, enrich, render the article pages, upload
what changed), then the listings, tag pages, feeds, sitemaps and home page. A backfill
made by `newsroom backfill` gives each run the range's last day
(`{"until": "2019-12-31"}` in its conf): the listings are then rendered once,
on that day's run, for every day of the range (or every
`archive.listings_every_days`); a run that does not know its range (the
nightly one, `airflow backfill create` without that conf) renders its own.
Social channels and the newsletter stay silent.

Runs may overlap, but `plan` waits for the previous day's batches
(related links are chosen among earlier days, which are then complete) and
`listings` for the previous day's listings, so the published site is the
same whatever the number of workers. Airflow then asks for
`--reprocess-behavior`: `failed` runs the days not yet done; `completed`
reruns every day, and a day with nothing new and the same templates renders
and uploads nothing, while after a template change only the pages whose
bytes changed are uploaded. The daily schedule also runs each night for the
day before, publishing anything imported for it late.
Each task is one call into `newsroom.phases.backfill` (plugins/newsroom).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from newsroom import assets
from newsroom.contracts import BatchResult, ListingsResult


def _day() -> date:
    """The partition this run publishes: the ``day`` param if given, else the run's data interval.

    Backfill and scheduled runs cover one UTC day each, so the dates given to
    ``airflow backfill create`` are the partition dates whatever Airflow's
    default time zone (each partition holds one day in the site's time zone).
    A manual run covers the day that ends at its logical date, or the ``day``
    given in its conf (``{"day": "2019-03-14"}``: republish one day).
    """
    context = get_current_context()
    wanted = context["params"].get("day")
    if wanted:
        return date.fromisoformat(str(wanted))
    start = context["data_interval_start"]
    assert start is not None, "backfill runs have a data interval"
    return start.astimezone(UTC).date()


def _until() -> date | None:
    """The last day of the backfill this run belongs to (``until`` in its conf), if it says."""
    wanted = get_current_context()["params"].get("until")
    return date.fromisoformat(str(wanted)) if wanted else None


@dag(
    dag_id="backfill_archive",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable(assets.BACKFILL_CRON, timezone=assets.BACKFILL_ZONE),
    start_date=datetime(2000, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=8,
    default_args={"retries": 3, "retry_delay": timedelta(seconds=10)},
    tags=["newsroom", "archive", "backfill"],
    params={
        "day": Param(None, type=["null", "string"], format="date", description="publish this day (YYYY-MM-DD)"),
        "until": Param(
            None,
            type=["null", "string"],
            format="date",
            description="the backfill's last day: the listings of its days are rendered once, on that day's run",
        ),
    },
)
def backfill_archive() -> None:
    @task(depends_on_past=True, wait_for_downstream=True)
    def plan() -> list[list[str]]:
        """The day's partition keys in batches (after the previous day's batches are done)."""
        from newsroom.phases import backfill

        return backfill.plan_day(_day())

    @task
    def batch(files: list[str]) -> BatchResult:
        """Ingest, enrich, render and publish one batch; any worker may take it."""
        from newsroom.phases import backfill

        return backfill.run_batch(files, _day())

    @task(depends_on_past=True)
    def listings(results: list[BatchResult]) -> ListingsResult:
        """Listings, tag pages, feeds, sitemaps and home: once per range (or per run), never per article."""
        from newsroom.phases import backfill

        return backfill.run_listings(list(results), _day(), until=_until())

    listings(batch.expand(files=plan()))  # type: ignore[arg-type]  # an XComArg: the values at run time


backfill_archive()
