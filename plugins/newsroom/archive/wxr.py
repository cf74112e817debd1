"""WordPress WXR exports (RSS 2.0 with the wp:, content:, dc: and excerpt: namespaces) -> one record per item.

Called by ``archive.importer`` for ``.xml`` files. The export is streamed with
lxml's ``iterparse`` (no network, no entity expansion, huge trees allowed), so
a multi-gigabyte export is never held as one tree. A published post becomes
fields for ``ingest.reader.build_article``: ``content:encoded`` gets
WordPress's paragraphs back (``wpautop``: classic-editor posts store bare
paragraphs separated by blank lines), ``dc:creator`` is mapped to the author's
display name, ``wp:post_date_gmt`` gives the publication instant, categories
the section candidates, tags the tags, ``wp:post_name`` the slug and the
featured image comes from the ``_thumbnail_id`` attachment. Pages,
attachments, drafts and trashed posts are records with a ``skipped`` reason.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree

WP_PREFIX = "http://wordpress.org/export/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
EXCERPT_SUFFIX = "/excerpt/"

_BLOCK = re.compile(
    r"^<(?:p|div|h[1-6]|ul|ol|li|dl|blockquote|figure|table|pre|hr|section|article|aside|iframe|form|address|"
    r"math|style|script|!--)\b",
    re.IGNORECASE,
)
# Every pattern below is linear on hostile text: a shortcode or tag may not hold the bracket that opens
# the next one, so a search never rescans what an earlier attempt scanned; pairs use _pairs.
_CAPTION_OPEN = re.compile(r"\[caption[^\][]*\]")
_SHORTCODE = re.compile(r"\[/?(?:gallery|embed|video|audio|playlist|vc_[a-z_]+|td_[a-z_]+|tdc_[a-z_]+)\b[^\][]*\]")
_TAG = re.compile(r"<[^<>]+>")
_BLOCK_COMMENT_OPEN = re.compile(r"<!--\s*/?wp:")
_BLANK_LINES = re.compile(r"\n\s*\n")
_WP_NS = re.compile(re.escape(WP_PREFIX) + r"\d+(\.\d+)*/")


class NotWxrError(ValueError):
    """The XML file is not a WordPress export (a sitemap, an RSS feed...)."""


@dataclass(frozen=True)
class Item:
    """One ``<item>`` of the export: a published post's fields, or the reason it is skipped."""

    index: int  # 1-based position in the export
    guid: str | None
    sha256: str  # of the item's XML as serialised by lxml: changes only when this item changes
    fields: dict[str, Any] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)
    url: str | None = None
    skipped: str | None = None
    thumbnail_id: str | None = None  # the featured image's attachment, resolved at the end of the export
    error: str | None = None  # why the item cannot be read (it is reported, the rest of the export is read)


