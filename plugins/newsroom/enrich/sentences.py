"""segtok's ``split_multi`` (1.5.11), as yake calls it, with one pattern searched from the end.

segtok decides whether a full stop ends a sentence with ``ABBREVIATIONS``, a
pattern anchored at the end of the text before the stop (``... $``), which the
``regex`` module searches for from every position of that text: a third of
the sentence splitter's time. The same pattern compiled with ``REVERSE`` is
tried from the end backwards and finds a match exactly when the forward search
does (only whether there is one is read). The rest is segtok's code, line for
line, with its own patterns; ``tests/enrich/test_keyphrases.py`` compares the
sentences with segtok's on the eval articles and on random strings.

Adapted from segtok 1.5.11, Copyright 2020 Florian Leitner, MIT License: the
notice is in SEGTOK-LICENSE.txt beside this file.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex
from segtok import segmenter as _seg

_ABBREVIATION_AT_END = regex.compile(_seg.ABBREVIATIONS.pattern, _seg.ABBREVIATIONS.flags | regex.REVERSE).search
_SPLIT = _seg.MAY_CROSS_ONE_LINE.split
_LONE_WORD = _seg.LONE_WORD.match
_ENDS_IN_DATE_DIGITS = _seg.ENDS_IN_DATE_DIGITS.search
_MONTH = _seg.MONTH.match
_MIDDLE_INITIAL_END = _seg.MIDDLE_INITIAL_END.search
_UPPER_WORD_START = _seg.UPPER_WORD_START.match
_BEFORE_LOWER = _seg.BEFORE_LOWER.match
_LOWER_WORD = _seg.LOWER_WORD.match
_UPPER_CASE_END = _seg.UPPER_CASE_END.search
_UPPER_CASE_START = _seg.UPPER_CASE_START.match
_CONTINUATIONS = _seg.CONTINUATIONS.match
_is_open = _seg._is_open
_is_not_opened = _seg._is_not_opened


def split_multi(text: str, short_sentence_length: int = _seg.SHORT_SENTENCE_LENGTH) -> Iterator[str]:
    """``segtok.segmenter.split_multi(text)``: the sentences, joined across single newlines."""
    return _sentences(_SPLIT(text), short_sentence_length)


def _sentences(spans: list[str], short_sentence_length: int) -> Iterator[str]:
    """segtok's ``_sentences`` (``join_on_lowercase`` False, as ``split_multi`` calls it)."""
    last = None

    def shorter(c: int, n: int) -> bool:
        return c < short_sentence_length or n < short_sentence_length

    for current in _abbreviation_joiner(spans):
        if last is not None:
            if (
                (_BEFORE_LOWER(last) and _LOWER_WORD(current))
                or (
                    shorter(len(current), len(last))
                    and _is_open(last)
                    and (
                        _is_not_opened(current)
                        or last.endswith(" et al. ")
                        or (_UPPER_CASE_END(last) and _UPPER_CASE_START(current))
                    )
                )
                or (
                    shorter(len(current), len(last))
                    and _is_open(last, "[]")
                    and (
                        _is_not_opened(current, "[]")
                        or last.endswith(" et al. ")
                        or (_UPPER_CASE_END(last) and _UPPER_CASE_START(current))
                    )
                )
                or _CONTINUATIONS(current)
            ):
                last = f"{last}{current}"
            else:
                yield last.strip()
                last = current
        else:
            last = current

    if last is not None:
        yield last.strip()


def _abbreviation_joiner(spans: list[str]) -> Iterator[str]:
    """segtok's ``_abbreviation_joiner``, ``ABBREVIATIONS`` searched from the end."""
    segment = None
    total = len(spans)

    for pos in range(total):
        if pos and pos % 2:  # even => segment, uneven => (potential) terminal
            prev_s = spans[pos - 1]
            marker = spans[pos]
            next_s = spans[pos + 1] if pos + 1 < total else None

            if (
                prev_s[-1:].isspace()
                or (marker[0] == "." and _ABBREVIATION_AT_END(prev_s))
                or (
                    marker[0] == "."
                    and next_s
                    and (
                        _LONE_WORD(next_s)
                        or (_ENDS_IN_DATE_DIGITS(prev_s) and _MONTH(next_s))
                        or (_MIDDLE_INITIAL_END(prev_s) and _UPPER_WORD_START(next_s))
                    )
                )
            ):
                pass  # join
            else:
                yield "".join(spans[segment : pos + 1])
                segment = None
        elif segment is None:
            segment = pos

    if segment is not None:
        yield "".join(spans[segment:total])
