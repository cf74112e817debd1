"""The live path's two questions, without Airflow: what the sweep finds missed, and the runs the ingest
task asks for scheduled articles (against a loopback api-server), with the real pipeline on SeaweedFS."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from newsroom.airflow_api import run_id_at
from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.phases.ingest import SWEEP_GRACE, missed, publish_filings
from newsroom.resources import bucket_for, files_for, open_store
from newsroom.store import utcnow
from tests.support.fakes.airflow import FakeAirflow
from tests.support.loopback import serving


@pytest.fixture
def airflow() -> Iterator[FakeAirflow]:
    with serving(FakeAirflow()) as server:  # all-admins, as `make run`
        yield server


@pytest.fixture
def airflow_logging() -> None:
    """Airflow configures logging on its first connection lookup, replacing the root handlers (caplog's
    among them): let that happen during setup, before caplog starts capturing (as tests/channels do)."""
    from airflow.sdk import BaseHook

    with pytest.raises(Exception):  # noqa: B017  (AirflowNotFoundException: only the lookup matters)
        BaseHook.get_connection("newsroom_warm_up_lookup")


def _article(folder: Path, article_id: str, **front: str) -> Path:
    lines = [f"id: {article_id}", "title: Le marché Dantokpa rouvre", "section: societe"]
    lines += [f"published: {utcnow().replace(microsecond=0).isoformat()}"]
    lines += [f"{k}: {v}" for k, v in front.items()]
    path = folder / f"{article_id}.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\nCotonou. Les commerçants reviennent à Dantokpa.\n")
    return path


def test_the_sweep_acts_only_on_what_no_run_was_asked_for(
    make_config: Callable[..., NewsroomConfig], tmp_path: Path
) -> None:
    config = make_config()
    open_store(config)
    inbox = Inbox(config, files_for(config))
    now = utcnow()
    assert not missed(config, now=now)
    inbox.file(_article(tmp_path, "filed-now"))  # newsroom file: its own run is on its way
    assert not missed(config, now=now)
    assert missed(config, now=now + SWEEP_GRACE + timedelta(seconds=1))  # ...or it was lost
    assert missed(config, now=utcnow(), grace=timedelta(0))  # woken by an asset event: no run was asked

    dropped = make_config(state_dir=tmp_path / "other")
    open_store(dropped)
    dropped.inbox_dir.mkdir(parents=True)
    (dropped.inbox_dir / "by-hand.md").write_bytes(_article(tmp_path, "by-hand").read_bytes())
    assert missed(dropped, now=now)  # dropped in the inbox: no run was asked for it


@pytest.mark.usefixtures("airflow_logging")
def test_the_task_asks_for_a_run_at_each_scheduled_time_and_the_sweep_covers_the_rest(
    s3_config: NewsroomConfig,
    airflow: FakeAirflow,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = s3_config.model_copy(update={"airflow": s3_config.airflow.model_copy(update={"url": airflow.url})})
    at = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
    Inbox(config, files_for(config)).file(_article(tmp_path, "dantokpa-programme", publish_at=at.isoformat()))
    Inbox(config, files_for(config)).file(_article(tmp_path, "dantokpa-maintenant"))
    result = publish_filings("filed", config)
    assert result["goes_live_at"] == [at.isoformat()]
    assert result["runs_requested"] == {run_id_at(at): "requested"}
    (asked,) = airflow.runs
    assert asked["dag_id"] == "ingest_articles" and asked["run_after"] == at.isoformat()
    row = open_store(config).articles.records(["dantokpa-programme"])["dantokpa-programme"]
    assert row.status == "scheduled" and row.path not in bucket_for(config).listing()
    assert not missed(config, now=utcnow())  # not due yet

    # when its time comes, the run asked for publishes it; if that run never came, the sweep sees it due
    assert missed(config, now=at + SWEEP_GRACE + timedelta(seconds=1))
    assert not missed(config, now=at + timedelta(seconds=5))  # its own run is starting

    # Airflow not answering: a warning, the article is stored and scheduled all the same
    Inbox(config, files_for(config)).file(
        _article(tmp_path, "dantokpa-demain", publish_at=(at + timedelta(hours=1)).isoformat())
    )
    airflow.stall["/api/v2/dags/ingest_articles/dagRuns"] = 1000
    unanswered = config.model_copy(update={"airflow": config.airflow.model_copy(update={"wait_seconds": 1})})
    with caplog.at_level(logging.WARNING, logger="newsroom.phases.ingest"):
        result = publish_filings("filed-again", unanswered)
    assert "runs_requested" not in result and result["goes_live_at"] == [(at + timedelta(hours=1)).isoformat()]
    warnings = [r.getMessage() for r in caplog.records if r.name == "newsroom.phases.ingest" and r.levelno >= 30]
    assert len(warnings) == 1 and "the sweep publishes them" in warnings[0], warnings
