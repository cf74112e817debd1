"""Related links and the page's sidebar: earlier articles a reader of this one would open next.

"À lire aussi" shows up to five earlier live articles whenever the archive
has any, in three tiers:

1. **The same story**: the database's French full-text index (SQLite FTS5
   with bm25, or PostgreSQL ``tsvector``) is queried with the article's
   title words, entity names and keywords, over the articles of the
   ``STORY_WINDOW_DAYS`` before it. A hit's relevance divided by the
   article's own relevance to that query says how alike the two texts are;
   enough likeness qualifies a link on its own, shared people and
   organisations let a weaker text match through. Tags and recency re-rank.
2. **The same people and places**: the latest earlier articles sharing a
   person, organisation or place tag (the most specific first).
3. **The same section and country**: the latest earlier articles of the
   section with the article's country, then of the section, then of the country,
   then of the whole site.

Only the first tier is "the same story" (``story`` links): those articles
show this one back under "Sur le même sujet". The sidebar, as on the seed
page, lists the latest earlier articles of the article's country (else its
section), labelled by country, whether or not "À lire aussi" shows them.

Candidates are live articles published before this one (before the start of
its day, in a backfill), never the article itself. Called by
``newsroom.enrich.enrich_articles``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsroom.countries import country_of, is_country
from newsroom.enrich.topics import STOPWORDS
from newsroom.models import Dated, Listed, Tag
from newsroom.store import Store
from newsroom.text import fold

MAX_RELATED = 5
SIDEBAR = 5
POOL = 50
TAG_WEIGHT = {"person": 1.0, "organisation": 0.8, "event": 1.0, "place": 0.4, "topic": 0.2}
# Likeness (relevance / the article's own) that makes the same story: alone, or with shared tags.
# Tuned on the tune half of eval/real (make eval), and checked on our own set.
TEXT_ALONE = 0.30
TEXT_WITH_TAGS = 0.15
SHARED_WEIGHT = 0.05
RECENCY_WEIGHT = 0.4
MIN_SHARED = 1.0  # a person or an event, or an organisation and a place...
# Below this many earlier articles a word's rarity means little (bm25 finds every shared word
# common, or every word rare): a same-story link needs a shared person, organisation or place
# instead of a likeness of texts.
SMALL_ARCHIVE = 50
SMALL_SHARED = 0.5
COUNTRY_WEIGHT = 0.2  # a country is shared by most of a national site's articles
RECENCY_DAYS = 30.0
# How far back the full-text query looks for the same story. A story's follow-ups come within months
# (the longest gap in eval/wikinews's 69 stories is 286 days), and the query's cost grows with the
# matches it scores: bounding it by date keeps it flat as the archive grows (issue 16). Older articles
# still come through the shared-tag tiers. None: the whole archive.
STORY_WINDOW_DAYS: float | None = 730

_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


@dataclass(frozen=True)
class Related:
    """The links chosen for one article: ``ids`` in order, the first ``story`` of them on its story."""

    ids: list[str]
    story: int
    sidebar: list[str] = field(default_factory=list)


def title_terms(title: str) -> list[str]:
    words = [w.strip("'-") for w in _WORD.findall(title)]
    return [w for w in words if len(w) >= 3 and fold(w) not in STOPWORDS]


_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-ZÀ-ÖØ-Þ][\w'-]{2,})", re.UNICODE)
BODY_NAMES = 12


def body_names(body: str, limit: int = BODY_NAMES) -> list[str]:
    """The capitalised words of the body (not at a sentence's start), most frequent first: the
    names a story's articles share even where the tagger found no tag."""
    counts = Counter(w.strip("'-") for w in _NAME.findall(body[:20_000]))
    ranked = sorted((w for w in counts if fold(w) not in STOPWORDS and len(w) >= 3), key=lambda w: (-counts[w], w))
    return ranked[:limit]


BODY_WORDS = 10


def body_words(body: str, limit: int = BODY_WORDS) -> list[str]:
    """The body's most frequent content words (four letters or more)."""
    words = [w.strip("'-") for w in _WORD.findall(body[:20_000])]
    stop = {w for w in set(words) if fold(w) in STOPWORDS}  # each distinct word folded once
    counts = Counter(w.lower() for w in words if len(w) >= 4 and w not in stop)
    return [w for w, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def query_terms(tags: Sequence[Tag], keywords: Sequence[str], title: str, body: str = "") -> list[str]:
    entities = [t.name for t in tags if t.kind != "topic"]
    terms = title_terms(title) + entities + list(keywords) + body_names(body) + body_words(body)
    seen: set[str] = set()
    kept = []
    for term in terms:
        key = fold(term)
        if len(term) >= 3 and key not in seen:
            seen.add(key)
            kept.append(term)
    return kept


def choose_related(
    store: Store,
    article_id: str,
    tags: Sequence[Tag],
    keywords: Sequence[str],
    title: str,
    published: datetime,
    now: datetime,
    *,
    section: str | None = None,
    sections: Sequence[str] | None = None,
    body: str = "",
    limit: int = MAX_RELATED,
    by_tags: bool = False,
    window_days: float | None = STORY_WINDOW_DAYS,
    pools: Pools | None = None,
) -> Related:
    """``sections``: the section and those it shares a listing with, for the last tier;
    ``body``: the article's plain text; ``by_tags``, ``window_days``: see :func:`same_story`;
    ``pools``: each tag's latest articles, shared by the articles of a batch (:class:`Pools`)."""
    latest = _Latest(store, article_id, published, now, pools)
    if by_tags:
        story = _same_story_by_tags(store, latest, tags, published, limit)
    else:
        story = same_story(
            store, article_id, tags, keywords, title, published, now, limit, body=body, window_days=window_days
        )
    chosen = list(story)
    exclude = {article_id, *chosen}
    for tier in _more_tiers(tags, section, sections):
        if len(chosen) >= limit:
            break
        if tier.sections is None and tier.tag is not None:
            found = latest.tagged(tier.tag, limit - len(chosen), exclude)
        else:
            found = store.listings.latest_before(
                now, published, tag=tier.tag, sections=tier.sections, limit=limit - len(chosen), exclude=exclude
            )
        for item in found:
            chosen.append(item.id)
            exclude.add(item.id)
    sidebar: list[str] = []
    country = country_of(tags)
    if country is not None:
        sidebar = [item.id for item in latest.tagged(country.slug, SIDEBAR, {article_id})]
    elif section:
        of_section = store.listings.latest_before(
            now, published, sections=[section], limit=SIDEBAR, exclude={article_id}
        )
        sidebar = [item.id for item in of_section]
    return Related(chosen[:limit], len(story), sidebar)


class Pools:
    """Each tag's ``POOL`` + 1 latest live articles published before a time, read once for every
    article of a batch that asks (a backfill's articles of one day all relate to what came before
    that day: the same pools). A batch's own tags are saved before its links are chosen, so what
    a pool holds does not change while the batch uses it."""

    size = POOL + 1

    def __init__(self, store: Store) -> None:
        self.store = store
        self._read: dict[tuple[datetime, datetime, str], list[Dated]] = {}

    def latest(self, now: datetime, before: datetime, tag: str) -> list[Dated]:
        key = (now, before, tag)
        pool = self._read.get(key)
        if pool is None:
            pool = self.store.listings.latest_before(now, before, tag=tag, limit=self.size)
            self._read[key] = pool
        return pool


class _Latest:
    """The latest earlier live articles with a tag, for one article: each tag's ``POOL`` newest read
    once (the same-story pool, the tiers and the sidebar ask for the same tag; :class:`Pools` shares
    them across a batch), each request served as the first of them not excluded; exactly what asking
    the index each time gives."""

    def __init__(
        self, store: Store, article_id: str, published: datetime, now: datetime, pools: Pools | None = None
    ) -> None:
        self.store, self.article_id, self.published, self.now = store, article_id, published, now
        self.shared = pools or Pools(store)
        self.size = self.shared.size - 1
        self._pools: dict[str, list[Dated]] = {}

    def tagged(self, tag: str, limit: int, exclude: Collection[str]) -> list[Dated]:
        """``store.listings.latest_before(now, published, tag=tag, limit=limit, exclude=exclude)``;
        ``exclude`` holds the article itself."""
        pool = self._pools.get(tag)
        if pool is None:
            # one more than its pool, without this article: its pool, whether it is among them or not
            shared = self.shared.latest(self.now, self.published, tag)
            pool = [item for item in shared if item.id != self.article_id][: self.size]
            self._pools[tag] = pool
        found = [item for item in pool if item.id not in exclude][:limit]
        if len(found) < limit and len(pool) == self.size:  # the pool ran out first: there may be more
            return self.store.listings.latest_before(self.now, self.published, tag=tag, limit=limit, exclude=exclude)
        return found


def _same_story_by_tags(
    store: Store, latest: _Latest, tags: Sequence[Tag], published: datetime, limit: int
) -> list[str]:
    """Earlier articles sharing enough people, organisations and places, most shared first, then
    the most recent: read from the tag index alone, so the answer depends only on earlier articles."""
    mine = {t.slug for t in tags}
    candidates: dict[str, Dated] = {}
    for tag in tags:
        if tag.kind in ("person", "organisation", "event", "place") and _weight(tag) > COUNTRY_WEIGHT:
            for item in latest.tagged(tag.slug, POOL, {latest.article_id}):
                candidates.setdefault(item.id, item)
    shared_tags = store.enrichments.tags_of(list(candidates), among=mine)  # only the shared ones count
    scored = []
    for other, item in candidates.items():
        shared = sum(_weight(t) for t in shared_tags.get(other, []))
        if shared >= MIN_SHARED:
            scored.append((shared + _recency(published, item), item))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].published.timestamp(), pair[1].id))
    return [item.id for _score, item in scored[:limit]]


