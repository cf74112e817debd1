"""Small text helpers shared by ingest, enrich and render: slugs, safe ids, folding, what a reader may see.

Pure functions, no I/O. A slug or id that reaches an object key must pass
:func:`is_safe_id` / :func:`is_slug` first: that is what keeps ``../../index``
from ever writing outside an article's key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,127}$")
_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'}
)


_QUOTES = tuple(_APOSTROPHES.items())


def normalize_quotes(text: str) -> str:
    """Typographic apostrophes and quotes to ASCII (d’Abomey -> d'Abomey)."""
    for typographic, ascii_ in _QUOTES:  # a replace per mark: in C, where translate() looks up each character
        if chr(typographic) in text:
            text = text.replace(chr(typographic), str(ascii_))
    return text


def _without_marks(text: str) -> str:
    """``text`` without its combining marks: the distinct characters are tested (a set, built in C),
    then those that are marks removed by one regular expression (fold reads whole articles)."""
    marks = [ch for ch in set(text) if unicodedata.combining(ch)]
    if not marks:
        return text
    return re.sub("[" + "".join(re.escape(m) for m in sorted(marks)) + "]", "", text)


_SPACES = re.compile(r"\s+")
_FOLD_CACHED_BELOW = 200  # names, tags, phrases: the same few thousand strings, folded again and again


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", normalize_quotes(text))
    stripped = _without_marks(decomposed)
    return _SPACES.sub(" ", stripped).strip().casefold()


_fold_short = lru_cache(maxsize=65_536, typed=True)(_fold)


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Goïta' and 'goita' fold alike (a short string's fold is
    remembered; a whole article's is not)."""
    return _fold_short(text) if len(text) < _FOLD_CACHED_BELOW else _fold(text)


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug from French text: 'Mali–Russie : Goïta' -> 'mali-russie-goita'."""
    folded = fold(text).replace("'", " ").replace("œ", "oe").replace("æ", "ae")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def is_slug(value: str) -> bool:
    return bool(SLUG_RE.fullmatch(value)) and len(value) <= 120


def is_safe_id(value: str) -> bool:
    """Letters, digits, '-', '_' and single dots; no slash, no '..', at most 128 chars."""
    return bool(ID_RE.fullmatch(value))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# "&#106;avascript:" is a harmless path here and javascript: to whatever decodes it once more
_CHARACTER_REFERENCE = re.compile(r"&#(?:x[0-9a-f]+|[0-9]+)", re.IGNORECASE)
# What a filer's text may not carry to a reader: the bidi embedding, override and isolate controls
# (U+202A-U+202E, U+2066-U+2069: an RLO shows the rest of its line backwards, "Facture \u202egpj.exe"
# reads "Facture exe.jpg", a link after it too), control characters other than
# whitespace (an ANSI escape, a NUL), and the invisible zero-width space, word joiner and BOM.
# Whitespace itself (tabs, newlines, U+2028...) is collapsed by :func:`one_line`, not removed.
INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """``text`` without :data:`INVISIBLE` characters (bidi controls, control characters, zero-width spaces)."""
    return INVISIBLE.sub("", text)


def one_line(text: str) -> str:
    """A one-line field as readers see it: :func:`visible`, whitespace runs collapsed to one space, trimmed."""
    return " ".join(visible(text).split())


def url_problem(value: str) -> str | None:
    """Why a URL from an article may not be emitted (None if it may): only http(s) or relative, parseable,
    no tabs, newlines or control characters (which browsers strip, turning ``jav\\tascript:`` into a scheme),
    no invisible characters, no HTML character references (``&#106;avascript:`` decoded once more is a scheme)."""
    if _CONTROL.search(value):
        return "contains a tab, a newline or a control character"
    if INVISIBLE.search(value):
        return "contains an invisible character (a bidi control, a zero-width space)"
    if _CHARACTER_REFERENCE.search(value):
        return "contains an HTML character reference (&#...;): write the character itself"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return f"only http(s) or relative URLs are allowed, not {parts.scheme}:"
    if not parts.scheme and ":" in value.split("/", 1)[0]:
        return "only http(s) or relative URLs are allowed"
    return None


_SURROGATE = re.compile(r"[\ud800-\udfff]")
SURROGATE = "a \\ud800-\\udfff escape is half of a surrogate pair, not a character: write the character itself"
TOO_DEEP = "arrays or objects nested about a thousand deep are not an article"


def lone_surrogate(value: Any) -> str | None:
    """Where a decoded JSON value holds half a surrogate pair ('subject[2].name'), else None.

    JSON's ``\\ud800`` escapes decode to strings that no UTF-8 writer (the store, a page, a
    feed) can encode; a reader refuses them with this path rather than fail far downstream.
    """
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str) and _SURROGATE.search(node):
            return path or "value"
        if isinstance(node, dict):
            for key, item in node.items():
                if _SURROGATE.search(key):
                    return f"{path}.{key}".lstrip(".")
                stack.append((f"{path}.{key}".lstrip("."), item))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(node))
    return None
