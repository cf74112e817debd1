"""Enrich: canonical tags from the taxonomy, and related links.

Public surface: :func:`enrich_articles`, called by ``newsroom.pipeline``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newsroom.enrich.related import choose_related
from newsroom.enrich.taxonomy import Taxonomy, TaxonomyError, load_taxonomy
from newsroom.store import Store

__all__ = ["Taxonomy", "TaxonomyError", "enrich_articles", "load_taxonomy"]


def enrich_articles(store: Store, taxonomy: Taxonomy, ids: Sequence[str], now: datetime) -> list[str]:
    """Tag and relate each article; return the ids whose pages must be rendered."""
    rows = store.rows(ids)
    for article_id in ids:
        row = rows.get(article_id)
        if row is None:
            continue
        tags = taxonomy.normalise(list(row.data.get("tags", [])))
        store.set_tags(article_id, tags)
        store.set_related(article_id, choose_related(store, article_id, [t.slug for t in tags], row.section, now))
    return [i for i in ids if i in rows]
