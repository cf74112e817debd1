"""The real distribute DAG with dag.test(): plan, then one mapped send per channel; a full rerun
posts nothing more. Fake platforms on loopback, the real SeaweedFS."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev.devstack import SeaweedServer, fresh_samples
from newsroom.config import NewsroomConfig, load_config
from newsroom.ingest import Inbox
from newsroom.resources import bucket_for, files_for
from newsroom.store import utcnow
from tests.support.airflow import for_dag_test
from tests.support.fakes import FakeMastodon, FakeWebhook
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e


def _dag(dag_id: str) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags"))
    assert bag.import_errors == {}
    return for_dag_test(bag.dags[dag_id])


@pytest.fixture
def channels_env(
    pipeline_env: NewsroomConfig,
    mastodon_fake: FakeMastodon,
    webhook_fake: FakeWebhook,
    monkeypatch: pytest.MonkeyPatch,
    seaweed: SeaweedServer,
) -> NewsroomConfig:
    """The pipeline's config with three channels (outbox, Mastodon, webhook) and their connections."""
    path = pipeline_env.source
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["channels"] = [
        {"name": "outbox", "type": "outbox"},
        {"name": "mastodon", "type": "mastodon", "conn_id": "newsroom_mastodon"},
        {"name": "webhook", "type": "webhook", "conn_id": "newsroom_webhook", "sections": ["faits-divers"]},
        {"name": "facebook", "type": "facebook", "conn_id": "newsroom_facebook"},  # no connection: disabled
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWSROOM_MASTODON",
        json.dumps({"conn_type": "http", "host": mastodon_fake.url, "password": mastodon_fake.token}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWSROOM_WEBHOOK",
        json.dumps({"conn_type": "http", "host": webhook_fake.hook_url, "password": webhook_fake.secret}),
    )
    monkeypatch.delenv("AIRFLOW_CONN_NEWSROOM_FACEBOOK", raising=False)
    return load_config(path)


def test_distribute_dag_posts_once_and_reruns_post_nothing(
    airflow_db: None, channels_env: NewsroomConfig, mastodon_fake: FakeMastodon, webhook_fake: FakeWebhook
) -> None:
    config = channels_env
    yesterday = utcnow().astimezone(config.site.tz).date() - timedelta(days=1)
    inbox = Inbox(config, files_for(config))
    for path in fresh_samples(SAMPLES_DIR, config.state_dir / "fresh", yesterday, config.site.tz):
        inbox.file(path)
    assert _dag("ingest_articles").test().state == "success"

    assert _dag("distribute").test().state == "success"
    live = 6
    assert len(mastodon_fake.posts) == live
    # the webhook only takes the "faits-divers" section
    news = {"benin-motos-godomey", "benin-pahou-interpellations"}
    assert sorted(p["article_id"] for p in webhook_fake.posts) == sorted(news)
    outbox = [k for k in bucket_for(config).listing() if k.startswith("_outbox/")]
    assert len(outbox) == live

    # a full rerun of the DAG (and another) posts nothing more
    assert _dag("distribute").test().state == "success"
    assert _dag("distribute").test().state == "success"
    assert len(mastodon_fake.posts) == live and len(webhook_fake.posts) == len(news)
