"""Keywords for search and ``news_keywords``: YAKE, unsupervised, French stop words.

YAKE reads the title and the lead (the first ``LEAD_CHARS`` characters):
where a news story's key phrases are, and a bounded cost (about 10 ms an
article whatever its length; the whole of a long article took 60 ms and
more). The library defines the phrases and their scores; :mod:`keyphrases`
computes the same ones about five times faster. Phrases that start or end with a stop word or an elided article
("lors d'une", "d'Agadez") are dropped: they read badly in ``news_keywords``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from newsroom.enrich.keyphrases import extract_keyphrases

LEAD_CHARS = 2_000
# function words YAKE's French list lacks
EXTRA_STOPWORDS = {"lors", "selon", "après", "avant", "depuis", "ainsi", "très", "plus", "mis", "fait", "cours"}
_ELIDED = re.compile(r"^(?:[dljmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


@lru_cache(maxsize=4)
def _extractor(language: str, top: int) -> Any:
    import yake

    # twice as many as wanted: some are dropped below
    return yake.KeywordExtractor(lan=language, n=2, top=top * 2, dedupLim=0.7)


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The text up to ``limit`` characters, cut after the last full stop (or space) before it."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    stop = max(cut.rfind(". "), cut.rfind(".\n"))
    return cut[: stop + 1] if stop > limit // 2 else cut[: cut.rfind(" ")]


@lru_cache(maxsize=4)
def _stopwords(language: str, top: int) -> frozenset[str]:
    return frozenset({w.casefold() for w in _extractor(language, top).stopword_set} | EXTRA_STOPWORDS)


def _clean(phrase: str, stopwords: frozenset[str]) -> bool:
    words = phrase.split()
    if not words or len(phrase) < 3:
        return False
    first, last = words[0].casefold(), words[-1].casefold()
    if first in stopwords or last in stopwords:
        return False
    return not (_ELIDED.match(words[0]) or _ELIDED.match(words[-1]))


def keywords(text: str, language: str = "fr", top: int = 8) -> list[str]:
    if not text.strip():
        return []
    language = language if language in ("fr", "en", "pt", "es") else "fr"
    stopwords = _stopwords(language, top)
    found = extract_keyphrases(_extractor(language, top), lead(text))
    return [str(phrase) for phrase, _score in found if _clean(str(phrase), stopwords)][:top]