def autop(text: str) -> str:
    """WordPress's ``wpautop``, simplified: blank-line separated chunks become paragraphs, single newlines <br>.

    Block-editor content (``<!-- wp:... -->``) is already marked up and is kept as is. Linear in the text.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _pairs(text, _CAPTION_OPEN, "[/caption]", _figure)
    text = _SHORTCODE.sub("", text)
    if "<!-- wp:" in text:  # block editor: the markup is there already, only the block comments go
        return _BLANK_LINES.sub("\n", _pairs(text, _BLOCK_COMMENT_OPEN, "-->", lambda inner: "")).strip()
    chunks = []
    for chunk in _BLANK_LINES.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK.match(chunk):
            chunks.append(chunk)
        else:  # no blank line is left inside a chunk: every line has text
            chunks.append("<p>" + "<br>\n".join(line.strip() for line in chunk.split("\n")) + "</p>")
    return "\n".join(chunks)


def _pairs(text: str, opener: re.Pattern[str], closer: str, replace: Callable[[str], str]) -> str:
    """``re.sub(opener + "(.*?)" + closer)`` with ``replace(inner)``, in one pass.

    The regex would rescan to the end of the text from every opener that is never closed
    (quadratic on ``[caption]`` repeated, or on unclosed ``<!-- wp:``); here the first opener
    without a closer after it ends the search, since no later one can have a closer either.
    """
    out, done = [], 0
    while (match := opener.search(text, done)) is not None:
        end = text.find(closer, match.end())
        if end < 0:
            break
        out += [text[done : match.start()], replace(text[match.end() : end])]
        done = end + len(closer)
    out.append(text[done:])
    return "".join(out)


def _figure(inner: str) -> str:
    inner = inner.strip()
    image = re.match(r"(?:<a [^>]*>)?\s*<img [^>]*>\s*(?:</a>)?", inner)
    if image is None:
        return inner
    caption = inner[image.end() :].strip()
    return f"<figure>{image.group(0)}<figcaption>{caption}</figcaption></figure>" if caption else image.group(0)


def _digest(item: etree._Element) -> str:
    """sha256 of the item's XML as serialised by lxml: changes only when this item changes."""
    return hashlib.sha256(etree.tostring(item, encoding="utf-8", with_tail=False)).hexdigest()


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _gmt(value: str) -> datetime | None:
    """A WordPress ``*_gmt`` value ('2025-06-23 13:05:12') as UTC; None for the empty '0000-00-00 00:00:00'."""
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None


