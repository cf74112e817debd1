"""The home page: the newest articles, then a block of each top-level section's latest.

Called by ``SiteRenderer.home_page``; the sitemaps read ``HOME_BLOCK`` to date it.
"""

from __future__ import annotations

from typing import Any

from newsroom.render.context import PageContext
from newsroom.render.page import Page
from newsroom.render.pagination import ListingPages
from newsroom.render.structured import home_head
from newsroom.render.urls import HOME, section_key

HOME_BLOCK = 4  # articles per section block on the home page


def home_page(context: PageContext, listings: ListingPages) -> Page:
    ctx = context
    head = home_head(ctx.site, home_url=ctx.url_of(HOME), logo_url=ctx.logo_url)
    page_context = ctx.base(HOME, head=head)
    top = ctx.reads.listings.items(ctx.now, limit=ctx.site.home_size)
    blocks: list[dict[str, Any]] = []
    for section in ctx.config.sections:
        if section.parent is not None:
            continue
        items = listings.items(ctx.section_listing(section.slug), limit=HOME_BLOCK)
        if items:
            blocks.append(
                {
                    "slug": section.slug,
                    "name": section.name,
                    "url": ctx.url_of(section_key(section.slug)),
                    "items": items,
                }
            )
    page_context.update(top=top, blocks=blocks)
    return Page(HOME, ctx.render("home.html", page_context), "home")
