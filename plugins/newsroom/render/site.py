"""Build the site's pages from the store: articles, home, section and tag listings.

:class:`SiteRenderer` turns state into :class:`Page` values (key, bytes,
kind); it never writes files or talks to the bucket. ``plan`` gives the pages
a set of changed articles touches (their pages, pages that link to them as
related, their listings from the first page they sit on, and home);
``everything`` gives the whole site. Output depends only on the state and
``now`` (for visibility), never on the wall clock, so the same state renders
byte-identical pages.

Feeds (:mod:`newsroom.render.feeds`), sitemaps (:mod:`newsroom.render.sitemaps`)
and each page's structured data and cards (:mod:`newsroom.render.structured`)
are built in their own modules from what is gathered here.

Listings paginate from the oldest article: page 1 holds the oldest
``page_size`` articles and never changes when new ones arrive, so a filing
re-renders the index and the newest page or two, not the whole archive.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newsroom.config import NewsroomConfig, Section
from newsroom.countries import country_of
from newsroom.models import Article, Listed, Tag
from newsroom.render.environment import get_template, make_environment
from newsroom.render.feeds import FEED_SIZE, RSS_NAME, FeedSpec, FeedWriter, feed_links
from newsroom.render.page import Page
from newsroom.render.sitemaps import SitemapWriter, month_key, month_of
from newsroom.render.structured import Head, article_head, home_head, listing_head
from newsroom.render.urls import HOME, Urls, safe_key, section_key, tag_key
from newsroom.store import Store

HOME_BLOCK = 4  # articles per section block on the home page
ARTICLES_PER_UNIT = 250  # article pages per unit of work (SiteRenderer.units)
Unit = tuple[str, Any]  # ("static" | "articles" | "section" | "tag" | "site", its argument)

__all__ = ["Page", "SiteRenderer"]


@dataclass(frozen=True)
class Pager:
    label: str = ""
    newer_url: str | None = None
    older_url: str | None = None


@dataclass
class Listing:
    """One paginated listing: a section (with its children) or a tag."""

    kind: str
    slug: str
    heading: str
    description: str = ""
    crumbs: list[dict[str, Any]] = field(default_factory=list)

    def key(self, page: int | None = None) -> str:
        return section_key(self.slug, page) if self.kind == "section" else tag_key(self.slug, page)


def _chunk_bounds(total: int, size: int) -> int:
    return (total + size - 1) // size


class SiteRenderer:
    def __init__(self, config: NewsroomConfig, store: Store, now: datetime) -> None:
        self.config = config
        self.site = config.site
        self.store = store
        self.now = now
        self.urls = Urls(config)
        self.env = make_environment(config.templates_path, timezone=config.site.timezone, locale=config.site.locale)
        static = config.templates_path.parent / "static"
        self._stylesheet = _static_file(static / "style.css")
        self._logo, self.logo_url = self._site_logo(static)
        self._tag_names: dict[str, str] = {}
        self._redirects: dict[str, str] | None = None
        # section slug -> the sections its listing shows (itself and its descendants)
        self._members = {
            s.slug: {m.slug for m in config.sections if s.slug in {c.slug for c in self._section_chain(m.slug)}}
            for s in config.sections
        }
        self.feeds = FeedWriter(self.site, store, self.url_of)
        self.sitemaps = SitemapWriter(
            self.site,
            store,
            now,
            self.url_of,
            sections=self._members,
            top_sections=[s.slug for s in config.sections if s.parent is None],
            home_block=HOME_BLOCK,
        )

    # -- shared context -------------------------------------------------------
    def _site_logo(self, static: Path) -> tuple[Page | None, str | None]:
        """``site.logo``: an absolute URL as is, or a file of the static folder (include/static/) published there."""
        logo = self.site.logo
        if not logo:
            return None, None
        if re.match(r"^https?://", logo):
            return None, logo
        path = static / logo
        if not path.is_file():
            raise FileNotFoundError(f"site.logo: {path} does not exist (expected a file of {static}, e.g. logo.svg)")
        page = _static_file(path)
        return page, self.url_of(page.key)

    def static_pages(self) -> list[Page]:
        return [self._stylesheet] + ([self._logo] if self._logo else [])

    def url_of(self, key: str) -> str:
        return self.urls.url(key)

    def _nav(self, current: str | None) -> list[dict[str, Any]]:
        return [
            {"name": s.name, "url": self.url_of(section_key(s.slug)), "current": s.slug == current}
            for s in self.config.sections
            if s.parent is None
        ]

    def _base(
        self,
        key: str,
        current_section: str | None = None,
        *,
        feeds: Sequence[FeedSpec] = (),
        head: Head | None = None,
    ) -> dict[str, Any]:
        head = head or Head()
        return {
            "site": self.site,
            "canonical": self.url_of(key),
            "home_url": self.url_of(HOME),
            "stylesheet": self.url_of(self._stylesheet.key),
            "nav": self._nav(current_section),
            "url_of": self.url_of,
            "feeds": [link for spec in (*feeds, self.site_feed) for link in feed_links(spec, self.url_of)],
            "meta": head.meta,
            "json_ld": head.json_ld,
        }

    def _section_chain(self, slug: str) -> list[Section]:
        chain: list[Section] = []
        current: str | None = slug
        while current is not None and len(chain) < 8:
            section = self.config.section(current)
            chain.insert(0, section)
            current = section.parent
        return chain

    def _crumbs(self, section_slug: str, last_is_page: bool) -> list[dict[str, Any]]:
        crumbs: list[dict[str, Any]] = [{"name": "Accueil", "url": self.url_of(HOME)}]
        chain = self._section_chain(section_slug)
        for index, section in enumerate(chain):
            is_last = index == len(chain) - 1
            url = None if (is_last and last_is_page) else self.url_of(section_key(section.slug))
            crumbs.append({"name": section.name, "url": url})
        return crumbs

    def _render(self, template: str, context: dict[str, Any]) -> bytes:
        text: str = get_template(self.env, template).render(context)
        return text.encode("utf-8")

    # -- feeds ----------------------------------------------------------------
    @property
    def site_feed(self) -> FeedSpec:
        return FeedSpec("", self.site.name, self.site.description or self.site.name, self.url_of(HOME))

    def feed_spec(self, listing: Listing) -> FeedSpec:
        prefix = f"{listing.slug}/" if listing.kind == "section" else f"tag/{listing.slug}/"
        title = f"{listing.heading} – {self.site.name}"
        return FeedSpec(prefix, title, self._listing_description(listing), self._index_url(listing))

    def _listing_description(self, listing: Listing) -> str:
        return listing.description or f"{listing.heading} : les derniers articles de {self.site.name}"

    def site_feed_pages(self) -> list[Page]:
        return self.feeds.pages(self.site_feed, self.store.listings.items(self.now, limit=FEED_SIZE))

    # -- article pages --------------------------------------------------------
    def article_page(
        self,
        article: Article,
        path: str,
        published: datetime,
        modified: datetime,
        tags: Sequence[Tag],
        related: Sequence[Listed],
        follow_ups: Sequence[Listed] = (),
        *,
        sidebar: Sequence[Listed] = (),
        keywords: Sequence[str] = (),
        language: str | None = None,
    ) -> Page:
        key = safe_key(path)
        canonical = self.url_of(key)
        head = article_head(
            self.site,
            article,
            canonical=canonical,
            published=published,
            modified=modified,
            section_name=self.config.section(article.section).name,
            tag_names=[t.name for t in tags],
            keywords=keywords,
            language=language or article.language,
            home_url=self.url_of(HOME),
            logo_url=self.logo_url,
        )
        section_feed = self.feed_spec(self.section_listing(article.section))
        context = self._base(key, self._section_chain(article.section)[0].slug, feeds=[section_feed], head=head)
        context.update(
            article=article,
            published=published,
            modified=modified,
            crumbs=self._crumbs(article.section, last_is_page=False),
            tags=[{"name": t.name, "url": self.url_of(tag_key(t.slug))} for t in tags],
            related=list(related),
            follow_ups=list(follow_ups),
            sidebar=self._sidebar(article, tags, sidebar),
        )
        return Page(key, self._render("article.html", context), "article", article.id)

    def _sidebar(self, article: Article, tags: Sequence[Tag], items: Sequence[Listed]) -> dict[str, Any] | None:
        """The latest news of the article's country (or section): heading, its listing's URL, items."""
        if not items:
            return None
        country = country_of(tags)
        if country is not None:
            return {"name": country.name, "url": self.url_of(tag_key(country.slug)), "entries": list(items)}
        section = self.config.section(article.section)
        return {"name": section.name, "url": self.url_of(section_key(section.slug)), "entries": list(items)}

    def article_pages(self, ids: Iterable[str]) -> Iterator[Page]:
        wanted = sorted(self.store.articles.live_ids(ids, self.now))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.store.articles.records(chunk)
            tags = self.store.enrichments.tags_of(chunk)
            enrichment = self.store.enrichments.of(chunk)
            related_ids = self.store.related.of(chunk)
            newer_ids = self.store.related.newer_relating(chunk, self.now)
            sidebar_ids = self.store.related.sidebar_of(chunk)
            linked = {r for ids_ in (*related_ids.values(), *newer_ids.values(), *sidebar_ids.values()) for r in ids_}
            linked_rows = self.store.listings.listed(self.store.articles.live_ids(linked, self.now))
            for article_id in chunk:
                row = rows[article_id]
                related = [linked_rows[r] for r in related_ids[article_id] if r in linked_rows]
                newer = [linked_rows[r] for r in newer_ids[article_id] if r in linked_rows]
                sidebar = [linked_rows[r] for r in sidebar_ids[article_id] if r in linked_rows]
                article = row.article
                found = enrichment.get(article_id, {})
                yield self.article_page(
                    article,
                    row.path,
                    row.published,
                    row.modified,
                    tags[article_id],
                    related,
                    newer,
                    sidebar=sidebar,
                    keywords=found.get("keywords") or (),
                    language=found.get("language") or None,
                )

    # -- listings -------------------------------------------------------------
    def section_listing(self, slug: str) -> Listing:
        section = self.config.section(slug)
        return Listing("section", slug, section.name, section.description, self._crumbs(slug, last_is_page=True))

    def tag_listing(self, slug: str) -> Listing:
        name = self._tag_names.get(slug) or self.store.enrichments.tag_names([slug]).get(slug, slug)
        crumbs: list[dict[str, Any]] = [{"name": "Accueil", "url": self.url_of(HOME)}, {"name": name, "url": None}]
        return Listing("tag", slug, name, f"Tous les articles : {name}", crumbs)

    def moved_tag_pages(self, slug: str) -> Iterator[Page]:
        """A merged tag's old URLs: its index and every page of it ever published lead to the target,
        and its feeds list the target's articles (readers subscribed to it keep getting them)."""
        target = self.tag_listing(self.redirects[slug])
        url = self.url_of(target.key())
        keys = {tag_key(slug), *self.store.objects.keys_with_prefix(prefix=f"tag/{slug}/page/")}
        for key in sorted(keys):
            context = self._base(key, head=None)
            context.update(heading=target.heading, target=url, canonical=url)
            yield Page(safe_key(key), self._render("redirect.html", context), "tag")
        spec = FeedSpec(f"tag/{slug}/", f"{target.heading} – {self.site.name}", self._listing_description(target), url)
        yield from self.feeds.pages(spec, self.store.listings.items(self.now, tag=target.slug, limit=FEED_SIZE))

    def _index_url(self, listing: Listing) -> str:
        return self.url_of(listing.key())

    def _items(self, listing: Listing, limit: int | None = None) -> list[Listed]:
        if listing.kind == "section":
            return self.store.listings.items(self.now, sections=sorted(self._members[listing.slug]), limit=limit)
        return self.store.listings.items(self.now, tag=listing.slug, limit=limit)

    def _item_ids(self, listing: Listing) -> list[str]:
        if listing.kind == "section":
            return self.store.listings.ids(self.now, sections=sorted(self._members[listing.slug]))
        return self.store.listings.ids(self.now, tag=listing.slug)

    @property
    def redirects(self) -> dict[str, str]:
        """Tags merged (or renamed) by review: old slug -> the slug whose listing its URLs lead to."""
        if self._redirects is None:
            self._redirects = self.store.registry.redirects()
        return self._redirects

    def listing_with_feeds(self, listing: Listing, changed: set[str] | None = None) -> Iterator[Page]:
        """A listing's pages (see :meth:`listing_pages`) and its RSS and Atom feeds, from one read of it."""
        if listing.kind == "tag" and listing.slug in self.redirects:
            yield from self.moved_tag_pages(listing.slug)
            return
        total, first, newest = self._window(listing, changed)
        yield from self.listing_pages(listing, total, first, newest)
        yield from self.feeds.pages(self.feed_spec(listing), newest)

    def _window(self, listing: Listing, changed: set[str] | None) -> tuple[int, int, list[Listed]]:
        """(articles listed, first numbered page to render, the newest articles those pages and the feed show).

        Pages are numbered oldest first, so an article added to a listing changes its
        index page and its last pages only. With ``changed``, the listing's ids alone are
        read, then the rows of the pages from the one the oldest changed article sits on
        (and the page before it: when it was the last page its "newer" link went to the
        index). If no changed article is here, one left the listing and every page after
        it shifted: all pages. Without ``changed``, all pages.
        """
        if changed is not None:
            ids = self._item_ids(listing)  # newest first
            total, size = len(ids), self.site.page_size
            pages = _chunk_bounds(total, size) if total > size else 0
            first = 1
            if pages:
                positions = [i for i, item_id in enumerate(reversed(ids)) if item_id in changed]
                first = min(positions) // size + 1 if positions else 1
                first = max(1, min(first, pages) - 1)
            wanted = ids[: max(size, FEED_SIZE, total - (first - 1) * size)]
            rows = self.store.listings.listed(wanted)
            if len(rows) == len(wanted):
                return total, first, [rows[i] for i in wanted]
            # else one went away between the two reads: read the listing whole
        items = self._items(listing)
        return len(items), 1, items

    def listing_pages(self, listing: Listing, total: int, first: int, newest: Sequence[Listed]) -> Iterator[Page]:
        """The index page and the numbered pages (oldest first) from ``first``; ``newest``: the newest
        articles of the listing, newest first, at least down to page ``first``'s (see :meth:`_window`)."""
        size = self.site.page_size
        pages = _chunk_bounds(total, size) if total > size else 0
        base_kind = listing.kind
        older = self.url_of(listing.key(pages)) if pages else None
        yield self._listing_page(listing, listing.key(), newest[:size], Pager("", None, older), base_kind)
        for number in range(first, pages + 1):
            # chronological positions [(number - 1) * size, number * size), counted from the newest
            page_items = newest[max(0, total - number * size) : total - (number - 1) * size]
            newer = self.url_of(listing.key(number + 1) if number < pages else listing.key())
            older_url = self.url_of(listing.key(number - 1)) if number > 1 else None
            # No "of N" in the label: a numbered page stays byte-identical once full,
            # however many pages come after it (stable pagination).
            pager = Pager(f"Page {number}", newer, older_url)
            yield self._listing_page(listing, listing.key(number), page_items, pager, base_kind)

    def _listing_page(self, listing: Listing, key: str, items: Sequence[Listed], pager: Pager, kind: str) -> Page:
        current = self._section_chain(listing.slug)[0].slug if listing.kind == "section" else None
        heading = f"{listing.heading} – {pager.label}" if pager.label else listing.heading
        description = self._listing_description(listing)
        head = listing_head(
            self.site,
            heading=heading,
            description=description,
            canonical=self.url_of(key),
            index_url=self._index_url(listing),
            crumbs=listing.crumbs,
            items=items,
            url_of=self.url_of,
            home_url=self.url_of(HOME),
        )
        context = self._base(key, current, feeds=[self.feed_spec(listing)], head=head)
        context.update(
            heading=listing.heading,
            description=description,
            crumbs=listing.crumbs,
            items=list(items),
            pager=pager,
        )
        return Page(safe_key(key), self._render("listing.html", context), kind)

    def home_page(self) -> Page:
        head = home_head(self.site, home_url=self.url_of(HOME), logo_url=self.logo_url)
        context = self._base(HOME, head=head)
        top = self.store.listings.items(self.now, limit=self.site.home_size)
        blocks = []
        for section in self.config.sections:
            if section.parent is not None:
                continue
            items = self._items(self.section_listing(section.slug), limit=HOME_BLOCK)
            if items:
                blocks.append(
                    {
                        "slug": section.slug,
                        "name": section.name,
                        "url": self.url_of(section_key(section.slug)),
                        "items": items,
                    }
                )
        context.update(top=top, blocks=blocks)
        return Page(HOME, self._render("home.html", context), "home")

    # -- what to render -------------------------------------------------------
    def plan(
        self, changed_ids: Sequence[str], extra_tags: Iterable[str] = (), *, own_pages: bool = True
    ) -> Iterator[Page]:
        """Pages touched by changed articles: theirs, those relating to them, listings and their feeds,
        the site's feeds, the sitemaps that list them, home.

        ``own_pages=False`` leaves out the changed articles' own pages (a backfill's
        batches have published them) except those another changed article relates
        to: its batch ran later and changed their "Sur le même sujet".
        """
        changed = set(changed_ids)
        rows = self.store.articles.records(changed)
        tags = self.store.enrichments.tags_of(changed)
        # pages listing a changed article as related, and (bounded: 5 each) the pages
        # a changed article relates to, whose "Sur le même sujet" shows it
        targets = {r for ids_ in self.store.related.of(changed, story_only=True).values() for r in ids_}
        linking = self.store.related.relating_to(changed) | targets
        own = changed if own_pages else changed & targets
        yield from self.static_pages()
        yield from self.article_pages(sorted(own | (linking - changed)))
        sections: set[str] = set()
        for row in rows.values():
            sections.update(s.slug for s in self._section_chain(row.section))
        # Every section the navigation links to must exist, even while empty, and so must its feed.
        index_keys = {section_key(s): s for s in self.config.section_slugs}
        index_keys.update({f"{s}/{RSS_NAME}": s for s in self.config.section_slugs})
        published = self.store.objects.get(index_keys)
        sections.update(slug for key, slug in index_keys.items() if key not in published)
        for slug in sorted(sections):
            yield from self.listing_with_feeds(self.section_listing(slug), changed)
        # The tags of the changed articles (now and before), and any tag in use whose feed was never published.
        tag_slugs = {t.slug for ts in tags.values() for t in ts} | set(extra_tags)
        tag_feeds = {f"tag/{slug}/{RSS_NAME}": slug for slug in self.store.enrichments.tag_slugs()}
        done = self.store.objects.get(tag_feeds)
        tag_slugs.update(
            self.store.enrichments.tags_in_use(self.now, among=[s for k, s in tag_feeds.items() if k not in done])
        )
        self._tag_names.update(self.store.enrichments.tag_names(sorted(tag_slugs - self._tag_names.keys())))
        for slug in sorted(tag_slugs):
            yield from self.listing_with_feeds(self.tag_listing(slug), changed)
        yield from self.site_feed_pages()
        # The current month, the months of the changed articles, and any month never published yet.
        tz = self.site.tz
        months = {f"{self.now.astimezone(tz):%Y-%m}"} | {month_of(_listed(row), tz) for row in rows.values()}
        all_months = set(self.sitemaps.months())
        done = self.store.objects.get(month_key(m) for m in all_months)
        months |= {m for m in all_months if month_key(m) not in done}
        yield from self.sitemaps.pages(months)
        yield self.home_page()

    def preload_tag_names(self) -> list[str]:
        """The tags in use, their names read in one query (not one per tag page)."""
        tags = self.store.enrichments.tags_in_use(self.now)
        self._tag_names.update(self.store.enrichments.tag_names(tags))
        return tags

    def units(self) -> list[Unit]:
        """The whole site as independent pieces of work, in order: the static files, chunks of
        article pages, each section's and each tag's listing with its feeds, then the site's feeds,
        the sitemaps and home. :meth:`everything` renders them in turn; ``render.parallel``
        spreads them over processes."""
        ids = self.store.articles.all_ids()
        size = ARTICLES_PER_UNIT
        return [
            ("static", None),
            *[("articles", ids[i : i + size]) for i in range(0, len(ids), size)],
            *[("section", s.slug) for s in self.config.sections],
            *[("tag", slug) for slug in sorted({*self.preload_tag_names(), *self.redirects})],
            ("site", None),
        ]

    def unit_pages(self, unit: Unit) -> Iterator[Page]:
        kind, arg = unit
        if kind == "static":
            yield from self.static_pages()
        elif kind == "articles":
            yield from self.article_pages(arg)
        elif kind == "section":
            yield from self.listing_with_feeds(self.section_listing(arg))
        elif kind == "tag":
            yield from self.listing_with_feeds(self.tag_listing(arg))
        else:
            yield from self.site_feed_pages()
            yield from self.sitemaps.pages()
            yield self.home_page()

    def everything(self) -> Iterator[Page]:
        for unit in self.units():
            yield from self.unit_pages(unit)


def _static_file(path: Path) -> Page:
    """A static file published under static/ with its content's fingerprint in the name (cached for a year)."""
    body = path.read_bytes()
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()[:10]
    return Page(f"static/{path.stem}.{digest}{path.suffix}", body, "static")


def _listed(row: Any) -> Listed:
    return Listed(
        row.id, row.title, row.path, row.section, row.published, row.modified, row.summary, row.image_url, row.image_alt
    )
