"""Listing pages: a section's or a tag's index and numbered pages, with their feeds; merged tags' redirects.

Listings paginate from the oldest article: page 1 holds the oldest
``page_size`` articles and never changes when new ones arrive, so a filing
re-renders the index and the newest page or two, not the whole archive
(:meth:`ListingPages.window`). Called by ``SiteRenderer`` and its planner.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from newsroom.models import Listed
from newsroom.render.context import Listing, PageContext
from newsroom.render.feeds import FEED_SIZE, FeedSpec, FeedWriter
from newsroom.render.page import Page
from newsroom.render.structured import listing_head
from newsroom.render.urls import HOME, safe_key, tag_key


@dataclass(frozen=True)
class Pager:
    label: str = ""
    newer_url: str | None = None
    older_url: str | None = None


def page_count(total: int, size: int) -> int:
    """Numbered pages of a listing of ``total`` articles (none when the index holds them all)."""
    return (total + size - 1) // size if total > size else 0


class ListingPages:
    def __init__(self, context: PageContext, feeds: FeedWriter) -> None:
        self.context = context
        self.reads = context.reads
        self.feeds = feeds
        self._redirects: dict[str, str] | None = None

    @property
    def redirects(self) -> dict[str, str]:
        """Tags merged (or renamed) by review: old slug -> the slug whose listing its URLs lead to."""
        if self._redirects is None:
            self._redirects = self.reads.registry.redirects()
        return self._redirects

    def items(self, listing: Listing, limit: int | None = None) -> list[Listed]:
        now = self.context.now
        if listing.kind == "section":
            return self.reads.listings.items(now, sections=sorted(self.context.members[listing.slug]), limit=limit)
        return self.reads.listings.items(now, tag=listing.slug, limit=limit)

    def _item_ids(self, listing: Listing) -> list[str]:
        now = self.context.now
        if listing.kind == "section":
            return self.reads.listings.ids(now, sections=sorted(self.context.members[listing.slug]))
        return self.reads.listings.ids(now, tag=listing.slug)

    def site_feed_pages(self) -> list[Page]:
        return self.feeds.pages(self.context.site_feed, self.reads.listings.items(self.context.now, limit=FEED_SIZE))

    def with_feeds(self, listing: Listing, changed: set[str] | None = None) -> Iterator[Page]:
        """A listing's pages (see :meth:`pages`) and its RSS and Atom feeds, from one read of it; none for a
        tag that lists no live article (a section keeps its page, "no article yet", and its feeds)."""
        if listing.kind == "tag" and listing.slug in self.redirects:
            yield from self.moved_tag_pages(listing.slug)
            return
        total, first, newest = self.window(listing, changed)
        if not total and listing.kind == "tag":
            return  # a tag no live article carries has no page (Planner.removed deletes what was published)
        yield from self.pages(listing, total, first, newest)
        yield from self.feeds.pages(self.context.feed_spec(listing), newest)

    def moved_tag_pages(self, slug: str) -> Iterator[Page]:
        """A merged tag's old URLs: its index and every page of it ever published lead to the target,
        and its feeds list the target's articles (readers subscribed to it keep getting them)."""
        ctx = self.context
        target = ctx.tag_listing(self.redirects[slug])
        url = ctx.url_of(target.key())
        keys = {tag_key(slug), *self.reads.objects.keys_with_prefix(prefix=f"tag/{slug}/page/")}
        for key in sorted(keys):
            context = ctx.base(key, head=None)
            context.update(heading=target.heading, target=url, canonical=url)
            yield Page(safe_key(key), ctx.render("redirect.html", context), "tag")
        spec = FeedSpec(f"tag/{slug}/", f"{target.heading} – {ctx.site.name}", ctx.listing_description(target), url)
        yield from self.feeds.pages(spec, self.reads.listings.items(ctx.now, tag=target.slug, limit=FEED_SIZE))

    def window(self, listing: Listing, changed: set[str] | None) -> tuple[int, int, list[Listed]]:
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
            total, size = len(ids), self.context.site.page_size
            pages = page_count(total, size)
            first = 1
            if pages:
                positions = [i for i, item_id in enumerate(reversed(ids)) if item_id in changed]
                first = min(positions) // size + 1 if positions else 1
                first = max(1, min(first, pages) - 1)
            wanted = ids[: max(size, FEED_SIZE, total - (first - 1) * size)]
            rows = self.reads.listings.listed(wanted)
            if len(rows) == len(wanted):
                return total, first, [rows[i] for i in wanted]
            # else one went away between the two reads: read the listing whole
        items = self.items(listing)
        return len(items), 1, items

    def pages(self, listing: Listing, total: int, first: int, newest: Sequence[Listed]) -> Iterator[Page]:
        """The index page and the numbered pages (oldest first) from ``first``; ``newest``: the newest
        articles of the listing, newest first, at least down to page ``first``'s (see :meth:`window`)."""
        url_of = self.context.url_of
        size = self.context.site.page_size
        pages = page_count(total, size)
        base_kind = listing.kind
        older = url_of(listing.key(pages)) if pages else None
        yield self._page(listing, listing.key(), newest[:size], Pager("", None, older), base_kind)
        for number in range(first, pages + 1):
            # chronological positions [(number - 1) * size, number * size), counted from the newest
            page_items = newest[max(0, total - number * size) : total - (number - 1) * size]
            newer = url_of(listing.key(number + 1) if number < pages else listing.key())
            older_url = url_of(listing.key(number - 1)) if number > 1 else None
            # No "of N" in the label: a numbered page stays byte-identical once full,
            # however many pages come after it (stable pagination).
            pager = Pager(f"Page {number}", newer, older_url)
            yield self._page(listing, listing.key(number), page_items, pager, base_kind)

    def _page(self, listing: Listing, key: str, items: Sequence[Listed], pager: Pager, kind: str) -> Page:
        ctx = self.context
        current = ctx.section_chain(listing.slug)[0].slug if listing.kind == "section" else None
        heading = f"{listing.heading} – {pager.label}" if pager.label else listing.heading
        description = ctx.listing_description(listing)
        head = listing_head(
            ctx.site,
            heading=heading,
            description=description,
            canonical=ctx.url_of(key),
            index_url=ctx.url_of(listing.key()),
            crumbs=listing.crumbs,
            items=items,
            url_of=ctx.url_of,
            home_url=ctx.url_of(HOME),
        )
        context = ctx.base(key, current, feeds=[ctx.feed_spec(listing)], head=head)
        context.update(
            heading=listing.heading,
            description=description,
            crumbs=listing.crumbs,
            items=list(items),
            pager=pager,
        )
        return Page(safe_key(key), ctx.render("listing.html", context), kind)
