"""Article pages: one page per live article, with its tags, related links, back-links and sidebar.

Called by ``SiteRenderer`` (``article_pages``, ``article_page``) and, for an
unfiled draft, by ``newsroom.phases.preview``. Reads go through
:class:`newsroom.render.reads.SiteReads`, 500 articles at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from newsroom.countries import country_of
from newsroom.models import Article, Listed, Tag
from newsroom.render.context import PageContext
from newsroom.render.page import Page
from newsroom.render.structured import article_head
from newsroom.render.urls import HOME, safe_key, section_key, tag_key

CHUNK = 500  # articles read at a time

log = logging.getLogger(__name__)


class ArticlePages:
    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.reads = context.reads
        self.failed: dict[str, str] = {}  # article id -> why its page could not be rendered

    def page(
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
        ctx = self.context
        key = safe_key(path)
        canonical = ctx.url_of(key)
        head = article_head(
            ctx.site,
            article,
            canonical=canonical,
            published=published,
            modified=modified,
            section_name=ctx.config.section(article.section).name,
            tag_names=[t.name for t in tags],
            keywords=keywords,
            language=language or article.language,
            home_url=ctx.url_of(HOME),
            logo_url=ctx.logo_url,
        )
        section_feed = ctx.feed_spec(ctx.section_listing(article.section))
        context = ctx.base(key, ctx.section_chain(article.section)[0].slug, feeds=[section_feed], head=head)
        context.update(
            article=article,
            published=published,
            modified=modified,
            crumbs=ctx.crumbs(article.section, last_is_page=False),
            tags=[{"name": t.name, "url": ctx.url_of(tag_key(t.slug))} for t in tags],
            related=list(related),
            follow_ups=list(follow_ups),
            sidebar=self._sidebar(article, tags, sidebar),
        )
        return Page(key, ctx.render("article.html", context), "article", article.id)

    def _sidebar(self, article: Article, tags: Sequence[Tag], items: Sequence[Listed]) -> dict[str, Any] | None:
        """The latest news of the article's country (or section): heading, its listing's URL, items."""
        if not items:
            return None
        ctx = self.context
        country = country_of(tags)
        if country is not None:
            return {"name": country.name, "url": ctx.url_of(tag_key(country.slug)), "entries": list(items)}
        section = ctx.config.section(article.section)
        return {"name": section.name, "url": ctx.url_of(section_key(section.slug)), "entries": list(items)}

    def pages(self, ids: Iterable[str]) -> Iterator[Page]:
        """The pages of those of ``ids`` that are live, in id order.

        An article whose page fails to render is left out and recorded in
        :attr:`failed` (the render phase flags it), so it never stops the others.
        """
        reads, now = self.reads, self.context.now
        wanted = sorted(reads.articles.live_ids(ids, now))
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows = reads.articles.records(chunk)
            tags = reads.enrichments.tags_of(chunk)
            enrichment = reads.enrichments.of(chunk)
            related_ids = reads.related.of(chunk)
            newer_ids = reads.related.newer_relating(chunk, now)
            sidebar_ids = reads.related.sidebar_of(chunk)
            linked = {r for ids_ in (*related_ids.values(), *newer_ids.values(), *sidebar_ids.values()) for r in ids_}
            linked_rows = reads.listings.listed(reads.articles.live_ids(linked, now))
            for article_id in chunk:
                row = rows[article_id]
                related = [linked_rows[r] for r in related_ids[article_id] if r in linked_rows]
                newer = [linked_rows[r] for r in newer_ids[article_id] if r in linked_rows]
                sidebar = [linked_rows[r] for r in sidebar_ids[article_id] if r in linked_rows]
                found = enrichment.get(article_id, {})
                try:
                    page = self.page(
                        row.article,
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
                except Exception as exc:  # one article's page must not stop the run: flag it, go on
                    log.exception("Rendering the page of %s failed", article_id)
                    self.failed[article_id] = f"{type(exc).__name__}: {exc}"
                    continue
                yield page
