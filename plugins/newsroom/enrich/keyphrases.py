"""YAKE's keyphrase scores, computed over plain dicts instead of the library's objects and graph.

The yake library (0.7.3) spends four fifths of its time outside the algorithm:
a ``networkx`` graph for word co-occurrences, a dict-backed object per word
and per candidate phrase, ``numpy.median`` per word. This module computes the
same features and scores (its ``DataCore``, ``SingleWord.update_h`` and
``ComposedWord.update_h``, the same arithmetic in the same order) with counts
in dicts, and takes from the library what defines the output: its stop words
and its deduplication similarity (through the extractor passed in), and its
sentence splitter and tokenizer (segtok, called as the library calls it) and
word tags, copied (importing the library's module loads networkx).
``tests/enrich/test_keyphrases.py`` checks the output equals the library's,
phrases and scores, on the real articles of ``eval/``.

Called by :func:`newsroom.enrich.keywords.keywords`.
"""

from __future__ import annotations

import math
import re
import string
from functools import lru_cache
from html import unescape
from typing import Any

import numpy as np
from segtok import tokenizer as _segtok
from segtok.segmenter import SENTENCE_TERMINALS
from segtok.tokenizer import split_contractions

from newsroom.enrich.sentences import split_multi

EXCLUDE = frozenset(string.punctuation)
_PUNCTUATION = string.punctuation
_CAPITAL = re.compile(r"^(\s*([A-Z]))")
_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)
DISCARDED_TAGS = frozenset({"u", "d"})  # unusual (digits and letters, punctuation) and numbers


def _sentences(text: str) -> list[list[str]]:
    """yake's ``pre_filter`` and ``tokenize_sentences`` (the library's module is not imported here: it
    loads networkx; the extractor passed in loads it when it is made)."""
    buffer = ""
    for part in text.split("\n"):
        buffer += ("\n\n" if _CAPITAL.match(part) else " ") + part.replace("\t", " ")
    return [[w for token in _web_tokens(s) for w in _kept(token)] for s in split_multi(buffer) if len(s.strip()) > 0]


# segtok's tokenizer (1.5.11) as yake calls it, ``split_contractions(web_tokenizer(sentence))``, with its
# own compiled patterns; what it computes per space-separated span and per token is remembered (the same
# words recur in every article: the split of each span was half the tokenizer's time). The same tokens in
# the same order: the code below is segtok's, only the per-span and per-token steps are cached.
# Adapted from segtok 1.5.11, Copyright 2020 Florian Leitner, MIT License (enrich/SEGTOK-LICENSE.txt).
_URI_SPLIT = _segtok.web_tokenizer.split
_SPACE_SPLIT = _segtok.space_tokenizer.split
_WORD_SPLIT = _segtok.word_tokenizer.split
_WORD_MATCH = _segtok.word_tokenizer.match
_APO_MATCH = _segtok.APO_MATCHER.match
_HYPHENATED_LINEBREAK = _segtok.HYPHENATED_LINEBREAK


@lru_cache(maxsize=100_000)
def _span_tokens(span: str) -> tuple[str, ...]:
    """``word_tokenizer``'s split of one space-separated span, empty strings left out."""
    return tuple(token for token in _WORD_SPLIT(span) if token)


@lru_cache(maxsize=100_000)
def _kept(token: str) -> tuple[str, ...]:
    """``split_contractions`` of one token (it rewrites each token in place, independently of the
    others), then yake's filter (no empty token, none starting with an apostrophe)."""
    return tuple(w for w in split_contractions([token]) if not (w.startswith("'") and len(w) > 1) and len(w) > 0)


def _web_tokens(sentence: str) -> list[str]:
    """segtok's ``web_tokenizer``: URIs and e-mail addresses whole, the rest through ``_word_tokens``."""
    return [
        token
        for i, span in enumerate(_URI_SPLIT(sentence))
        for token in ((span,) if i % 2 else _word_tokens(unescape(span)))
    ]


