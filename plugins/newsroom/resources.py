"""Configuration -> handles: the store, the bucket, the enricher, the channels. Nothing else.

The one place that turns a :class:`~newsroom.config.NewsroomConfig` into the
objects libraries work with; libraries receive these handles and never build
them. Called by ``newsroom.phases`` (the task bodies) and ``newsroom.cli``
only: an import contract test (``tests/test_layers.py``) keeps it so.
"""

from __future__ import annotations

from sqlalchemy import Engine

from newsroom.channels import Channel, make_channel
from newsroom.config import NewsroomConfig
from newsroom.enrich import Enricher, load_taxonomy
from newsroom.enrich.topics import TopicModel
from newsroom.files import BucketFiles, Files, LocalFiles
from newsroom.publish.s3 import BucketClient
from newsroom.store import Store
from newsroom.store.engine import make_engine


def open_store(config: NewsroomConfig) -> Store:
    """The state database of ``config`` (its folder created if missing; its schema revision checked on open)."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return Store.from_url(config.database_url())


def state_database(config: NewsroomConfig) -> Engine:
    """The state database as it is, its schema revision not checked: for ``newsroom db`` (which upgrades it)."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(config.database_url(), check_schema=False)


def bucket_for(config: NewsroomConfig) -> BucketClient:
    """The site bucket, through the Airflow connection ``storage.conn_id``."""
    return BucketClient.from_connection(config.storage.conn_id, config.storage.bucket, config.storage.prefix)


_ENSURED: set[tuple[str, str]] = set()


def files_for(config: NewsroomConfig) -> Files:
    """The newsroom's own files: the private bucket ``storage.files_bucket`` if set, else the state folder."""
    storage = config.storage
    if storage.files_bucket:
        client = BucketClient.from_connection(storage.conn_id, storage.files_bucket, storage.files_prefix)
        if (storage.conn_id, storage.files_bucket) not in _ENSURED:  # once per process, not per filing
            client.ensure_bucket()
            _ENSURED.add((storage.conn_id, storage.files_bucket))
        return BucketFiles(client.client, storage.files_bucket, storage.files_prefix)
    return LocalFiles(config.state_dir)


def make_enricher(config: NewsroomConfig, *, ner: bool = True) -> Enricher:
    """The enricher for the newsroom's taxonomy, sections (their IPTC topic a prior) and topic model.

    ``ner=False`` skips spaCy's entity recogniser (the backfill's default: the
    gazetteer and the topic model still run).
    """
    section_topics = {s.slug: s.iptc or _parent_iptc(config, s.slug) for s in config.sections}
    return Enricher(
        load_taxonomy(config.taxonomy_path),
        section_topics,
        model=config.enrich.model,
        batch_size=config.enrich.batch_size,
        max_chars=config.enrich.max_chars,
        ner=ner,
        publication=[config.site.name],
        topic_model=TopicModel.load(config.topic_model_path),
    )


def _parent_iptc(config: NewsroomConfig, slug: str) -> str | None:
    parent = config.section(slug).parent
    return config.section(parent).iptc if parent else None


def available_channels(config: NewsroomConfig) -> dict[str, Channel]:
    """Enabled channels whose credentials exist, as adapters by name (a missing one is logged once)."""
    adapters: dict[str, Channel] = {}
    for channel in config.channels:
        if not channel.enabled:
            continue
        adapter = make_channel(channel, lambda: bucket_for(config))
        if adapter is not None:
            adapters[channel.name] = adapter
    return adapters
