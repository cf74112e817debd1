"""What every page shares: URLs, the Jinja environment, navigation, breadcrumbs, feed links, head.

:class:`PageContext` is built once per render (by ``SiteRenderer``) and handed to
the page builders (``render.articles``, ``render.pagination``, ``render.home``);
it also knows the site's listings (:class:`Listing`: a section with its
children, or a tag) and the tags' display names, read once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from newsroom.config import NewsroomConfig, Section
from newsroom.models import Listed
from newsroom.render.environment import get_template, make_environment
from newsroom.render.feeds import FeedSpec, feed_links
from newsroom.render.page import Page
from newsroom.render.reads import SiteReads
from newsroom.render.structured import Head
from newsroom.render.urls import HOME, Urls, section_key, tag_key

FRAGMENT_CACHE_SIZE = 50_000  # cards and links kept (a few per article)


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


class PageContext:
    def __init__(self, config: NewsroomConfig, reads: SiteReads, now: datetime) -> None:
        self.config = config
        self.site = config.site
        self.reads = reads
        self.now = now
        self.urls = Urls(config)
        self._fragments: dict[tuple[str, str, str | None], tuple[Listed, Markup]] = {}
        self._navs: dict[str | None, Markup] = {}
        self.env = make_environment(config.templates_path, timezone=config.site.timezone, locale=config.site.locale)
        static = config.templates_path.parent / "static"
        self.stylesheet = static_file(static / "style.css")
        self.logo, self.logo_url = self._site_logo(static)
        self.tag_names: dict[str, str] = {}
        # section slug -> the sections its listing shows (itself and its descendants)
        self.members = {
            s.slug: {m.slug for m in config.sections if s.slug in {c.slug for c in self.section_chain(m.slug)}}
            for s in config.sections
        }

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
        page = static_file(path)
        return page, self.url_of(page.key)

    def static_pages(self) -> list[Page]:
        return [self.stylesheet] + ([self.logo] if self.logo else [])

    def url_of(self, key: str) -> str:
        return self.urls.url(key)

    def _nav(self, current: str | None) -> list[dict[str, Any]]:
        return [
            {"name": s.name, "url": self.url_of(section_key(s.slug)), "current": s.slug == current}
            for s in self.config.sections
            if s.parent is None
        ]

    def base(
        self,
        key: str,
        current_section: str | None = None,
        *,
        feeds: Sequence[FeedSpec] = (),
        head: Head | None = None,
    ) -> dict[str, Any]:
        """The template context every page starts from."""
        head = head or Head()
        return {
            "site": self.site,
            "canonical": self.url_of(key),
            "home_url": self.url_of(HOME),
            "stylesheet": self.url_of(self.stylesheet.key),
            "nav": self._nav(current_section),
            "nav_html": self.nav_html(current_section),
            "url_of": self.url_of,
            "card_of": self.card_of,
            "link_of": self.link_of,
            "feeds": [link for spec in (*feeds, self.site_feed) for link in feed_links(spec, self.url_of)],
            "meta": head.meta,
            "json_ld": head.json_ld,
        }

    def card_of(self, item: Listed, heading: str = "h2") -> Markup:
        """``partials/macros.html``'s ``card`` for this article, rendered once per render and reused.

        An article's card is on its section's pages, its parents', the home page and each of its tags'
        pages, the same bytes each time: listing.html and home.html call this instead of the macro.
        """
        return self._fragment("card", item, heading)

    def link_of(self, item: Listed, kicker: str | None = None) -> Markup:
        """``partials/macros.html``'s ``link_item`` (title, link, date; ``kicker`` before it), rendered once
        per render: the same articles are the related links, back-links and sidebar of many pages."""
        return self._fragment("link_item", item, kicker)

    def _fragment(self, macro: str, item: Listed, arg: str | None) -> Markup:
        """Keyed by the article's id, kept only for the same listing row (hashing a whole row cost more
        than the lookup saved); a row read again with other values is rendered again."""
        key = (macro, item.id, arg)
        found = self._fragments.get(key)
        if found is not None and (found[0] is item or found[0] == item):
            return found[1]
        if len(self._fragments) >= FRAGMENT_CACHE_SIZE:
            self._fragments.clear()
        fragment: Markup = self._macro(macro)(item, self.url_of, arg)
        self._fragments[key] = (item, fragment)
        return fragment

    def _macro(self, name: str) -> Any:
        return getattr(get_template(self.env, "partials/macros.html").module, name)

    def nav_html(self, current: str | None) -> Markup:
        """The site's navigation (``partials/macros.html``'s ``site_nav``), the current section marked:
        the same few variants on every page, each rendered once."""
        nav = self._navs.get(current)
        if nav is None:
            nav = self._navs[current] = self._macro("site_nav")(self._nav(current))
        return nav

    def section_chain(self, slug: str) -> list[Section]:
        chain: list[Section] = []
        current: str | None = slug
        while current is not None and len(chain) < 8:
            section = self.config.section(current)
            chain.insert(0, section)
            current = section.parent
        return chain

    def crumbs(self, section_slug: str, last_is_page: bool) -> list[dict[str, Any]]:
        crumbs: list[dict[str, Any]] = [{"name": "Accueil", "url": self.url_of(HOME)}]
        chain = self.section_chain(section_slug)
        for index, section in enumerate(chain):
            is_last = index == len(chain) - 1
            url = None if (is_last and last_is_page) else self.url_of(section_key(section.slug))
            crumbs.append({"name": section.name, "url": url})
        return crumbs

    def render(self, template: str, context: dict[str, Any]) -> bytes:
        text: str = get_template(self.env, template).render(context)
        return text.encode("utf-8")

    # -- listings and their feeds ---------------------------------------------
    @property
    def site_feed(self) -> FeedSpec:
        return FeedSpec("", self.site.name, self.site.description or self.site.name, self.url_of(HOME))

    def feed_spec(self, listing: Listing) -> FeedSpec:
        prefix = f"{listing.slug}/" if listing.kind == "section" else f"tag/{listing.slug}/"
        title = f"{listing.heading} – {self.site.name}"
        return FeedSpec(prefix, title, self.listing_description(listing), self.url_of(listing.key()))

    def listing_description(self, listing: Listing) -> str:
        return listing.description or f"{listing.heading} : les derniers articles de {self.site.name}"

    def section_listing(self, slug: str) -> Listing:
        section = self.config.section(slug)
        return Listing("section", slug, section.name, section.description, self.crumbs(slug, last_is_page=True))

    def tag_listing(self, slug: str) -> Listing:
        name = self.tag_names.get(slug) or self.reads.enrichments.tag_names([slug]).get(slug, slug)
        crumbs: list[dict[str, Any]] = [{"name": "Accueil", "url": self.url_of(HOME)}, {"name": name, "url": None}]
        return Listing("tag", slug, name, f"Tous les articles : {name}", crumbs)

    def preload_tag_names(self) -> list[str]:
        """The tags in use, their names read in one query (not one per tag page)."""
        tags = self.reads.enrichments.tags_in_use(self.now)
        self.tag_names.update(self.reads.enrichments.tag_names(tags))
        return tags


def static_file(path: Path) -> Page:
    """A static file published under static/ with its content's fingerprint in the name (cached for a year)."""
    body = path.read_bytes()
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()[:10]
    return Page(f"static/{path.stem}.{digest}{path.suffix}", body, "static")
