"""Build the site's pages from the store: articles, home, section and tag listings.

:class:`SiteRenderer` turns state into :class:`Page` values (key, bytes,
kind); it never writes files, talks to the bucket or writes to the store: it
reads through :class:`newsroom.render.reads.SiteReads`. ``plan`` gives the pages
a set of changed articles touches; ``everything`` gives the whole site. Output
depends only on the state and ``now`` (for visibility), never on the wall
clock, so the same state renders byte-identical pages.

It puts together the modules that do the work, one each:

- ``render.context``: what every page shares (URLs, environment, navigation, head);
- ``render.articles``: article pages;
- ``render.pagination``: listings (sections, tags), their pages and feeds;
- ``render.home``: the home page;
- ``render.planner``: what a change touches, and the whole site as units of work.

Feeds (:mod:`newsroom.render.feeds`), sitemaps (:mod:`newsroom.render.sitemaps`)
and each page's structured data and cards (:mod:`newsroom.render.structured`)
are built in their own modules from what is gathered here.

Called by the render, backfill and digest tasks, the preview and ``render.parallel``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from newsroom.config import NewsroomConfig
from newsroom.models import Article, Listed, Tag
from newsroom.render.articles import ArticlePages
from newsroom.render.context import Listing, PageContext
from newsroom.render.feeds import FeedSpec, FeedWriter
from newsroom.render.home import HOME_BLOCK, home_page
from newsroom.render.page import Page
from newsroom.render.pagination import ListingPages, Pager
from newsroom.render.planner import ARTICLES_PER_UNIT, Planner, Unit
from newsroom.render.reads import SiteReads
from newsroom.render.sitemaps import SitemapWriter
from newsroom.render.structured import Head

__all__ = ["ARTICLES_PER_UNIT", "HOME_BLOCK", "Listing", "Page", "Pager", "SiteRenderer", "Unit"]


class SiteRenderer:
    def __init__(self, config: NewsroomConfig, store: SiteReads, now: datetime) -> None:
        self.config = config
        self.site = config.site
        self.store = store
        self.now = now
        self.context = PageContext(config, store, now)
        self.urls = self.context.urls
        self.env = self.context.env
        self.logo_url = self.context.logo_url
        self.feeds = FeedWriter(self.site, store, self.url_of, now)
        self.sitemaps = SitemapWriter(
            self.site,
            store,
            now,
            self.url_of,
            sections=self.context.members,
            top_sections=[s.slug for s in config.sections if s.parent is None],
            home_block=HOME_BLOCK,
        )
        self.articles = ArticlePages(self.context)
        self.listings = ListingPages(self.context, self.feeds)
        self.planner = Planner(self.context, self.articles, self.listings, self.sitemaps)

    # -- shared context -------------------------------------------------------
    def url_of(self, key: str) -> str:
        return self.context.url_of(key)

    def static_pages(self) -> list[Page]:
        return self.context.static_pages()

    def base_context(
        self, key: str, current_section: str | None = None, *, feeds: Sequence[FeedSpec] = (), head: Head | None = None
    ) -> dict[str, Any]:
        """The template context every page starts from (the digest's pages start from it too)."""
        return self.context.base(key, current_section, feeds=feeds, head=head)

    @property
    def site_feed(self) -> FeedSpec:
        return self.context.site_feed

    def feed_spec(self, listing: Listing) -> FeedSpec:
        return self.context.feed_spec(listing)

    def section_listing(self, slug: str) -> Listing:
        return self.context.section_listing(slug)

    def tag_listing(self, slug: str) -> Listing:
        return self.context.tag_listing(slug)

    def preload_tag_names(self) -> list[str]:
        return self.context.preload_tag_names()

    # -- pages ----------------------------------------------------------------
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
        return self.articles.page(
            article,
            path,
            published,
            modified,
            tags,
            related,
            follow_ups,
            sidebar=sidebar,
            keywords=keywords,
            language=language,
        )

    def article_pages(self, ids: Iterable[str]) -> Iterator[Page]:
        return self.articles.pages(ids)

    @property
    def redirects(self) -> dict[str, str]:
        return self.listings.redirects

    def listing_with_feeds(self, listing: Listing, changed: set[str] | None = None) -> Iterator[Page]:
        return self.listings.with_feeds(listing, changed)

    def site_feed_pages(self) -> list[Page]:
        return self.listings.site_feed_pages()

    def home_page(self) -> Page:
        return home_page(self.context, self.listings)

    # -- what to render -------------------------------------------------------
    def plan(
        self, changed_ids: Sequence[str], extra_tags: Iterable[str] = (), *, own_pages: bool = True
    ) -> Iterator[Page]:
        """Pages touched by changed articles (see :meth:`newsroom.render.planner.Planner.plan`)."""
        return self.planner.plan(changed_ids, extra_tags, own_pages=own_pages)

    def plan_stages(
        self, changed_ids: Sequence[str], extra_tags: Iterable[str] = (), *, own_pages: bool = True
    ) -> list[list[Unit]]:
        """:meth:`plan` as units of work, in stages (see :meth:`newsroom.render.planner.Planner.plan_stages`)."""
        return self.planner.plan_stages(changed_ids, extra_tags, own_pages=own_pages)

    def removed(self, changed_ids: Sequence[str] | None, extra_tags: Iterable[str] = ()) -> list[str]:
        """Published tag pages and feeds to delete (see :meth:`newsroom.render.planner.Planner.removed`)."""
        return self.planner.removed(changed_ids, extra_tags)

    def units(self) -> list[Unit]:
        return self.planner.units()

    def unit_pages(self, unit: Unit, changed: set[str] | None = None) -> Iterator[Page]:
        return self.planner.unit_pages(unit, changed)

    def everything(self) -> Iterator[Page]:
        for unit in self.units():
            yield from self.unit_pages(unit)
