"""RSS 2.0 and Atom feeds of the site, of each section and of each tag, built with feedgen.

Called by :class:`newsroom.render.site.SiteRenderer` with the live articles
of a listing, newest first (the store's listing already leaves out what is
taken down, scheduled or under embargo). Each feed holds the newest
:data:`FEED_SIZE` of them and is written twice: ``<prefix>feed.xml`` (RSS)
and ``<prefix>atom.xml`` (Atom), the prefix being ``""`` for the site,
``<section>/`` or ``tag/<slug>/``.

- **Stable ids**: an item's GUID (Atom id) is its page's canonical URL; the
  page's key is frozen at first filing, so a correction never changes it.
- **Dates**: ``pubDate``/``published`` and ``updated`` are the article's own,
  in the site's zone with its offset.
- **Determinism**: feedgen stamps ``lastBuildDate``/``updated`` with the
  clock and its own version as generator; both are set here instead (the
  newest ``modified`` of the items, and "newsroom"), so the same state gives
  the same bytes. A feed with no item (a section with no article yet) is
  dated by the newest ``modified`` of the whole site, the render's ``now`` on a
  site with no live article: never 1970. A tag with no live article has no feed.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from newsroom.config import Site
from newsroom.models import Listed, Tag
from newsroom.render.page import Page
from newsroom.render.reads import SiteReads
from newsroom.render.sitemaps import xml_text

FEED_SIZE = 50
ENTRY_CACHE_SIZE = 20_000  # built entries a writer keeps (a whole-site render meets each article a few times)
RSS_NAME = "feed.xml"
ATOM_NAME = "atom.xml"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
GENERATOR = "newsroom"
SCRATCH_DATE = datetime(1970, 1, 1, tzinfo=UTC)  # the date of the feed entries are written in, then cut from
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class FeedSpec:
    """One feed: where it goes, what it is called, and the HTML page it mirrors."""

    prefix: str  # "" (the site), "<section>/" or "tag/<slug>/"
    title: str
    description: str
    page_url: str

    @property
    def rss_key(self) -> str:
        return self.prefix + RSS_NAME

    @property
    def atom_key(self) -> str:
        return self.prefix + ATOM_NAME


@dataclass(frozen=True)
class _Details:
    authors: tuple[str, ...]
    tags: tuple[Tag, ...]


_ENTRIES_SPEC = FeedSpec("", "entries", "", "https://entries.invalid/")  # the feed entries are cut from


class _Entry(FeedEntry):  # type: ignore[misc]
    """feedgen 1.0 drops the attributes (rel, type...) of an Atom entry's links; put them back."""

    def atom_entry(self, extensions: bool = True) -> Any:
        element = super().atom_entry(extensions)
        for node, data in zip(element.findall("link"), self.link() or [], strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if data.get(name):
                    node.set(name, data[name])
        return element


def image_type(url: str) -> str | None:
    """The MIME type of an image from its URL's extension (a fixed table: the same on every machine)."""
    return IMAGE_TYPES.get(posixpath.splitext(urlsplit(url).path)[1].lower())


def feed_links(spec: FeedSpec, url_of: Callable[[str], str]) -> list[dict[str, str]]:
    """``<link rel="alternate">`` values for a page whose feed this is."""
    return [
        {"type": RSS_TYPE, "title": f"{spec.title} (RSS)", "href": url_of(spec.rss_key)},
        {"type": ATOM_TYPE, "title": f"{spec.title} (Atom)", "href": url_of(spec.atom_key)},
    ]


def as_rss_html(text: str) -> str:
    """RSS readers render a ``<description>`` as HTML once it is XML-decoded: plain text escaped for HTML
    first (feedgen then escapes it for XML), so ``<script>`` in a summary reads as text. Atom's summary
    is ``type="text"`` and needs nothing."""
    return html.escape(text, quote=False)


def _stamp(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz).replace(microsecond=0)


class FeedWriter:
    """Builds feed pages; authors and tags of the articles are read in batches and remembered for the run."""

    def __init__(self, site: Site, store: SiteReads, url_of: Callable[[str], str], now: datetime) -> None:
        self.site = site
        self.store = store
        self.url_of = url_of
        self.now = now
        self._site_newest: datetime | None = None
        self.tag_scheme = url_of("tag/")
        self._details: dict[str, _Details] = {}
        # Each entry's XML by (item, atom): one article is in the site's, its section's and each of
        # its tags' feeds, and building and writing entries is most of a feed's time. An entry's
        # bytes do not depend on the feed around it (same namespaces, same depth), so the entries
        # a feed needs are written together once, cut apart, and spliced into every feed listing them.
        self._entries: dict[tuple[Listed, bool], bytes] = {}

    def _load(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self._details})
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            rows = self.store.articles.records(chunk)
            tags = self.store.enrichments.tags_of(chunk)
            for article_id in chunk:
                row = rows.get(article_id)
                authors = row.authors if row is not None else ()
                self._details[article_id] = _Details(authors, tuple(tags.get(article_id, ())))

    def pages(self, spec: FeedSpec, listed: Sequence[Listed]) -> list[Page]:
        """The RSS and Atom pages of ``spec`` for these articles (newest first; the first FEED_SIZE are kept)."""
        items = list(listed[:FEED_SIZE])
        self._load(item.id for item in items)
        return [
            Page(spec.rss_key, self._render(spec, items, atom=False), "feed"),
            Page(spec.atom_key, self._render(spec, items, atom=True), "feed"),
        ]

    def _render(self, spec: FeedSpec, items: Sequence[Listed], *, atom: bool) -> bytes:
        newest = max((item.modified for item in items), default=None) or self._empty_feed_date()
        body = self._feed(spec, newest, atom=atom)
        if not items:
            return body
        missing = [item for item in dict.fromkeys(items) if (item, atom) not in self._entries]
        if missing and len(self._entries) + len(missing) > ENTRY_CACHE_SIZE:
            self._entries.clear()
            missing = list(dict.fromkeys(items))
        self._write_entries(missing, atom=atom)
        # feedgen appends the entries last in <channel> (RSS) or <feed> (Atom)
        at = body.rindex(b"</feed>" if atom else b"  </channel>")
        return body[:at] + b"".join(self._entries[(item, atom)] for item in items) + body[at:]

    def _empty_feed_date(self) -> datetime:
        """The date of a feed with no item: the site's newest modification (state, not the clock)."""
        if self._site_newest is None:
            newest = self.store.listings.newest_by_path_prefix(self.now, 0).values()  # one group: every path
            self._site_newest = max(newest, default=self.now)
        return self._site_newest

    def _feed(self, spec: FeedSpec, newest: datetime, *, atom: bool, entries: Sequence[Listed] = ()) -> bytes:
        """The feed as feedgen writes it, with these entries (none: its head alone)."""
        self_url = self.url_of(spec.atom_key if atom else spec.rss_key)
        fg = FeedGenerator()
        fg.load_extension("media")
        if not atom:
            fg.load_extension("dc", atom=False, rss=True)
        fg.id(self_url)
        fg.title(xml_text(spec.title))
        description = xml_text(spec.description or spec.title)
        fg.description(description if atom else as_rss_html(description))
        fg.link(href=self_url, rel="self", type=ATOM_TYPE if atom else RSS_TYPE)
        fg.link(href=spec.page_url, rel="alternate", type="text/html")  # the last link is RSS's <link>
        fg.language(self.site.language)
        fg.generator(GENERATOR)
        fg.author({"name": xml_text(self.site.name), "uri": self.url_of("")})
        fg.updated(_stamp(newest, self.site.tz))
        for entry in entries:
            self._new_entry(fg, entry, atom=atom)
        return bytes(fg.atom_str(pretty=True) if atom else fg.rss_str(pretty=True))

    def _write_entries(self, items: Sequence[Listed], *, atom: bool) -> None:
        """Write these entries in one feed of their own and keep each one's lines (indented as in any feed)."""
        if not items:
            return
        written = self._feed(_ENTRIES_SPEC, SCRATCH_DATE, atom=atom, entries=items)
        tag = b"entry" if atom else b"item"
        opening, closing = b"<" + tag + b">", b"</" + tag + b">\n"
        end = 0
        for item in items:  # in the order written; text holds no "<" (escaped), so no false match
            start = written.rindex(b"\n", 0, written.index(opening, end)) + 1
            end = written.index(closing, start) + len(closing)
            self._entries[(item, atom)] = written[start:end]

    def _new_entry(self, fg: FeedGenerator, item: Listed, *, atom: bool) -> FeedEntry:
        tz = self.site.tz
        details = self._details[item.id]
        url = self.url_of(item.path)
        entry = fg.add_entry(_Entry(), order="append")
        entry.guid(url, permalink=True)
        entry.title(xml_text(item.title))
        entry.link(href=url, rel="alternate", type="text/html")
        if item.summary:
            summary = xml_text(item.summary)
            entry.summary(summary if atom else as_rss_html(summary))
        entry.published(_stamp(item.published, tz))
        entry.updated(_stamp(item.modified, tz))
        names = [xml_text(name) for name in details.authors]
        if atom:
            for name in names:
                entry.author({"name": name})
        else:
            for name in names:
                entry.dc.dc_creator(name)
        for tag in details.tags:
            entry.category(term=tag.slug, label=xml_text(tag.name), scheme=self.tag_scheme)
        if item.image_url:
            image = urljoin(url, item.image_url)
            mime = image_type(image)
            if atom:
                entry.link(href=image, rel="enclosure", **({"type": mime} if mime else {}))
            elif mime:
                entry.enclosure(image, 0, mime)
            content = {"url": image, "medium": "image", "group": None}
            if mime:
                content["type"] = mime
            entry.media.content(content)
        return entry
