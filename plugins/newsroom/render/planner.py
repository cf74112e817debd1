"""What to render: the pages a change touches (:meth:`Planner.plan`), or the whole site as units of work.

A changed article touches its page, the pages that show it as related (and
those it relates to, whose "Sur le même sujet" shows it), its sections' and
tags' listings from the first page it sits on, the site's feeds, its month's
sitemap and home; and any index, feed or sitemap never published yet is
rendered then. Called by ``SiteRenderer.plan``, ``.plan_stages``, ``.units`` and ``.everything``.

Both are lists of units of work (:data:`Unit`), which processes can share
(``newsroom.render.parallel``): a plan in four stages, whose order keeps
every file a page points to up before the page (the static files; the
article pages; the listings and their feeds; the site's feeds, the sitemaps
and home).
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
# ("static" | "articles" | "section" | "tag" | "site" | "closing", its argument). A plan's section and
# tag units render from the page its changed articles sit on (``unit_pages``'s ``changed``).
Unit = tuple[str, Any]


def _article_units(ids: Sequence[str]) -> list[Unit]:
    """Article pages as units of work, ``ARTICLES_PER_UNIT`` each, in the order of ``ids``."""
    size = ARTICLES_PER_UNIT
    return [("articles", ids[i : i + size]) for i in range(0, len(ids), size)]


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
        the site's feeds, the sitemaps that list them, home: :meth:`plan_stages`' units in turn.

        ``own_pages=False`` leaves out the changed articles' own pages (a backfill's
        batches have published them) except those another changed article relates
        to: its batch ran later and changed their "Sur le même sujet".
        """
        changed = set(changed_ids)
        for stage in self.plan_stages(changed_ids, extra_tags, own_pages=own_pages):
            for unit in stage:
                yield from self.unit_pages(unit, changed)

    def plan_stages(
        self, changed_ids: Sequence[str], extra_tags: Iterable[str] = (), *, own_pages: bool = True
    ) -> list[list[Unit]]:
        """:meth:`plan` as units of work in four stages, to render in this order (within a stage, in
        any order): the static files; the article pages; the section and tag listings with their
        feeds; the closing unit (the site's feeds, the sitemaps of these months, home). Each
        unit renders with ``changed`` = the set of ``changed_ids`` (:meth:`unit_pages`)."""
        ctx, reads, now = self.context, self.reads, self.context.now
        changed = set(changed_ids)
        rows = reads.listings.listed(changed)  # sections and months: not the whole records (a backfill's 100,000)
        tags = reads.enrichments.tags_of(changed)
        # pages listing a changed article as related, and (bounded: 5 each) the pages
        # a changed article relates to, whose "Sur le même sujet" shows it
        targets = {r for ids_ in reads.related.of(changed, story_only=True).values() for r in ids_}
        linking = reads.related.relating_to(changed) | targets
        own = changed if own_pages else changed & targets
        articles = _article_units(sorted(own | (linking - changed)))
        sections: set[str] = set()
        for row in rows.values():
            sections.update(s.slug for s in ctx.section_chain(row.section))
        # Every section the navigation links to must exist, even while empty, and so must its feed.
        index_keys = {section_key(s): s for s in ctx.config.section_slugs}
        index_keys.update({f"{s}/{RSS_NAME}": s for s in ctx.config.section_slugs})
        published = reads.objects.get(index_keys)
        sections.update(slug for key, slug in index_keys.items() if key not in published)
        listings: list[Unit] = [("section", slug) for slug in sorted(sections)]
        # The tags of the changed articles (now and before), and any tag in use whose feed was never published.
        tag_slugs = {t.slug for ts in tags.values() for t in ts} | set(extra_tags)
        tag_feeds = {f"tag/{slug}/{RSS_NAME}": slug for slug in reads.enrichments.tag_slugs()}
        done = reads.objects.get(tag_feeds)
        tag_slugs.update(reads.enrichments.tags_in_use(now, among=[s for k, s in tag_feeds.items() if k not in done]))
        ctx.tag_names.update(reads.enrichments.tag_names(sorted(tag_slugs - ctx.tag_names.keys())))
        listings += [("tag", slug) for slug in sorted(tag_slugs)]
        # The current month, the months of the changed articles, and any month never published yet.
        tz = ctx.site.tz
        months = {f"{now.astimezone(tz):%Y-%m}"} | {month_of(row, tz) for row in rows.values()}
        all_months = set(self.sitemaps.months())
        done = reads.objects.get(month_key(m) for m in all_months)
        months |= {m for m in all_months if month_key(m) not in done}
        return [[("static", None)], articles, listings, [("closing", sorted(months))]]

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
        return [
            ("static", None),
            *_article_units(self.reads.articles.all_ids()),
            *[("section", s.slug) for s in self.context.config.sections],
            *[("tag", slug) for slug in sorted({*self.context.preload_tag_names(), *self.listings.redirects})],
            ("site", None),
        ]

    def unit_pages(self, unit: Unit, changed: set[str] | None = None) -> Iterator[Page]:
        """A unit's pages; ``changed``: a plan's changed articles (a listing renders from the page the
        oldest of them sits on; None: every page)."""
        kind, arg = unit
        ctx = self.context
        if kind == "static":
            yield from ctx.static_pages()
        elif kind == "articles":
            yield from self.articles.pages(arg)
        elif kind == "section":
            yield from self.listings.with_feeds(ctx.section_listing(arg), changed)
        elif kind == "tag":
            yield from self.listings.with_feeds(ctx.tag_listing(arg), changed)
        else:  # "site": every sitemap; "closing": those of the months given
            yield from self.listings.site_feed_pages()
            yield from self.sitemaps.pages(arg if kind == "closing" else None)
            yield home_page(ctx, self.listings)
