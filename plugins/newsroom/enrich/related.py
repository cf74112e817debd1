"""Related links, first version: shared canonical tags and section, best then newest.

The seam a later retrieval (full-text index, entities) replaces:
``choose_related(store, article_id, tags, section, now)`` returns ordered ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newsroom.store import Store

MAX_RELATED = 5


def choose_related(
    store: Store, article_id: str, tags: Sequence[str], section: str, now: datetime, limit: int = MAX_RELATED
) -> list[str]:
    return store.related_candidates(article_id, tags, section, now, limit)
