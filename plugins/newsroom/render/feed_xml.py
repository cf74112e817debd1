"""RSS 2.0 and Atom as text, byte for byte what feedgen 1.0 writes through lxml with ``pretty=True``.

Used by :mod:`newsroom.render.feeds`, which decides what goes in a feed; this
module only knows how feedgen lays the elements out: their order, which are
left out when empty, two spaces of indent per level, an element with no text
written ``<x/>`` and one with empty text ``<x></x>``, and lxml's escapes (text:
``& < >`` and carriage return; attributes: also ``"``, tab and newline).
tests/render/test_feed_bytes.py compares the output with feedgen's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
RSS_DOCS = "http://www.rssboard.org/rss-specification"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# lxml refuses what XML 1.0 cannot hold; so does this module (the texts reach it cleaned by xml_text)
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def _checked(value: str) -> str:
    if _XML_INVALID.search(value):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    return value


def text(value: str) -> str:
    """Element text as lxml escapes it."""
    return _checked(value).translate(_TEXT_ESCAPES)


def attr(value: str) -> str:
    """An attribute value as lxml escapes it (without the quotes)."""
    return _checked(value).translate(_ATTR_ESCAPES)


def element(indent: str, name: str, value: str | None, attrs: Sequence[tuple[str, str]] = ()) -> str:
    """One line: ``<name a="v">value</name>``; ``<name/>`` when ``value`` is None, ``<name></name>`` when empty."""
    head = name + "".join(f' {k}="{attr(v)}"' for k, v in attrs)
    if value is None:
        return f"{indent}<{head}/>\n"
    return f"{indent}<{head}>{text(value)}</{name}>\n"


def rfc2822(value: datetime) -> str:
    """``Sun, 29 Jun 2025 10:30:00 +0100``: feedgen's ``strftime`` in the C locale, whatever the process's."""
    return f"{_DAYS[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1]} {value:%Y %H:%M:%S %z}"


@dataclass(frozen=True)
class FeedHead:
    """A feed's own values (feedgen's ``id``/``title``/``description``/``link``/``language``/...)."""

    self_url: str
    title: str
    description: str  # the RSS one is HTML-escaped once more by the caller; Atom's subtitle is plain
    page_url: str
    language: str
    generator: str
    author_name: str
    author_uri: str
    updated: datetime


@dataclass(frozen=True)
class FeedItem:
    """An entry's values, ready to write (texts already cleaned; the RSS summary already HTML-escaped)."""

    url: str
    title: str
    summary: str | None  # None: no summary element
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]  # (term, label)
    category_scheme: str
    image: str | None
    image_type: str | None


def rss_open(head: FeedHead, *, rss_type: str) -> str:
    """The RSS document up to the first item."""
    if not (head.title and head.page_url and head.description):
        raise ValueError("Required fields not set (title, link or description)")
    lines = [
        DECLARATION,
        f'<rss xmlns:media="{MEDIA_NS}" xmlns:dc="{DC_NS}" xmlns:atom="{ATOM_NS}" xmlns:content="{CONTENT_NS}"'
        ' version="2.0">\n',
        "  <channel>\n",
        element("    ", "title", head.title),
        element("    ", "link", head.page_url),
        element("    ", "description", head.description),
        element("    ", "atom:link", None, [("href", head.self_url), ("rel", "self"), ("type", rss_type)]),
        element("    ", "docs", RSS_DOCS),
    ]
    if head.generator:
        lines.append(element("    ", "generator", head.generator))
    if head.language:
        lines.append(element("    ", "language", head.language))
    lines.append(element("    ", "lastBuildDate", rfc2822(head.updated)))
    return "".join(lines)


RSS_CLOSE = "  </channel>\n</rss>\n"


def atom_open(head: FeedHead, *, atom_type: str) -> str:
    """The Atom document up to the first entry."""
    if not (head.self_url and head.title):
        raise ValueError("Required fields not set (title or id)")
    lang = f' xml:lang="{attr(head.language)}"' if head.language else ""
    lines = [
        DECLARATION,
        f'<feed xmlns:media="{MEDIA_NS}" xmlns="{ATOM_NS}"{lang}>\n',
        element("  ", "id", head.self_url),
        element("  ", "title", head.title),
        element("  ", "updated", head.updated.isoformat()),
    ]
    if head.author_name:
        lines.append("  <author>\n")
        lines.append(element("    ", "name", head.author_name))
        if head.author_uri:
            lines.append(element("    ", "uri", head.author_uri))
        lines.append("  </author>\n")
    lines.append(element("  ", "link", None, [("href", head.self_url), ("rel", "self"), ("type", atom_type)]))
    lines.append(element("  ", "link", None, [("href", head.page_url), ("rel", "alternate"), ("type", "text/html")]))
    if head.generator:
        lines.append(element("  ", "generator", head.generator))
    if head.description:
        lines.append(element("  ", "subtitle", head.description))
    return "".join(lines)


ATOM_CLOSE = "</feed>\n"


def _media(indent: str, item: FeedItem) -> str:
    if item.image is None:
        return ""
    attrs = [("url", item.image), *([("type", item.image_type)] if item.image_type else []), ("medium", "image")]
    return element(indent, "media:content", None, attrs)


def rss_item(item: FeedItem) -> str:
    """One ``<item>``, indented as in a channel."""
    if not (item.title or item.summary):
        raise ValueError("Required fields not set")
    i = "      "
    lines = ["    <item>\n"]
    if item.title:
        lines.append(element(i, "title", item.title))
    lines.append(element(i, "link", item.url))
    if item.summary:
        lines.append(element(i, "description", item.summary))
    lines.append(element(i, "guid", item.url, [("isPermaLink", "true")]))
    for _term, label in item.categories:
        lines.append(element(i, "category", label, [("domain", item.category_scheme)]))
    if item.image is not None and item.image_type:
        lines.append(element(i, "enclosure", None, [("url", item.image), ("length", "0"), ("type", item.image_type)]))
    lines.append(element(i, "pubDate", rfc2822(item.published)))
    lines.append(_media(i, item))
    for name in item.authors:
        lines.append(element(i, "dc:creator", name))
    lines.append("    </item>\n")
    return "".join(lines)


def atom_entry(item: FeedItem) -> str:
    """One ``<entry>``, indented as in a feed."""
    if not item.title:
        raise ValueError("Required fields not set")
    i = "    "
    lines = ["  <entry>\n", element(i, "id", item.url), element(i, "title", item.title)]
    lines.append(element(i, "updated", item.updated.isoformat()))
    for name in item.authors:
        if name:
            lines += ["    <author>\n", element("      ", "name", name), "    </author>\n"]
    lines.append(element(i, "link", None, [("href", item.url), ("rel", "alternate"), ("type", "text/html")]))
    if item.image is not None:
        typed = [("type", item.image_type)] if item.image_type else []
        lines.append(element(i, "link", None, [("href", item.image), ("rel", "enclosure"), *typed]))
    if item.summary is not None:
        lines.append(element(i, "summary", item.summary or None))
    for term, label in item.categories:
        attrs = [("term", term), ("scheme", item.category_scheme), *([("label", label)] if label else [])]
        lines.append(element(i, "category", None, attrs))
    lines.append(element(i, "published", item.published.isoformat()))
    lines.append(_media(i, item))
    lines.append("  </entry>\n")
    return "".join(lines)