def _word_tokens(sentence: str) -> list[str]:
    """segtok's ``word_tokenizer``, line for line, the per-span split cached."""
    # (the pattern needs a line break: without one, its substitution would return the sentence as it is)
    has_break = "\n" in sentence or "\r" in sentence or "\u2028" in sentence
    pruned = _HYPHENATED_LINEBREAK.sub(r"\1\2", sentence) if has_break else sentence
    tokens = [token for span in _SPACE_SPLIT(pruned) if span for token in _span_tokens(span)]

    # splice the sentence terminal off the last word/token if it has any at its borders
    # only look for the sentence terminal in the last three tokens
    for idx, word in enumerate(reversed(tokens[-3:]), 1):
        if (_WORD_MATCH(word) and not _APO_MATCH(word)) or any(t in word for t in SENTENCE_TERMINALS):
            last = len(word) - 1

            if last == 0 or word == "...":
                pass  # leave the token as it is
            elif any(word.rfind(t) == last for t in SENTENCE_TERMINALS):
                tokens[-idx] = word[:-1]
                tokens.insert(len(tokens) - idx + 1, word[-1])
            elif any(word.find(t) == 0 for t in SENTENCE_TERMINALS):
                tokens[-idx] = word[0]
                tokens.insert(len(tokens) - idx + 1, word[1:])

            break

    # keep splicing off any dangling commas and (semi-) colons
    dirty = True
    while dirty:
        dirty = False

        for idx, word in enumerate(reversed(tokens), 1):
            while len(word) > 1 and word[-1] in ",;:":
                char = word[-1]  # the dangling comma/colon
                word = word[:-1]
                tokens[-idx] = word
                tokens.insert(len(tokens) - idx + 1, char)
                idx += 1
                dirty = True
            if dirty:
                break  # restart check to avoid index errors

    return tokens


@lru_cache(maxsize=10_000)
def _tag(word: str, i: int) -> str:
    """yake's ``get_tag``: d(igits), u(nusual), a(cronym), n(ame: capitalised, not first), p(lain)."""
    if word.replace(",", "").isdigit() or word.replace(",", "").replace(".", "", 1).isdigit():
        return "d"
    cdigit = calpha = cexclude = 0
    for c in word:
        if c.isdigit():
            cdigit += 1
        if c.isalpha():
            calpha += 1
        if c in EXCLUDE:
            cexclude += 1
    if (cdigit > 0 and calpha > 0) or (cdigit == 0 and calpha == 0) or cexclude > 1:
        return "u"
    if word.isupper() and len(word) > 0:
        return "a"
    if len(word) > 1 and word[0].isupper() and i > 0 and sum(c.isupper() for c in word) == 1:
        return "n"
    return "p"


class _Term:
    """One word form (lowercase, a final ``s`` dropped): its counts and its co-occurrences."""

    __slots__ = ("h", "id", "left", "right", "sentences", "stopword", "tf", "tf_a", "tf_n")

    def __init__(self, index: int, stopword: bool) -> None:
        self.id = index
        self.stopword = stopword
        self.tf = 0.0
        self.tf_a = 0.0  # as an acronym
        self.tf_n = 0.0  # capitalised, not at a sentence's start
        self.sentences: list[int] = []  # the sentences it occurs in, ascending, each once
        self.left: dict[int, float] = {}  # words just before it: id -> count
        self.right: dict[int, float] = {}  # words just after it
        self.h = 0.0


class _Candidate:
    """A phrase of up to ``n`` words without punctuation between them, neither end a stop word."""

    __slots__ = ("clean", "kw", "terms", "tf")

    def __init__(self, kw: str, terms: tuple[_Term, ...]) -> None:
        self.kw = kw  # as first written
        self.terms = terms
        self.clean = False  # written once at least without a number or an unusual word in it
        self.tf = 0.0


def _term(terms: dict[str, _Term], word: str, stopwords: set[str]) -> _Term:
    """``DataCore.get_term``."""
    unique = word.lower()
    plain_stopword = unique in stopwords
    if unique.endswith("s") and len(unique) > 3:
        unique = unique[:-1]
    found = terms.get(unique)
    if found is not None:
        return found
    bare = unique.translate(_NO_PUNCTUATION)
    term = _Term(len(terms), plain_stopword or unique in stopwords or len(bare) < 3)
    terms[unique] = term
    return term


def _count(candidates: dict[str, _Candidate], key: str, kw: str, terms: tuple[_Term, ...], clean: bool) -> None:
    """``DataCore.add_or_update_composedword`` (its tags kept as whether one occurrence is clean)."""
    cand = candidates.get(key)
    if cand is None:
        cand = candidates[key] = _Candidate(kw, terms)
    cand.clean = cand.clean or clean
    cand.tf += 1.0


def _word_scores(terms: dict[str, _Term], sentences: int) -> None:
    """``DataCore.build_single_terms_features``: each content word's ``h`` (lower: more a keyword)."""
    content = [t for t in terms.values() if not t.stopword]
    tfs = np.array([t.tf for t in content])
    if not tfs.size:
        return
    avg_tf = tfs.mean()
    std_tf = tfs.std()
    max_tf = max(t.tf for t in terms.values())
    for term in content:  # a stop word's h is never read
        tf = term.tf
        wdl, wil = len(term.left), sum(term.left.values())
        wdr, wir = len(term.right), sum(term.right.values())
        pwl = 0 if wil == 0 else wdl / wil
        pwr = 0 if wir == 0 else wdr / wir
        wrel = 0.5 + pwl * (tf / max_tf) + (0.5 + pwr * (tf / max_tf))
        wfreq = tf / (avg_tf + std_tf)
        wspread = len(term.sentences) / sentences
        wcase = max(term.tf_a, term.tf_n) / (1.0 + math.log(tf))
        ids = term.sentences
        middle = len(ids) // 2
        median = ids[middle] if len(ids) % 2 else (ids[middle - 1] + ids[middle]) / 2
        wpos = math.log(math.log(3.0 + median))
        term.h = wpos * wrel / (wcase + wfreq / wrel + wspread / wrel)


