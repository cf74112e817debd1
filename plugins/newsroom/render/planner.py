"""What to render: the pages a change touches (:meth:`Planner.plan`), or the whole site as units of work.

A changed article touches its page, the pages that show it as related (and
those it relates to, whose "Sur le même sujet" shows it), its sections' and
tags' listings from the first page it sits on, the site's feeds, its month's
sitemap and home; and any index, feed or sitemap never published yet is
rendered then. Called by ``SiteRenderer.plan``, ``.units`` and ``.everything``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from newsroom.render.articles import ArticlePages
from newsroom.render.context import PageContext
from newsroom.render.feeds import RSS_NAME
from newsroom.render.home import home_page
from newsroom.render.page import Page
from newsroom.render.pagination import ListingPages
from newsroom.render.sitemaps import SitemapWriter, month_key, month_of
from newsroom.render.urls import section_key

ARTICLES_PER_UNIT = 250  # article pages per unit of work (Planner.units)
Unit = tuple[str, Any]  # ("static" | "articles" | "section" | "tag" | "site", its argument)


class Planner:
    def __init__(
        self, context: PageContext, articles: ArticlePages, listings: ListingPages, sitemaps: SitemapWriter
    ) -> None:
        self.context = context
        self.reads = context.reads
        self.articles = articles
        self.listings = listings
        self.sitemaps = sitemaps

    def plan(
        self, changed_ids: Sequence[str], extra_tags: Iterable[str] = (), *, own_pages: bool = True
    ) -> Iterator[Page]:
        """Pages touched by changed articles: theirs, those relating to them, listings and their feeds,
        the site's feeds, the sitemaps that list them, home.

        ``own_pages=False`` leaves out the changed articles' own pages (a backfill's
        batches have published them) except those another changed article relates
        to: its batch ran later and changed their "Sur le même sujet".
        """
        ctx, reads, now = self.context, self.reads, self.context.now
        changed = set(changed_ids)
        rows = reads.articles.records(changed)
        tags = reads.enrichments.tags_of(changed)
        # pages listing a changed article as related, and (bounded: 5 each) the pages
        # a changed article relates to, whose "Sur le même sujet" shows it
        targets = {r for ids_ in reads.related.of(changed, story_only=True).values() for r in ids_}
        linking = reads.related.relating_to(changed) | targets
        own = changed if own_pages else changed & targets
        yield from ctx.static_pages()
        yield from self.articles.pages(sorted(own | (linking - changed)))
        sections: set[str] = set()
        for row in rows.values():
            sections.update(s.slug for s in ctx.section_chain(row.section))
        # Every section the navigation links to must exist, even while empty, and so must its feed.
        index_keys = {section_key(s): s for s in ctx.config.section_slugs}
        index_keys.update({f"{s}/{RSS_NAME}": s for s in ctx.config.section_slugs})
        published = reads.objects.get(index_keys)
        sections.update(slug for key, slug in index_keys.items() if key not in published)
        for slug in sorted(sections):
            yield from self.listings.with_feeds(ctx.section_listing(slug), changed)
        # The tags of the changed articles (now and before), and any tag in use whose feed was never published.
        tag_slugs = {t.slug for ts in tags.values() for t in ts} | set(extra_tags)
        tag_feeds = {f"tag/{slug}/{RSS_NAME}": slug for slug in reads.enrichments.tag_slugs()}
        done = reads.objects.get(tag_feeds)
        tag_slugs.update(reads.enrichments.tags_in_use(now, among=[s for k, s in tag_feeds.items() if k not in done]))
        ctx.tag_names.update(reads.enrichments.tag_names(sorted(tag_slugs - ctx.tag_names.keys())))
        for slug in sorted(tag_slugs):
            yield from self.listings.with_feeds(ctx.tag_listing(slug), changed)
        yield from self.listings.site_feed_pages()
        # The current month, the months of the changed articles, and any month never published yet.
        tz = ctx.site.tz
        months = {f"{now.astimezone(tz):%Y-%m}"} | {month_of(row.listed, tz) for row in rows.values()}
        all_months = set(self.sitemaps.months())
        done = reads.objects.get(month_key(m) for m in all_months)
        months |= {m for m in all_months if month_key(m) not in done}
        yield from self.sitemaps.pages(months)
        yield home_page(ctx, self.listings)

    def removed(self, changed_ids: Sequence[str] | None, extra_tags: Iterable[str] = ()) -> list[str]:
        """The published keys of tag listings no live article carries any more (index, numbered pages,
        feeds), to delete: among the tags of the changed articles (now and before, ``extra_tags``), or,
        with ``None`` (the whole site), among every tag published. A merged tag's redirects stay.

        Their pages are not rendered (:meth:`ListingPages.with_feeds`): a takedown that leaves a tag
        with no article deletes its page and feeds, and the sitemap stops listing it; a restore, or a
        new article with the tag, publishes them again.
        """
        reads = self.reads
        if changed_ids is None:
            slugs = {key.split("/")[1] for key in reads.objects.keys_with_prefix(prefix="tag/")}
        else:
            slugs = {t.slug for ts in reads.enrichments.tags_of(changed_ids).values() for t in ts}
        slugs |= set(extra_tags)
        empty = slugs - set(reads.enrichments.tags_in_use(self.context.now, among=sorted(slugs)))
        empty -= self.listings.redirects.keys()
        return [key for slug in sorted(empty) for key in reads.objects.keys_with_prefix(prefix=f"tag/{slug}/")]

    def units(self) -> list[Unit]:
        """The whole site as independent pieces of work, in order: the static files, chunks of
        article pages, each section's and each tag's listing with its feeds, then the site's feeds,
        the sitemaps and home. ``SiteRenderer.everything`` renders them in turn; ``render.parallel``
        spreads them over processes."""
        ids = self.reads.articles.all_ids()
        size = ARTICLES_PER_UNIT
        return [
            ("static", None),
            *[("articles", ids[i : i + size]) for i in range(0, len(ids), size)],
            *[("section", s.slug) for s in self.context.config.sections],
            *[("tag", slug) for slug in sorted({*self.context.preload_tag_names(), *self.listings.redirects})],
            ("site", None),
        ]

    def unit_pages(self, unit: Unit) -> Iterator[Page]:
        kind, arg = unit
        ctx = self.context
        if kind == "static":
            yield from ctx.static_pages()
        elif kind == "articles":
            yield from self.articles.pages(arg)
        elif kind == "section":
            yield from self.listings.with_feeds(ctx.section_listing(arg))
        elif kind == "tag":
            yield from self.listings.with_feeds(ctx.tag_listing(arg))
        else:
            yield from self.listings.site_feed_pages()
            yield from self.sitemaps.pages()
            yield home_page(ctx, self.listings)
