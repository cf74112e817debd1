"""The real ingest DAG, run with dag.test() against a real SeaweedFS: samples in, site out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.resources import bucket_for, files_for, open_store
from tests.support.airflow import for_dag_test
from tests.support.paths import SAMPLES

pytestmark = pytest.mark.e2e


def _dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags"))
    assert bag.import_errors == {}
    return for_dag_test(bag.dags[dag_id])


def _text(bucket, key: str) -> str:
    return str(bucket.get(key)["Body"].read().decode("utf-8"))


def test_samples_go_live_and_republishing_uploads_nothing(airflow_db: None, pipeline_env: NewsroomConfig) -> None:
    config = pipeline_env
    inbox = Inbox(config, files_for(config))
    for sample in sorted(SAMPLES.iterdir()):
        inbox.file(sample)

    run = _dag("ingest_articles").test()
    assert run.state == "success"
    assert inbox.pending() == []

    bucket = bucket_for(config)
    store = open_store(config)
    objects = bucket.listing()
    rows = store.articles.records(store.articles.all_ids())
    assert len(rows) == 6
    for row in rows.values():
        assert row.status == "published", (row.id, row.status)
        assert row.path in objects, f"{row.id}: {row.path} not in the bucket"
        page = _text(bucket, row.path)
        assert f"<h1>{row.title}</h1>" in page.replace("&#39;", "'") or row.title.split(":")[0] in page

    mali = rows["mali-russie-goita-poutine"]
    mali_page = _text(bucket, mali.path)
    assert "Mali–Russie: Goïta et Poutine élargissent leur partenariat stratégique" in mali_page
    assert 'href="' + config.site.base_url + 'tag/vladimir-poutine/index.html"' in mali_page
    assert "Publié le lundi 23 juin 2025 à 18h30" in mali_page

    home = _text(bucket, "index.html")
    for row in rows.values():
        assert config.site.base_url + row.path in home, f"home does not link {row.id}"
    diplomatie = _text(bucket, "diplomatie/index.html")
    assert config.site.base_url + mali.path in diplomatie
    assert config.site.base_url + rows["centrafrique-touadera-hospitalise"].path in diplomatie
    assert rows["benin-motos-godomey"].path not in diplomatie
    news = _text(bucket, "news/index.html")  # the parent section lists its children's articles
    assert config.site.base_url + rows["benin-motos-godomey"].path in news
    centrafrique = _text(bucket, rows["centrafrique-touadera-hospitalise"].path)
    assert "<script>" not in centrafrique and "alert(" not in centrafrique  # the sample's script is gone

    # the broken sample: quarantined with its report, original kept byte for byte
    kept = config.quarantine_dir / "broken-no-title.md"
    assert kept.read_bytes() == (SAMPLES / "broken-no-title.md").read_bytes()
    report = json.loads((config.quarantine_dir / "broken-no-title.md.report.json").read_text(encoding="utf-8"))
    assert report["file"] == "broken-no-title.md"
    assert {p["field"] for p in report["problems"]} >= {"title", "published"}
    assert not any(re.search(r"cep", key) for key in objects)

    # publishing the whole site again uploads nothing: same state, same bytes
    before = {k: bucket.client.head_object(Bucket=config.storage.bucket, Key=k)["LastModified"] for k in objects}
    run = _dag("rebuild_site").test()
    assert run.state == "success"
    after = bucket.listing()
    assert after == objects
    for key, modified in before.items():
        assert bucket.client.head_object(Bucket=config.storage.bucket, Key=key)["LastModified"] == modified, key


def test_refiling_makes_a_new_version_not_a_duplicate_page(
    airflow_db: None, pipeline_env: NewsroomConfig, tmp_path: Path
) -> None:
    config = pipeline_env
    inbox = Inbox(config, files_for(config))
    original = (SAMPLES / "parakou-detournement.md").read_text(encoding="utf-8")
    inbox.file(SAMPLES / "parakou-detournement.md")
    assert _dag("ingest_articles").test().state == "success"
    store = open_store(config)
    first = store.articles.records(["parakou-agents-suspendus"])["parakou-agents-suspendus"]

    corrected = tmp_path / "parakou-detournement.md"
    corrected.write_text(
        original.replace("ont été suspendus", "ont été suspendus à titre conservatoire"), encoding="utf-8"
    )
    inbox.file(corrected)
    assert _dag("ingest_articles").test().state == "success"

    second = store.articles.records(["parakou-agents-suspendus"])["parakou-agents-suspendus"]
    assert second.version == 2 and second.path == first.path and second.status == "published"
    bucket = bucket_for(config)
    pages = [k for k in bucket.listing() if "parakou-les-agents" in k]
    assert pages == [first.path]
    assert "à titre conservatoire" in _text(bucket, first.path)
