"""Sitemaps for search engines: Google News, monthly archives, index pages, the sitemap index, robots.txt.

Called by :class:`newsroom.render.site.SiteRenderer`; every file is built
from the live articles (the store's listing leaves out what is taken down,
scheduled or under embargo) and the time ``now``, never the clock.

- ``sitemap-news.xml``: the articles published in the last :data:`NEWS_WINDOW`
  before ``now`` (at most :data:`NEWS_LIMIT`), with ``news:publication``
  (name, language), ``news:publication_date``, ``news:title`` and
  ``news:keywords`` (the enrichment's keywords). A urlset must hold at least
  one ``<url>`` (the schema says so), so when nothing is that recent it lists
  the home page alone, without news tags, rather than keeping stale articles.
- ``sitemaps/YYYY-MM.xml``: every live article of the month its URL was
  minted in (the key is frozen at first filing, so an article never moves
  between months), with ``lastmod`` and its image.
- ``sitemaps/pages.xml``: home, section and tag index pages; ``lastmod`` is
  the newest ``modified`` among the articles the page shows.
- ``sitemap.xml``: the index of all of them, each with its ``lastmod``;
  ``robots.txt`` points at it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urljoin
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from newsroom.config import Site
from newsroom.models import Listed
from newsroom.render.page import Page
from newsroom.render.reads import SiteReads
from newsroom.render.structured import merge_keywords
from newsroom.render.urls import HOME, section_key, tag_key

NEWS_KEY = "sitemap-news.xml"
INDEX_KEY = "sitemap.xml"
PAGES_KEY = "sitemaps/pages.xml"
ROBOTS_KEY = "robots.txt"
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000
NEWS_KEYWORDS = 10
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LANGUAGE = re.compile(r"zh-cn|zh-tw|[a-z]{2,3}")
_MONTH_PATH = re.compile(r"(\d{4})/(\d{2})/")
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (control characters): lxml and parsers refuse them."""
    return _XML_INVALID.sub("", value)


def uri(url: str) -> str:
    """A URL as sitemaps want it: spaces and non-ASCII characters percent-encoded (existing escapes kept)."""
    return quote(url, safe=_URI_SAFE)


def month_key(month: str) -> str:
    return f"sitemaps/{month}.xml"


def month_of(item: Listed, tz: ZoneInfo) -> str:
    """``YYYY-MM`` of the article's key (``yyyy/mm/dd/slug.html``, frozen at first filing)."""
    match = _MONTH_PATH.match(item.path)
    return f"{match[1]}-{match[2]}" if match else f"{item.published.astimezone(tz):%Y-%m}"


@dataclass(frozen=True)
class News:
    title: str
    published: datetime
    language: str
    keywords: Sequence[str] = ()


@dataclass(frozen=True)
class Url:
    loc: str
    lastmod: datetime | None = None
    image: str | None = None
    news: News | None = None


def _date(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).replace(microsecond=0).isoformat()


def _el(name: str, text: str) -> str:
    return f"<{name}>{escape(xml_text(text))}</{name}>"


