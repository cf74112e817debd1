"""Enrich: entity tags, IPTC topics, keywords, related links, review proposals.

Public surface: :class:`Enricher` (pure: articles in, enrichments out, the
spaCy model loaded once per process), :func:`enrich_articles` (the phase:
reads the store, writes tags, topics, search index and related links) and
:func:`write_review_file`. Called by ``newsroom.pipeline.enrich``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import yaml

from newsroom.enrich.document import html_to_text
from newsroom.enrich.enricher import Enricher, Enrichment
from newsroom.enrich.related import choose_related
from newsroom.enrich.taxonomy import Taxonomy, TaxonomyError, load_taxonomy
from newsroom.models import Article
from newsroom.store import Store
from newsroom.store.search import SearchDoc

__all__ = [
    "Enricher",
    "Enrichment",
    "Taxonomy",
    "TaxonomyError",
    "enrich_articles",
    "load_taxonomy",
    "write_review_file",
]


def enrich_articles(
    store: Store,
    enricher: Enricher,
    ids: Sequence[str],
    now: datetime,
    batch_size: int = 64,
    *,
    related_before: datetime | None = None,
) -> list[str]:
    """Enrich, index and relate each article (oldest first, so a batch relates within itself).

    ``related_before`` bounds related-link candidates further (a backfill passes the
    start of its day, so batches of one day running in any order on any worker
    choose the same links: only from earlier days, which are complete).
    """
    rows = store.rows(ids)
    ordered = sorted(rows.values(), key=lambda r: (r.published, r.id))
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start : start + batch_size]
        articles = [Article.model_validate(r.data) for r in batch]
        results = enricher.enrich(articles)
        docs = []
        for row, article, result in zip(batch, articles, results, strict=True):
            store.save_enrichment(
                row.id,
                tags=result.tags,
                language=result.language,
                topics=result.topics,
                keywords=result.keywords,
                notes=result.notes,
                candidates=[(c.key, c.text, c.kind) for c in result.candidates],
                now=now,
            )
            tag_text = " ".join(t.name for t in result.tags) + " " + " ".join(result.keywords)
            docs.append(SearchDoc(row.id, article.title, html_to_text(article.body_html), tag_text))
        store.search.upsert(docs)
        for row, article, result in zip(batch, articles, results, strict=True):
            before = min(row.published, related_before) if related_before else row.published
            related = choose_related(store, row.id, result.tags, result.keywords, article.title, before, now)
            store.set_related(row.id, related)
    return [r.id for r in ordered]


def write_review_file(store: Store, path: Path, min_articles: int = 3) -> int:
    """Unknown entities seen in several articles, for an editor to add to the taxonomy (or not)."""
    proposals = store.proposed_entities(min_articles)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Entities found in several articles that the taxonomy does not know.\n"
        "# They are NOT published as tags. To adopt one, add it (with aliases) to the taxonomy file.\n"
    )
    body = yaml.safe_dump({"proposed": proposals}, allow_unicode=True, sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    return len(proposals)
