"""The real backfill_archive DAG, run with dag.test() for two days of an imported archive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsroom.config import NewsroomConfig
from newsroom.resources import bucket_for, open_store
from tests.support.airflow import for_dag_test
from tests.support.backfill import archive, day_keys

pytestmark = pytest.mark.e2e


def _dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags"))
    assert bag.import_errors == {}
    return for_dag_test(bag.dags[dag_id])


def test_daily_runs_publish_their_partition_in_mapped_batches(airflow_db: None, pipeline_env: NewsroomConfig) -> None:
    config = pipeline_env.model_copy(update={"archive": pipeline_env.archive.model_copy(update={"batch_size": 5})})
    days = archive(config, count=24)
    dag = _dag("backfill_archive")
    store = open_store(config)
    # dag.test() reads the config from NEWSROOM_CONFIG: write the batch size there too
    path = Path(str(pipeline_env.source))
    path.write_text(path.read_text(encoding="utf-8").replace("batch_size: 200", "batch_size: 5"), encoding="utf-8")

    # a manual run covers the day ending at its logical date; or the day given in its conf. The first
    # says its range ends on the second day (as `newsroom backfill` does): its listings wait for that run.
    first, second = days[:2]
    runs: list[tuple[date, dict[str, Any]]] = [
        (
            first,
            {
                "logical_date": datetime(first.year, first.month, first.day, tzinfo=UTC) + timedelta(days=1),
                "run_conf": {"until": second.isoformat()},
            },
        ),
        (second, {"run_conf": {"day": second.isoformat()}}),
    ]
    for number, (day, how) in enumerate(runs):
        run = dag.test(**how)
        assert run.state == "success"
        batches = [ti for ti in run.get_task_instances() if ti.task_id == "batch"]
        expected = day_keys(config, day)
        assert len(batches) == -(-len(expected) // 5) >= 1, "one mapped task instance per batch of 5"
        listings = [ti for ti in run.get_task_instances() if ti.task_id == "listings"]
        assert len(listings) == 1 and listings[0].state == "success"
        if number == 0:
            assert store.backfills.pending() != [], "the range's listings are left to its last day"
            assert "index.html" not in bucket_for(config).listing()
    assert store.backfills.pending() == []

    published = [r for r in store.articles.records(store.articles.all_ids()).values() if r.status == "published"]
    wanted = sum(len(day_keys(config, d)) for d in days[:2])
    assert len(published) == wanted and wanted > 5
    objects = bucket_for(config).listing()
    assert all(r.path in objects for r in published)
    assert "index.html" in objects and "sitemap.xml" in objects
    assert store.deliveries.rows() == [], "backfill runs post nothing"
