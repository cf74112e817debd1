"""Enrich: entity tags, IPTC topics, keywords, related links and the sidebar.

Public surface: :class:`Enricher` (pure: articles in, enrichments out, the
spaCy model loaded once per process), :func:`enrich_articles` (the phase:
reads the store, writes tags, topics, search index, related links, and the
tags it created for review) and :func:`write_review_file`. Called by
``newsroom.phases.ingest.enrich`` and ``newsroom.phases.backfill``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import yaml

from newsroom.enrich.document import html_to_text
from newsroom.enrich.enricher import Enricher, Enrichment, NewTag
from newsroom.enrich.related import Pools, choose_related
from newsroom.files import Files
from newsroom.models import Article, Tag
from newsroom.store import Store
from newsroom.store.enrichments import Enriched
from newsroom.store.related import Links
from newsroom.store.search import SearchDoc
from newsroom.taxonomy import Taxonomy, TaxonomyError, load_taxonomy

log = logging.getLogger(__name__)

__all__ = [
    "REVIEW_KEY",
    "Enricher",
    "Enrichment",
    "NewTag",
    "StoreDirectory",
    "Taxonomy",
    "TaxonomyError",
    "enrich_articles",
    "load_taxonomy",
    "write_review_file",
]


def _enrich_each(
    enricher: Enricher, articles: Sequence[Article], directory: StoreDirectory, *, learn: bool
) -> list[Enrichment]:
    """The batch's enrichments; when the batch fails, each article alone, and one that still fails
    is published without tags, flagged in its notes (``newsroom status`` shows them), never
    holding back the others."""
    try:
        return enricher.enrich(articles, directory, learn=learn)
    except Exception:
        log.exception("Enrichment of a batch of %d failed: enriching each article alone", len(articles))
    results = []
    for article in articles:
        try:
            results.extend(enricher.enrich([article], directory, learn=learn))
        except Exception as exc:
            log.exception("Enrichment of %s failed: published without tags", article.id)
            note = f"enrichment failed ({type(exc).__name__}: {exc}): published without tags or related links"
            results.append(Enrichment(article.id, [], [], [], article.language or "fr", notes=[note]))
    return results


class StoreDirectory:
    """The enricher's tag directory, read from the store's registry of created tags."""

    def __init__(self, store: Store, before: datetime | None = None) -> None:
        self.store = store
        self.before = before

    def resolve(self, keys: Collection[str]) -> Mapping[str, Tag | None]:
        found = self.store.registry.resolve(keys, before=self.before)
        return {k: (Tag(t.slug, t.name, t.kind) if t is not None else None) for k, t in found.items()}


def _tag_text(result: Enrichment) -> str:
    """What the search index holds as the article's tags: their names, then its keywords."""
    return " ".join(t.name for t in result.tags) + " " + " ".join(result.keywords)


def enrich_articles(
    store: Store,
    enricher: Enricher,
    ids: Sequence[str],
    now: datetime,
    batch_size: int = 64,
    *,
    related_before: datetime | None = None,
    listing_sections: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Enrich, index and relate each article (oldest first, so a batch relates within itself).

    ``related_before`` bounds related-link candidates and the created tags a
    name may join (a backfill passes the start of its day, so batches of one
    day running in any order on any worker choose the same: only from earlier
    days, which are complete). ``listing_sections``: for each section, the
    sections listed with it (its parent's), for the related links' last tier.
    """
    rows = store.articles.records(ids)
    ordered = sorted(rows.values(), key=lambda r: (r.published, r.id))
    directory = StoreDirectory(store, related_before)
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start : start + batch_size]
        articles = [r.article for r in batch]
        results = _enrich_each(enricher, articles, directory, learn=related_before is None)
        bodies = [html_to_text(a.body_html) for a in articles]
        for row, result in zip(batch, results, strict=True):
            store.registry.register([(n.slug, n.name, n.kind, n.keys) for n in result.new_tags], row.published, now)
        store.enrichments.save_many(
            [Enriched(r.article_id, r.tags, r.language, r.topics, r.keywords, r.notes) for r in results], now
        )
        store.search.upsert(
            [
                SearchDoc(row.id, article.title, body, _tag_text(result))
                for row, article, result, body in zip(batch, articles, results, bodies, strict=True)
            ]
        )
        links = []
        pools = Pools(store)  # the batch's articles are stored and tagged: each tag's latest read once
        for row, article, result, body in zip(batch, articles, results, bodies, strict=True):
            before = min(row.published, related_before) if related_before else row.published
            sections = (listing_sections or {}).get(row.section)
            chosen = choose_related(
                store,
                row.id,
                result.tags,
                result.keywords,
                article.title,
                before,
                now,
                section=row.section,
                sections=sections,
                body=body,
                by_tags=related_before is not None,
                pools=pools,
            )
            links.append(Links(row.id, chosen.ids, chosen.story, chosen.sidebar))
        store.related.replace_many(links)
    return [r.id for r in ordered]


REVIEW_KEY = "review/tags-pending.yaml"  # in the newsroom's files (var/review/tags-pending.yaml by default)


def write_review_file(store: Store, files: Files, min_articles: int = 1) -> int:
    """The tags enrichment created that wait for review, for an editor reading files rather than
    running ``newsroom tags review`` (:data:`REVIEW_KEY`); returns how many."""
    pending = [t for t in store.registry.listing(("pending",)) if t.articles >= min_articles]
    header = (
        "# Tags created from the text (the taxonomy did not know them), published and waiting for review.\n"
        "# Review them with `newsroom tags review`: approve, merge into another, block, rename.\n"
    )
    items = [
        {"slug": t.slug, "name": t.name, "kind": t.kind, "articles": t.articles, "examples": list(t.examples)}
        for t in pending
    ]
    body = yaml.safe_dump({"pending": items}, allow_unicode=True, sort_keys=False)
    files.put(REVIEW_KEY, (header + body).encode("utf-8"))
    return len(items)
