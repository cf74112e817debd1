"""Related links: earlier articles on the same story, people or place, recent first.

Retrieval is the database's French full-text index (``newsroom.store.search``:
SQLite FTS5 with bm25, or PostgreSQL ``tsvector``), queried with the
article's canonical entity names and keywords; it scales to archives of
100,000 articles. The top 50 hits are re-ranked with what full text cannot
see: shared canonical tags (people, organisations and events weigh more than
places and topics) and recency. Only live articles published before this one are
candidates, never the article itself, and a weak match is left out rather
than shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from newsroom.store import Store, Tag

MAX_RELATED = 5
POOL = 50
TAG_WEIGHT = {"person": 1.0, "organisation": 0.8, "place": 0.6, "event": 1.0, "topic": 0.6}
# Tuned on eval/dataset.yaml (make eval): at least one shared person, organisation
# or event, or two shared places or topics, and a total that text relevance and
# recency must help reach.
MIN_SCORE = 2.0
MIN_SHARED = 1.0


def query_terms(tags: Sequence[Tag], keywords: Sequence[str], title: str) -> list[str]:
    terms = [t.name for t in tags if t.kind != "topic"] + list(keywords)
    return list(dict.fromkeys(t for t in terms if len(t) >= 3))


def choose_related(
    store: Store,
    article_id: str,
    tags: Sequence[Tag],
    keywords: Sequence[str],
    title: str,
    published: datetime,
    now: datetime,
    limit: int = MAX_RELATED,
) -> list[str]:
    hits = store.search.candidates(
        query_terms(tags, keywords, title), exclude=article_id, before=published, now=now, limit=POOL
    )
    if not hits:
        return []
    ids = [h[0] for h in hits]
    their_tags = store.tags_of(ids)
    rows = store.rows(ids)
    mine = {t.slug: t for t in tags}
    best = hits[0][1] or 1.0
    scored = []
    for rank, (other, relevance) in enumerate(hits):
        row = rows.get(other)
        if row is None:
            continue
        shared = sum(TAG_WEIGHT.get(t.kind, 0.3) for t in their_tags.get(other, []) if t.slug in mine)
        text_score = 0.5 * (relevance / best if best > 0 else 0) + 0.5 * (1 - rank / len(hits))
        age_days = max((published - row.published).total_seconds() / 86400, 0.0)
        recency = math.exp(-age_days / 45)
        score = text_score + shared + 0.6 * recency
        if score >= MIN_SCORE and shared >= MIN_SHARED:
            scored.append((score, row.published, other))
    scored.sort(key=lambda item: (-item[0], -item[1].timestamp(), item[2]))
    chosen = [other for _s, _p, other in scored[:limit]]
    # recent first among the chosen, as readers expect of "À lire aussi"
    return sorted(chosen, key=lambda other: (-rows[other].published.timestamp(), other))