def _recency(published: datetime, item: Dated | Listed) -> float:
    """Up to ``RECENCY_WEIGHT`` for an article published just before, fading over weeks."""
    age_days = max((published - item.published).total_seconds() / 86400, 0.0)
    return RECENCY_WEIGHT * math.exp(-age_days / RECENCY_DAYS)


def _weight(tag: Tag) -> float:
    if tag.kind == "place" and is_country(tag.name):
        return COUNTRY_WEIGHT
    return TAG_WEIGHT.get(tag.kind, 0.2)


@dataclass(frozen=True)
class _Tier:
    """One ``latest_before`` query: articles with this tag, in these sections."""

    tag: str | None
    sections: list[str] | None


def _more_tiers(tags: Sequence[Tag], section: str | None, sections: Sequence[str] | None) -> list[_Tier]:
    """Tiers 2 and 3: the people, organisations and events, the places below a country; then the
    section with the article's country; then the section; then the country; then the whole site."""
    entities = [t for t in tags if t.kind in ("person", "organisation", "event")]
    places = [t for t in tags if t.kind == "place" and not is_country(t.name)]
    country = country_of(tags)
    in_section = list(sections or ([section] if section else []))
    tiers = [_Tier(t.slug, None) for t in entities + places]
    if country is not None:
        tiers.append(_Tier(country.slug, in_section or None))
    if in_section:
        tiers.append(_Tier(None, in_section))
    if country is not None:
        tiers.append(_Tier(country.slug, None))
    tiers.append(_Tier(None, None))
    return tiers


