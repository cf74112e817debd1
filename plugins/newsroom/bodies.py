"""Article bodies: Markdown to HTML, and the one sanitiser every body goes through.

Used by ingest (every source format ends here) so what is stored is already
safe; render marks it safe in templates. nh3 (Rust's ammonia) does the
sanitising: we only say what a newsroom needs to keep (links, images,
figures, blockquotes, lists, tables, embeds' captions).
"""

from __future__ import annotations

import html
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

from newsroom.text import visible

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol",
    "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "abbr": {"title"},
    "ol": {"start", "reversed"},
}
URL_SCHEMES = {"http", "https", "mailto"}  # and relative URLs; mailto for links only (see _sources)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # CommonMark plus tables and strikethrough; raw HTML is allowed through to
    # the sanitiser, which decides what survives.
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def markdown_to_html(text: str) -> str:
    return str(_markdown().render(text))


def text_to_html(text: str) -> str:
    """Plain text (ninjs ``body_text``): blank-line separated paragraphs."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>\n" for p in paragraphs)


def _sources(element: str, attribute: str, value: str) -> str | None:
    """An image's ``src`` and a quotation's ``cite`` are fetched or followed as documents: http(s) or relative."""
    if attribute not in ("src", "cite"):
        return value
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return value if scheme in ("", "http", "https") else None


def sanitize_html(fragment: str) -> str:
    """Keep the newsroom's markup, drop scripts, styles, event handlers and unsafe URLs.

    Invisible characters (bidi overrides, control characters: ``text.INVISIBLE``) go first, before
    the sanitiser reads the URLs: ``java\x01script:`` is a harmless relative URL to nh3, and would be
    ``javascript:`` if they were removed after it."""
    cleaned = nh3.clean(
        visible(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_sources,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()
