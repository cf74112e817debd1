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
from collections.abc import Iterator
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
_CAPTION = re.compile(r"\[caption[^\]]*\](.*?)\[/caption\]", re.DOTALL)
_SHORTCODE = re.compile(r"\[/?(?:gallery|embed|video|audio|playlist|vc_[a-z_]+|td_[a-z_]+|tdc_[a-z_]+)\b[^\]]*\]")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
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


def autop(text: str) -> str:
    """WordPress's ``wpautop``, simplified: blank-line separated chunks become paragraphs, single newlines <br>.

    Block-editor content (``<!-- wp:... -->``) is already marked up and is kept as is.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CAPTION.sub(_figure, text)
    text = _SHORTCODE.sub("", text)
    if "<!-- wp:" in text:  # block editor: the markup is there already, only the block comments go
        return re.sub(r"\n\s*\n", "\n", _BLOCK_COMMENT.sub("", text)).strip()
    chunks = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK.match(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk) + "</p>")
    return "\n".join(chunks)


def _figure(match: re.Match[str]) -> str:
    inner = match.group(1).strip()
    image = re.match(r"(?:<a [^>]*>)?\s*<img [^>]*>\s*(?:</a>)?", inner)
    if image is None:
        return inner
    caption = inner[image.end() :].strip()
    return f"<figure>{image.group(0)}<figcaption>{caption}</figcaption></figure>" if caption else image.group(0)


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
        digest = hashlib.sha256(etree.tostring(element, encoding="utf-8", with_tail=False)).hexdigest()
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


def _namespaces(root: etree._Element) -> tuple[str, str]:
    """(wp, excerpt) namespaces of a WXR root, or NotWxrError naming what the file is instead."""
    wp = next((ns for ns in root.nsmap.values() if ns and _WP_NS.fullmatch(ns)), None)
    if etree.QName(root).localname != "rss" or wp is None:
        raise NotWxrError(f"not a WordPress export (root <{etree.QName(root).localname}>, no {WP_PREFIX} namespace)")
    excerpt = next((ns for ns in root.nsmap.values() if ns and ns.endswith(EXCERPT_SUFFIX)), wp + "excerpt/")
    return wp, excerpt


def read_items(path: Path) -> Iterator[Item]:
    """Every ``<item>`` of the export, in order; posts come last, once their featured images are known.

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
    posts: list[Item] = []
    images: dict[str, str] = {}
    index = 0
    try:
        for event, element in context:
            if reader is None:
                reader = _Reader(*_namespaces(element))
                continue
            if event != "end":
                continue
            tag = etree.QName(element)
            if tag.localname == "author" and tag.namespace == reader.wp:
                reader.author(element)
            elif tag.localname == "item" and tag.namespace is None:
                index += 1
                item = reader.item(element, index)
                if attachment := reader.attachment(element):
                    images[attachment[0]] = attachment[1]
                if item.skipped:
                    yield item
                else:
                    posts.append(item)
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError:
        yield from (_with_image(post, images) for post in posts)
        raise
    yield from (_with_image(post, images) for post in posts)


def _with_image(item: Item, images: dict[str, str]) -> Item:
    if item.thumbnail_id and item.thumbnail_id in images:
        return replace(item, fields={**item.fields, "image": {"url": images[item.thumbnail_id]}})
    return item
