"""Takedown reaches every surface of the real bucket; a taken-down id is refused until restored."""

from __future__ import annotations

import pytest

from newsroom.config import NewsroomConfig
from newsroom.contracts import ProcessResult
from newsroom.ingest import Inbox
from newsroom.phases.ingest import process
from newsroom.phases.takedown import takedown
from newsroom.resources import bucket_for, open_store
from newsroom.store import utcnow
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e


def _run(config: NewsroomConfig, run_id: str) -> ProcessResult:
    return process(config, run_id=run_id)


def _bucket_text(config: NewsroomConfig) -> dict[str, str]:
    bucket = bucket_for(config)
    return {k: bucket.get(k)["Body"].read().decode("utf-8", "replace") for k in bucket.listing()}


def test_takedown_removes_every_trace_and_refiling_is_refused(s3_config: NewsroomConfig) -> None:
    config = s3_config
    inbox = Inbox(config)
    for sample in sorted(SAMPLES_DIR.iterdir()):
        inbox.file(sample)
    _run(config, "first")
    store = open_store(config)
    row = store.articles.records(["benin-motos-godomey"])["benin-motos-godomey"]
    before = _bucket_text(config)
    assert row.path in before
    assert any(row.path in text for key, text in before.items() if key != row.path)  # linked from elsewhere

    result = takedown("benin-motos-godomey", reason="demande de la justice", by="chef-edition", config=config)
    assert row.path in result["removed"]
    after = _bucket_text(config)
    assert row.path not in after
    for key, text in after.items():
        assert row.path not in text, f"{key} still links the taken-down article"
        assert "voleurs de motos" not in text, f"{key} still shows its title"
    status = store.status.of("benin-motos-godomey")
    assert status is not None and status["article"]["status"] == "taken_down"
    assert store.takedowns.active("benin-motos-godomey") == {
        "at": status["article"]["taken_down_at"], "by": "chef-edition", "reason": "demande de la justice"
    }  # fmt: skip

    # a second takedown changes nothing
    again = takedown("benin-motos-godomey", reason="demande de la justice", by="chef-edition", config=config)
    assert not again["newly_taken_down"] and again["updated"] == 0 and again["removed"] == []

    # filing it again is refused, with a clear reason, and nothing is published
    inbox.file(SAMPLES_DIR / "benin-motos-godomey.md")
    refiled = _run(config, "refile")
    assert refiled["ingest"]["quarantined"] == ["benin-motos-godomey.md"]
    report = (config.quarantine_dir / "benin-motos-godomey.md.report.json").read_text(encoding="utf-8")
    assert "taken down" in report and "newsroom restore" in report
    assert row.path not in bucket_for(config).listing()

    # restored: live again with the next run (the safety net picks it up as due)
    assert store.takedowns.restore("benin-motos-godomey", by="chef-edition", now=utcnow())
    _run(config, "restored")
    assert row.path in bucket_for(config).listing()
    assert store.articles.records(["benin-motos-godomey"])["benin-motos-godomey"].status == "published"


def test_takedown_of_an_unknown_id_is_a_clear_error(s3_config: NewsroomConfig) -> None:
    with pytest.raises(KeyError):
        takedown("nope", reason="x", by="y", config=s3_config)
