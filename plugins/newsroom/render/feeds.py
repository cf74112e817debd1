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
  the same bytes. An empty feed is dated :data:`EMPTY_FEED_DATE`.
"""

from __future__ import annotations

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
from newsroom.render.page import Page
from newsroom.render.sitemaps import xml_text
from newsroom.store import Listed, Store, Tag

FEED_SIZE = 50
ENTRY_CACHE_SIZE = 20_000  # built entries a writer keeps (a whole-site render meets each article a few times)
RSS_NAME = "feed.xml"
ATOM_NAME = "atom.xml"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
GENERATOR = "newsroom"
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)
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


def _stamp(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz).replace(microsecond=0)


class FeedWriter:
    """Builds feed pages; authors and tags of the articles are read in batches and remembered for the run."""

    def __init__(self, site: Site, store: Store, url_of: Callable[[str], str]) -> None:
        self.site = site
        self.store = store
        self.url_of = url_of
        self.tag_scheme = url_of("tag/")
        self._details: dict[str, _Details] = {}
        # Built entries by (item, atom): one article is in the site's, its section's and each of its
        # tags' feeds, and feedgen takes a third of a feed's time building them (the XML is still
        # written per feed). feedgen lets one entry join several feeds; its extensions stay loaded.
        self._entries: dict[tuple[Listed, bool], FeedEntry] = {}

    def _load(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self._details})
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            rows = self.store.rows(chunk)
            tags = self.store.tags_of(chunk)
            for article_id in chunk:
                row = rows.get(article_id)
                authors = tuple(str(a) for a in row.data.get("authors") or ()) if row is not None else ()
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
        tz = self.site.tz
        self_url = self.url_of(spec.atom_key if atom else spec.rss_key)
        fg = FeedGenerator()
        fg.load_extension("media")
        if not atom:
            fg.load_extension("dc", atom=False, rss=True)
        fg.id(self_url)
        fg.title(xml_text(spec.title))
        fg.description(xml_text(spec.description or spec.title))
        fg.link(href=self_url, rel="self", type=ATOM_TYPE if atom else RSS_TYPE)
        fg.link(href=spec.page_url, rel="alternate", type="text/html")  # the last link is RSS's <link>
        fg.language(self.site.language)
        fg.generator(GENERATOR)
        fg.author({"name": xml_text(self.site.name), "uri": self.url_of("")})
        newest = max((item.modified for item in items), default=EMPTY_FEED_DATE)
        fg.updated(_stamp(newest, tz))
        for item in items:
            self._entry(fg, item, atom=atom)
        body = fg.atom_str(pretty=True) if atom else fg.rss_str(pretty=True)
        return bytes(body)

    def _entry(self, fg: FeedGenerator, item: Listed, *, atom: bool) -> None:
        entry = self._entries.get((item, atom))
        if entry is not None:
            fg.add_entry(entry, order="append")
            return
        if len(self._entries) >= ENTRY_CACHE_SIZE:
            self._entries.clear()
        self._entries[(item, atom)] = self._new_entry(fg, item, atom=atom)

    def _new_entry(self, fg: FeedGenerator, item: Listed, *, atom: bool) -> FeedEntry:
        tz = self.site.tz
        details = self._details[item.id]
        url = self.url_of(item.path)
        entry = fg.add_entry(_Entry(), order="append")
        entry.guid(url, permalink=True)
        entry.title(xml_text(item.title))
        entry.link(href=url, rel="alternate", type="text/html")
        if item.summary:
            entry.summary(xml_text(item.summary))
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
