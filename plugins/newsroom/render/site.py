"""Build the site's pages from the store: articles, home, section and tag listings.

:class:`SiteRenderer` turns state into :class:`Page` values (key, bytes,
kind); it never writes files or talks to the bucket. ``plan`` gives the pages
a set of changed articles touches (their pages, pages that link to them as
related, their listings from the first page they sit on, and home);
``everything`` gives the whole site. Output depends only on the state and
``now`` (for visibility), never on the wall clock, so the same state renders
byte-identical pages.

Listings paginate from the oldest article: page 1 holds the oldest
``page_size`` articles and never changes when new ones arrive, so a filing
re-renders the index and the newest page or two, not the whole archive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsroom.config import NewsroomConfig, Section
from newsroom.models import Article
from newsroom.render.environment import get_template, make_environment
from newsroom.render.urls import HOME, Urls, safe_key, section_key, tag_key
from newsroom.store import Listed, Store, Tag


@dataclass(frozen=True)
class Page:
    key: str
    body: bytes
    kind: str  # article | home | section | tag | static
    article_id: str | None = None

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()


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
        self._stylesheet = self._static_css()
        self._tag_names: dict[str, str] = {}

    # -- shared context -------------------------------------------------------
    def _static_css(self) -> Page:
        css = (self.config.templates_path.parent / "static" / "style.css").read_bytes()
        digest = hashlib.md5(css, usedforsecurity=False).hexdigest()[:10]
        return Page(f"static/style.{digest}.css", css, "static")

    def url_of(self, key: str) -> str:
        return self.urls.url(key)

    def _nav(self, current: str | None) -> list[dict[str, Any]]:
        return [
            {"name": s.name, "url": self.url_of(section_key(s.slug)), "current": s.slug == current}
            for s in self.config.sections
            if s.parent is None
        ]

    def _base(self, key: str, current_section: str | None = None) -> dict[str, Any]:
        return {
            "site": self.site,
            "canonical": self.url_of(key),
            "home_url": self.url_of(HOME),
            "stylesheet": self.url_of(self._stylesheet.key),
            "nav": self._nav(current_section),
            "url_of": self.url_of,
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
    ) -> Page:
        key = safe_key(path)
        context = self._base(key, self._section_chain(article.section)[0].slug)
        context.update(
            article=article,
            published=published,
            modified=modified,
            crumbs=self._crumbs(article.section, last_is_page=False),
            tags=[{"name": t.name, "url": self.url_of(tag_key(t.slug))} for t in tags],
            related=list(related),
            follow_ups=list(follow_ups),
        )
        return Page(key, self._render("article.html", context), "article", article.id)

    def article_pages(self, ids: Iterable[str]) -> Iterator[Page]:
        wanted = sorted(self.store.live_ids(ids, self.now))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.store.rows(chunk)
            tags = self.store.tags_of(chunk)
            related_ids = self.store.related_of(chunk)
            newer_ids = self.store.newer_relating(chunk, self.now)
            linked = {r for ids_ in (*related_ids.values(), *newer_ids.values()) for r in ids_}
            linked_rows = self.store.rows(self.store.live_ids(linked, self.now))
            for article_id in chunk:
                row = rows[article_id]
                related = [_listed(linked_rows[r]) for r in related_ids[article_id] if r in linked_rows]
                newer = [_listed(linked_rows[r]) for r in newer_ids[article_id] if r in linked_rows]
                article = Article.model_validate(row.data)
                yield self.article_page(
                    article, row.path, row.published, row.modified, tags[article_id], related, newer
                )

    # -- listings -------------------------------------------------------------
    def section_listing(self, slug: str) -> Listing:
        section = self.config.section(slug)
        return Listing("section", slug, section.name, section.description, self._crumbs(slug, last_is_page=True))

    def tag_listing(self, slug: str) -> Listing:
        name = self._tag_names.get(slug) or self.store.tag_names([slug]).get(slug, slug)
        crumbs: list[dict[str, Any]] = [{"name": "Accueil", "url": self.url_of(HOME)}, {"name": name, "url": None}]
        return Listing("tag", slug, name, f"Tous les articles : {name}", crumbs)

    def _items(self, listing: Listing) -> list[Listed]:
        if listing.kind == "section":
            members = [
                s.slug for s in self.config.sections if listing.slug in {c.slug for c in self._section_chain(s.slug)}
            ]
            return self.store.listing(self.now, sections=members)
        return self.store.listing(self.now, tag=listing.slug)

    def listing_pages(self, listing: Listing, changed: set[str] | None = None) -> Iterator[Page]:
        """The index page and the numbered pages (oldest first) from the first one ``changed`` touches."""
        items = self._items(listing)  # newest first
        size = self.site.page_size
        total = len(items)
        pages = _chunk_bounds(total, size) if total > size else 0
        chronological = items[::-1]
        first = 1
        if changed is not None and pages:
            # From the page the oldest changed article sits on; if none is here,
            # one left this listing and every page after it shifted: all pages.
            positions = [i for i, item in enumerate(chronological) if item.id in changed]
            first = min(positions) // size + 1 if positions else 1
            first = max(1, min(first, pages - 1))
        base_kind = listing.kind
        older = self.url_of(listing.key(pages)) if pages else None
        yield self._listing_page(listing, listing.key(), items[:size], Pager("", None, older), base_kind)
        for number in range(first, pages + 1):
            page_items = chronological[(number - 1) * size : number * size][::-1]
            newer = self.url_of(listing.key(number + 1) if number < pages else listing.key())
            older_url = self.url_of(listing.key(number - 1)) if number > 1 else None
            pager = Pager(f"Page {number} sur {pages}", newer, older_url)
            yield self._listing_page(listing, listing.key(number), page_items, pager, base_kind)

    def _listing_page(self, listing: Listing, key: str, items: Sequence[Listed], pager: Pager, kind: str) -> Page:
        current = self._section_chain(listing.slug)[0].slug if listing.kind == "section" else None
        context = self._base(key, current)
        context.update(
            heading=listing.heading,
            description=listing.description,
            crumbs=listing.crumbs,
            items=list(items),
            pager=pager,
        )
        return Page(safe_key(key), self._render("listing.html", context), kind)

    def home_page(self) -> Page:
        context = self._base(HOME)
        top = self.store.listing(self.now, limit=self.site.home_size)
        blocks = []
        for section in self.config.sections:
            if section.parent is not None:
                continue
            items = self._items(self.section_listing(section.slug))[:4]
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
    def plan(self, changed_ids: Sequence[str], extra_tags: Iterable[str] = ()) -> Iterator[Page]:
        """Pages touched by changed articles: theirs, those relating to them, listings, home."""
        changed = set(changed_ids)
        rows = self.store.rows(changed)
        tags = self.store.tags_of(changed)
        # pages listing a changed article as related, and (bounded: 5 each) the pages
        # a changed article relates to, whose "Sur le même sujet" shows it
        linking = self.store.articles_relating_to(changed)
        linking.update(r for ids_ in self.store.related_of(changed).values() for r in ids_)
        yield self._stylesheet
        yield from self.article_pages(sorted(changed | linking))
        sections: set[str] = set()
        for row in rows.values():
            sections.update(s.slug for s in self._section_chain(row.section))
        # Every section the navigation links to must exist, even while empty.
        index_keys = {section_key(s): s for s in self.config.section_slugs}
        published = self.store.objects(index_keys)
        sections.update(slug for key, slug in index_keys.items() if key not in published)
        for slug in sorted(sections):
            yield from self.listing_pages(self.section_listing(slug), changed)
        tag_slugs = sorted({t.slug for ts in tags.values() for t in ts} | set(extra_tags))
        for slug in tag_slugs:
            yield from self.listing_pages(self.tag_listing(slug), changed)
        yield self.home_page()

    def everything(self) -> Iterator[Page]:
        yield self._stylesheet
        yield from self.article_pages(self.store.all_ids())
        for section in self.config.sections:
            yield from self.listing_pages(self.section_listing(section.slug))
        for slug in self.store.tags_in_use(self.now):
            yield from self.listing_pages(self.tag_listing(slug))
        yield self.home_page()


def _listed(row: Any) -> Listed:
    return Listed(
        row.id, row.title, row.path, row.section, row.published, row.modified, row.summary, row.image_url, row.image_alt
    )