def _rfc822(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


class _Reader:
    """Turns ``<item>`` elements into :class:`Item`, knowing the export's namespaces and authors."""

    def __init__(self, wp: str, excerpt: str) -> None:
        self.wp, self.excerpt = wp, excerpt
        self.authors: dict[str, str] = {}

    def wp_text(self, element: etree._Element, name: str) -> str:
        return _text(element.find(f"{{{self.wp}}}{name}"))

    def author(self, element: etree._Element) -> None:
        login = self.wp_text(element, "author_login")
        if login:
            self.authors[login] = self.wp_text(element, "author_display_name") or login

    def item(self, element: etree._Element, index: int) -> Item:
        digest = _digest(element)
        guid = _text(element.find("guid")) or None
        post_type = self.wp_text(element, "post_type") or "post"
        status = self.wp_text(element, "status") or "publish"
        if post_type != "post" or status != "publish":
            kind = post_type if post_type != "post" else status
            return Item(index, guid, digest, skipped=f"not a published post ({kind})")
        fields: dict[str, Any] = {
            "title": _text(element.find("title")),
            "body_html": autop(_text(element.find(f"{{{CONTENT_NS}}}encoded"))),
            "source_format": "wxr",
        }
        published = (
            _gmt(self.wp_text(element, "post_date_gmt"))
            or _rfc822(_text(element.find("pubDate")))
            or self.wp_text(element, "post_date")  # local time: build_article reads it in the site's zone
            or None
        )
        if published:
            fields["published"] = published
        if updated := _gmt(self.wp_text(element, "post_modified_gmt")):
            fields["updated"] = updated
        if login := _text(element.find(f"{{{DC_NS}}}creator")):
            fields["authors"] = [self.authors.get(login, login)]
        if name := unquote(self.wp_text(element, "post_name")):
            fields["slug"] = name
        excerpt = _text(element.find(f"{{{self.excerpt}}}encoded"))
        if summary := " ".join(html.unescape(_TAG.sub(" ", excerpt)).split()):
            fields["summary"] = summary
        sections: list[str] = []
        tags: list[str] = []
        for category in element.iterfind("category"):
            name = (category.text or "").strip()
            if category.get("domain") == "category":
                sections.extend(n for n in (name, category.get("nicename") or "") if n)
            elif category.get("domain") == "post_tag" and name:
                tags.append(name)
        if tags:
            fields["tags"] = tags
        thumbnail = next(
            (
                self.wp_text(meta, "meta_value")
                for meta in element.iterfind(f"{{{self.wp}}}postmeta")
                if self.wp_text(meta, "meta_key") == "_thumbnail_id"
            ),
            None,
        )
        return Item(index, guid, digest, fields, sections, _text(element.find("link")) or None, None, thumbnail)

    def attachment(self, element: etree._Element) -> tuple[str, str] | None:
        """(post id, file URL) of an attachment item, for featured images."""
        url = self.wp_text(element, "attachment_url")
        if self.wp_text(element, "post_type") == "attachment" and url:
            return self.wp_text(element, "post_id"), url
        return None


def _name(element: etree._Element) -> tuple[str | None, str]:
    """(namespace, local name) of an element; an undeclared prefix ('foo:bar') is kept in the local name."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _undeclared(element: etree._Element) -> str | None:
    """Why an item cannot be trusted: an element or attribute whose namespace prefix is never declared.

    lxml keeps such a name as 'foo:bar' and reads on (the rest of the export is fine); it raises
    only at the end of the file, so the item that holds the name is the one to report.
    """
    for node in element.iter():
        tag = node.tag if isinstance(node.tag, str) else ""
        for name, what in [(tag, f"<{tag}>"), *((key, f"attribute {key}") for key in node.attrib)]:
            if ":" in name and not name.startswith("{"):
                return f"line {node.sourceline}: namespace prefix {name.split(':')[0]!r} is not declared ({what})"
    return None


def _namespaces(root: etree._Element) -> tuple[str, str]:
    """(wp, excerpt) namespaces of a WXR root, or NotWxrError naming what the file is instead."""
    wp = next((ns for ns in root.nsmap.values() if ns and _WP_NS.fullmatch(ns)), None)
    local = _name(root)[1]
    if local != "rss" or wp is None:
        raise NotWxrError(f"not a WordPress export (root <{local}>, no {WP_PREFIX} namespace)")
    excerpt = next((ns for ns in root.nsmap.values() if ns and ns.endswith(EXCERPT_SUFFIX)), wp + "excerpt/")
    return wp, excerpt


# libxml2's namespace errors (XML_NS_ERR_*): not fatal, lxml reports them once the whole file is read.
_NAMESPACE_ERRORS = range(200, 300)


def read_items(path: Path) -> Iterator[Item]:
    """Every ``<item>`` of the export, in order; posts come last, once their featured images are known.

    An item naming an undeclared namespace prefix comes with an ``error`` and the rest is read.
    Raises NotWxrError for other XML, ``etree.XMLSyntaxError`` for a broken file (after yielding
    what was read before the error).
    """
    context = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        load_dtd=False,
    )
    reader: _Reader | None = None
    root: etree._Element | None = None
    closed = False  # the root's end tag was read: an error raised after it concerns no missing item
    posts: list[Item] = []
    images: dict[str, str] = {}
    index = 0
    try:
        for event, element in context:
            if reader is None:
                reader, root = _Reader(*_namespaces(element)), element
                continue
            if event != "end":
                continue
            if element is root:
                closed = True
                continue
            namespace, local = _name(element)
            if local == "author" and namespace == reader.wp:
                reader.author(element)
            elif local == "item" and namespace is None:
                index += 1
                if error := _undeclared(element):
                    item = Item(index, _text(element.find("guid")) or None, _digest(element), error=error)
                else:
                    item = reader.item(element, index)
                    if attachment := reader.attachment(element):
                        images[attachment[0]] = attachment[1]
                if item.skipped or item.error:
                    yield item
                else:
                    posts.append(item)
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        if not (closed and exc.code in _NAMESPACE_ERRORS):
            yield from (_with_image(post, images) for post in posts)
            raise
    yield from (_with_image(post, images) for post in posts)


def _with_image(item: Item, images: dict[str, str]) -> Item:
    if item.thumbnail_id and item.thumbnail_id in images:
        return replace(item, fields={**item.fields, "image": {"url": images[item.thumbnail_id]}})
    return item