def _phrase_score(cand: _Candidate) -> float:
    """``ComposedWord.update_h`` (stop words inside a phrase weighted by their bigram probability)."""
    sum_h = 0.0
    prod_h = 1.0
    terms = cand.terms
    for t, term in enumerate(terms):
        if not term.stopword:
            sum_h += term.h
            prod_h *= term.h
            continue
        prob_t1 = 0.0
        if t > 0 and term.id in terms[t - 1].right:
            prob_t1 = terms[t - 1].right[term.id] / terms[t - 1].tf
        prob_t2 = 0.0
        if t < len(terms) - 1 and terms[t + 1].id in term.right:
            prob_t2 = term.right[terms[t + 1].id] / terms[t + 1].tf
        prob = prob_t1 * prob_t2
        prod_h *= 1 + (1 - prob)
        sum_h -= 1 - prob
    return prod_h / ((sum_h + 1) * cand.tf)


def extract_keyphrases(extractor: Any, text: str) -> list[tuple[str, float]]:
    """What ``extractor.extract_keywords(text)`` returns (a ``yake.KeywordExtractor`` without
    lemmatisation or a feature subset): (phrase, score) pairs, the best (lowest) first."""
    if not text:
        return []
    config = extractor.config
    n, window, top, dedup_lim = config["n"], config["window_size"], config["top"], config["dedup_lim"]
    stopwords = extractor.stopword_set
    sentences = _sentences(text.replace("\n", " "))
    terms: dict[str, _Term] = {}
    candidates: dict[str, _Candidate] = {}
    known: dict[str, tuple[_Term, str]] = {}  # a word as written -> its term (always the same one), lowercased
    for sentence_id, sentence in enumerate(sentences):
        block: list[tuple[bool, str, str, _Term]] = []  # the words since the last punctuation
        for position, word in enumerate(sentence):
            if not word.strip(_PUNCTUATION):  # punctuation only
                block = []
                continue
            tag = _tag(word, 1 if position else 0)  # the tag reads only whether the word starts its sentence
            discarded = tag in DISCARDED_TAGS
            found = known.get(word)
            if found is None:
                found = known[word] = (_term(terms, word, stopwords), word.lower())
            term, lower = found
            if not term.sentences or term.sentences[-1] != sentence_id:
                term.sentences.append(sentence_id)
            term.tf += 1.0
            if tag == "a":
                term.tf_a += 1.0
            elif tag == "n":
                term.tf_n += 1.0
            if not discarded:
                for before in block[max(0, len(block) - window) :]:
                    if not before[0]:
                        left = before[3]
                        left.right[term.id] = left.right.get(term.id, 0.0) + 1.0
                        term.left[left.id] = term.left.get(left.id, 0.0) + 1.0
            if not term.stopword:
                # the phrases ending here; one that starts or ends with a stop word is never a keyphrase
                phrase: tuple[_Term, ...] = (term,)
                kw, key, clean = word, lower, not discarded
                _count(candidates, key, kw, phrase, clean)
                for before in reversed(block[max(0, len(block) - (n - 1)) :]):
                    kw, key, phrase = f"{before[1]} {kw}", f"{before[2]} {key}", (before[3], *phrase)
                    clean = clean and not before[0]
                    if not before[3].stopword:
                        _count(candidates, key, kw, phrase, clean)
            block.append((discarded, word, lower, term))
    _word_scores(terms, len(sentences))
    valid = [(_phrase_score(cand), key, cand) for key, cand in candidates.items() if cand.clean]
    valid.sort(key=lambda item: item[0])  # stable: ties keep the order of first appearance
    if dedup_lim >= 1.0:
        return [(key, h) for h, key, _c in valid][:top]
    similarity = extractor.dedup_function
    kept: list[tuple[float, str, _Candidate]] = []
    for h, key, cand in valid:
        if all(similarity(key, other) <= dedup_lim for _h, other, _c in kept):
            kept.append((h, key, cand))
        if len(kept) == top:
            break
    return [(cand.kw, h) for h, _key, cand in kept]