def urlset(urls: Sequence[Url], *, publication: str, tz: ZoneInfo) -> bytes:
    """A ``<urlset>`` (with the news and image extensions where an entry has them)."""
    if not urls:
        raise ValueError("a sitemap needs at least one URL")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}" xmlns:image="{IMAGE_NS}">',
    ]
    for url in urls:
        lines.append("  <url>")
        lines.append("    " + _el("loc", uri(url.loc)))
        if url.lastmod is not None:
            lines.append("    " + _el("lastmod", _date(url.lastmod, tz)))
        if url.news is not None:
            news = url.news
            lines += [
                "    <news:news>",
                "      <news:publication>",
                "        " + _el("news:name", publication),
                "        " + _el("news:language", news.language),
                "      </news:publication>",
                "      " + _el("news:publication_date", _date(news.published, tz)),
                "      " + _el("news:title", news.title),
            ]
            if news.keywords:
                lines.append("      " + _el("news:keywords", ", ".join(news.keywords)))
            lines.append("    </news:news>")
        if url.image:
            lines += ["    <image:image>", "      " + _el("image:loc", uri(url.image)), "    </image:image>"]
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_index(entries: Sequence[tuple[str, datetime | None]], tz: ZoneInfo) -> bytes:
    """A ``<sitemapindex>`` of (URL, lastmod) pairs."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for loc, lastmod in entries:
        lines.append("  <sitemap>")
        lines.append("    " + _el("loc", uri(loc)))
        if lastmod is not None:
            lines.append("    " + _el("lastmod", _date(lastmod, tz)))
        lines.append("  </sitemap>")
    lines.append("</sitemapindex>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(index_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {index_url}\n".encode()


def _newest(items: Iterable[Listed]) -> datetime | None:
    return max((item.modified for item in items), default=None)


class SitemapWriter:
    """Builds the sitemap pages from the live articles.

    The whole set (``pages()``) reads every live article once. Some months only
    (``pages(months)``, what an incremental render asks for) reads those months'
    articles and asks the database for the rest (each month's newest ``modified``,
    the news window, the first page of each listing), so that its cost does not
    grow with the archive.
    """

    def __init__(
        self,
        site: Site,
        store: SiteReads,
        now: datetime,
        url_of: Callable[[str], str],
        *,
        sections: Mapping[str, set[str]],
        top_sections: Sequence[str],
        home_block: int,
    ) -> None:
        self.site = site
        self.store = store
        self.now = now
        self.url_of = url_of
        self.sections = sections  # section slug -> the sections it lists (itself and its descendants)
        self.top_sections = top_sections
        self.home_block = home_block
        self._by_month: dict[str, list[Listed]] | None = None
        self._newest: dict[str, datetime | None] | None = None

    def _all_by_month(self) -> dict[str, list[Listed]]:
        """Every live article by month, newest first (one read of the whole archive)."""
        if self._by_month is None:
            by_month: defaultdict[str, list[Listed]] = defaultdict(list)
            for item in self.store.listings.items(self.now):
                by_month[month_of(item, self.site.tz)].append(item)
            self._by_month = dict(by_month)
        return self._by_month

    def months(self) -> dict[str, datetime | None]:
        """Each month with live articles -> the newest ``modified`` among them."""
        if self._newest is None:
            if self._by_month is None:
                by_prefix = self.store.listings.newest_by_path_prefix(self.now, len("yyyy/mm/"))
                if all(_MONTH_PATH.fullmatch(prefix) for prefix in by_prefix):
                    self._newest = {f"{p[:4]}-{p[5:7]}": stamp for p, stamp in by_prefix.items()}
                    return self._newest
            # a path the store did not mint (no yyyy/mm/): month_of goes by the publication date
            self._newest = {month: _newest(items) for month, items in self._all_by_month().items()}
        return self._newest

    def _month(self, month: str) -> list[Listed]:
        if self._by_month is not None:
            return self._by_month.get(month, [])
        return self.store.listings.items(self.now, path_prefix=f"{month[:4]}/{month[5:7]}/")

    def pages(self, months: Iterable[str] | None = None) -> list[Page]:
        """News, pages, the given months (all when None; an empty month has no file), the index, robots.txt."""
        tz = self.site.tz
        if months is None:
            self._all_by_month()
        newest = self.months()
        wanted = sorted(newest if months is None else set(months) & set(newest))

        index_pages = self._index_pages()
        news = self._news() or [Url(self.url_of(HOME), index_pages[0].lastmod)]
        pages = [
            Page(NEWS_KEY, urlset(news, publication=self.site.name, tz=tz), "sitemap"),
            Page(PAGES_KEY, urlset(index_pages, publication=self.site.name, tz=tz), "sitemap"),
        ]
        for month in wanted:
            urls = [self._article_url(item) for item in self._month(month)]
            pages.append(Page(month_key(month), urlset(urls, publication=self.site.name, tz=tz), "sitemap"))

        entries: list[tuple[str, datetime | None]] = [
            (self.url_of(NEWS_KEY), max((u.lastmod for u in news if u.lastmod), default=None)),
            (self.url_of(PAGES_KEY), max((u.lastmod for u in index_pages if u.lastmod), default=None)),
        ]
        entries += [(self.url_of(month_key(m)), newest[m]) for m in sorted(newest, reverse=True)]
        pages.append(Page(INDEX_KEY, sitemap_index(entries, tz), "sitemap"))
        pages.append(Page(ROBOTS_KEY, robots_txt(self.url_of(INDEX_KEY)), "sitemap"))
        return pages

    def _article_url(self, item: Listed, news: News | None = None) -> Url:
        loc = self.url_of(item.path)
        image = urljoin(loc, item.image_url) if item.image_url else None
        return Url(loc, item.modified, image, news)

    def _news(self) -> list[Url]:
        recent = self.store.listings.items(self.now, since=self.now - NEWS_WINDOW, limit=NEWS_LIMIT)
        enrichment = self.store.enrichments.of(item.id for item in recent)
        urls = []
        for item in recent:
            found = enrichment.get(item.id, {})
            language = str(found.get("language") or "")
            news = News(
                title=item.title,
                published=item.published,
                language=language if _LANGUAGE.fullmatch(language) else self.site.language,
                keywords=merge_keywords(found.get("keywords") or (), limit=NEWS_KEYWORDS),
            )
            urls.append(self._article_url(item, news))
        return urls

    def _index_pages(self) -> list[Url]:
        """Home, then each section, then each tag in use; lastmod = newest ``modified`` among what each shows."""
        size = self.site.page_size
        by_section = {  # each listing's first page
            slug: self.store.listings.items(self.now, sections=sorted(members), limit=size)
            for slug, members in self.sections.items()
        }
        home = self.store.listings.items(self.now, limit=self.site.home_size)
        for slug in self.top_sections:
            home += by_section[slug][: self.home_block]
        urls = [Url(self.url_of(HOME), _newest(home))]
        urls += [Url(self.url_of(section_key(slug)), _newest(items)) for slug, items in by_section.items()]
        by_tag = self.store.listings.tag_first_page_lastmod(self.now, size)
        urls += [Url(self.url_of(tag_key(slug)), by_tag[slug]) for slug in sorted(by_tag)]
        return urls
