"""Every DAG imports cleanly, is documented, retries, is tagged, and has the expected shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= {"ingest_articles", "rebuild_site"}


def test_every_dag_has_docs_retries_and_tags(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md and len(dag.doc_md.strip()) > 40, f"{dag_id} has no doc_md"
        assert "newsroom" in dag.tags, f"{dag_id} is not tagged 'newsroom'"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def scheduled(dag: Any) -> Any:
    """The DAG's timetable as the scheduler holds it (the DAG files declare ``airflow.sdk`` ones)."""
    from airflow.serialization.serialized_objects import LazyDeserializedDAG

    return LazyDeserializedDAG.from_dag(dag).timetable


def test_ingest_dag_is_one_task_run_on_request(dagbag) -> None:
    """The live path is one hop: one task ingests, enriches, renders and publishes; runs are asked for."""
    dag = dagbag.dags["ingest_articles"]
    assert [t.task_id for t in dag.tasks] == ["publish_filings"]
    assert dag.max_active_runs == 1, "one batch at a time: a run asked for mid-run is queued, never lost"
    assert scheduled(dag).summary == "None", "no cron or asset: newsroom file, the sweep and exact times ask"
    (task,) = dag.tasks
    assert [a.uri for a in task.outlets] == ["newsroom://published/"], "publishing starts distribution"


def test_sweep_asks_for_an_ingest_run_every_minute_or_on_an_inbox_event(dagbag) -> None:
    dag = dagbag.dags["ingest_sweep"]
    order = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    assert order == {"check": ["request_run"], "request_run": []}
    assert dag.get_task("request_run").trigger_dag_id == "ingest_articles"
    timetable = scheduled(dag)
    uris = [asset.uri for _key, asset in timetable.asset_condition.iter_assets()]
    assert uris == ["newsroom://inbox/"], "an inbox asset event wakes the sweep"
    assert timetable.timetable.summary == "* * * * *", "the safety net runs every minute"
    assert dag.max_active_runs == 1


def test_plugins_folder_does_not_exec_our_package() -> None:
    """plugins/.airflowignore keeps Airflow's plugin loader from importing newsroom/* as top-level modules."""
    from airflow._shared.plugins_manager.plugins_manager import _load_plugins_from_plugin_directory

    plugins, errors = _load_plugins_from_plugin_directory(str(REPO / "plugins"))
    assert errors == {}
    assert plugins == []


def test_backfill_dag_runs_days_in_order_and_stays_silent(dagbag) -> None:
    dag = dagbag.dags["backfill_archive"]
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable", "backfill create needs a periodic schedule"
    plan, batch, listings = (dag.get_task(t) for t in ("plan", "batch", "listings"))
    assert plan.depends_on_past and plan.wait_for_downstream, "a day's batches wait for the day before's"
    assert listings.depends_on_past, "listings are rendered one day after the other"
    assert batch.downstream_task_ids == {"listings"} and plan.downstream_task_ids == {"batch"}
    assert type(batch).__name__.endswith("MappedOperator"), "one task instance per batch"
    assert all(not t.outlets for t in dag.tasks), "no asset event: distribution is never triggered"


@pytest.mark.parametrize(("dag_id", "minutes"), [("ingest_articles", 10), ("distribute", 15), ("daily_digest", 15)])
def test_late_runs_raise_a_deadline_alert_through_the_watchdog_s_notifier(dagbag, dag_id: str, minutes: int) -> None:
    import inspect
    from datetime import timedelta

    from airflow.sdk.definitions.deadline import DeadlineReference

    from newsroom import assets
    from newsroom.phases import watchdog

    (alert,) = dagbag.dags[dag_id].deadline
    assert isinstance(alert.reference, type(DeadlineReference.DAGRUN_QUEUED_AT))
    assert alert.interval == timedelta(minutes=minutes)
    assert alert.callback.path == assets.DEADLINE_CALLBACK == "newsroom.phases.watchdog.deadline_missed"
    assert alert.callback.kwargs == {"dag_id": dag_id, "minutes": minutes}
    assert inspect.iscoroutinefunction(watchdog.deadline_missed)  # the triggerer awaits it
