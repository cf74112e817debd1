"""The store: the state database behind one facade, :class:`Store`, and its sub-repositories.

Called by ``newsroom.phases`` (one module per DAG), the libraries that
receive a store (enrich, render, publish, distribute, digest, archive) and the CLI.
Each sub-repository owns one part of the state and returns plain records
(``newsroom.models``), never ORM rows:

- ``articles``: filing versions and quarantined files, reading articles, status along the pipeline;
- ``takedowns``: takedown and restore;
- ``listings``: what home, section and tag pages, feeds and sitemaps show;
- ``enrichments``: tags, language, topics, keywords;
- ``related``: related links, sidebars and back-links;
- ``objects``: what is in the bucket;
- ``backfills``: backfilled days and what their listings still owe;
- ``status``: everything known of an article, counts;
- ``deliveries``: the social delivery ledger; ``digests``: the digest ledger;
- ``search``: the full-text index; ``registry``: the created tags and their review;
- ``locks``: run locks (one ingest at a time), and who holds them.

Each method is one short transaction, so a task retried after a crash sees
a consistent state and re-running it changes nothing already recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from newsroom.store.alerts import AlertRepository
from newsroom.store.articles import ArticleRepository
from newsroom.store.backfills import BackfillRepository
from newsroom.store.digests import DigestLedger
from newsroom.store.engine import engine_for
from newsroom.store.enrichments import EnrichmentRepository
from newsroom.store.ledger import Ledger
from newsroom.store.listings import ListingRepository
from newsroom.store.locks import LockRepository
from newsroom.store.objects import ObjectRepository
from newsroom.store.related import RelatedRepository
from newsroom.store.search import SearchIndex
from newsroom.store.status import StatusRepository
from newsroom.store.tag_registry import TagRegistry
from newsroom.store.takedowns import TakedownRepository


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.articles = ArticleRepository(engine)
        self.takedowns = TakedownRepository(engine)
        self.listings = ListingRepository(engine)
        self.enrichments = EnrichmentRepository(engine)
        self.related = RelatedRepository(engine)
        self.objects = ObjectRepository(engine)
        self.backfills = BackfillRepository(engine)
        self.status = StatusRepository(engine)
        self.alerts = AlertRepository(engine)
        self.deliveries = Ledger(engine)
        self.digests = DigestLedger(engine)
        self.search = SearchIndex(engine)
        self.registry = TagRegistry(engine)
        self.locks = LockRepository(engine)

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(engine_for(url))

    @property
    def url(self) -> str:
        """The database URL, password included (for a worker process to open the same store)."""
        return str(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        """Close the pooled connections (the store opens new ones if used again)."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction on the state database, for tests and benchmarks that read it directly."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session