def same_story(
    store: Store,
    article_id: str,
    tags: Sequence[Tag],
    keywords: Sequence[str],
    title: str,
    published: datetime,
    now: datetime,
    limit: int = MAX_RELATED,
    *,
    body: str = "",
    by_tags: bool = False,
    window_days: float | None = STORY_WINDOW_DAYS,
) -> list[str]:
    """Earlier articles on the same story, most alike first.

    ``window_days``: how far back the full-text query looks (None: the whole archive).

    ``by_tags``: the same story is decided by shared people, organisations and places
    (the text only ranks). A backfill asks for it: the likeness of two texts depends on
    what the index holds at that moment, which its batches of one day, running in any
    order, change; shared tags do not.
    """
    if by_tags:
        return _same_story_by_tags(store, _Latest(store, article_id, published, now), tags, published, limit)
    since = None if window_days is None else published - timedelta(days=window_days)
    hits, own = store.search.related_hits(
        query_terms(tags, keywords, title, body), article_id, before=published, now=now, limit=POOL, since=since
    )
    if not hits:
        return []
    # the hits are live articles published before this one: as many as SMALL_ARCHIVE settle it uncounted
    small = (
        len(hits) < SMALL_ARCHIVE
        and store.listings.count_live_before(now, published, limit=SMALL_ARCHIVE) < SMALL_ARCHIVE
    )
    ids = [h[0] for h in hits]
    mine = {t.slug for t in tags}
    shared_tags = store.enrichments.tags_of(ids, among=mine)  # only the shared ones count
    listed = store.listings.listed(ids)
    own = own if own > 0 else hits[0][1] or 1.0
    scored: list[tuple[float, Listed]] = []
    for other, relevance in hits:
        item = listed.get(other)
        if item is None:
            continue
        likeness = min(relevance / own, 1.0) if own > 0 else 0.0
        shared = sum(_weight(t) for t in shared_tags.get(other, []))
        if small:
            if shared < SMALL_SHARED:
                continue
        elif not (likeness >= TEXT_ALONE or (likeness >= TEXT_WITH_TAGS and shared >= MIN_SHARED)):
            continue
        scored.append((likeness + SHARED_WEIGHT * min(shared, 3.0) + _recency(published, item), item))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].published.timestamp(), pair[1].id))
    return [item.id for _score, item in scored[:limit]]
