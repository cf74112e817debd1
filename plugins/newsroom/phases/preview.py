"""Render one article page as it would be published, without filing it.

Called by ``newsroom preview`` (``newsroom.cli.filing``). Tags come from enrichment (the same as
the pipeline's) and related links from the current archive in the state database, so the preview shows
what readers would see; nothing is written to the store or the bucket. Without an enricher
(``newsroom preview --no-tags``) the page has no tags and its related links come from the title and
section alone: no language model is loaded (seconds sooner).
"""

from __future__ import annotations

from newsroom.config import NewsroomConfig
from newsroom.enrich import Enricher, Enrichment, StoreDirectory
from newsroom.enrich.related import choose_related
from newsroom.models import Article
from newsroom.render.site import SiteRenderer
from newsroom.resources import open_store
from newsroom.store import Store, utcnow


def render_preview(
    config: NewsroomConfig, article: Article, enricher: Enricher | None, store: Store | None = None
) -> bytes:
    store = store or open_store(config)
    now = utcnow()
    renderer = SiteRenderer(config, store, now)
    if enricher is None:
        enrichment = Enrichment(article.id, [], [], [], article.language or config.site.language)
    else:
        enrichment = enricher.enrich([article], StoreDirectory(store))[0]
    tags = enrichment.tags
    published = article.published or article.publish_at or now
    chosen = choose_related(
        store, article.id, tags, enrichment.keywords, article.title, published, now, section=article.section
    )
    rows = store.articles.records([*chosen.ids, *chosen.sidebar])
    related = [rows[i].listed for i in chosen.ids if i in rows]
    sidebar = [rows[i].listed for i in chosen.sidebar if i in rows]
    path = f"{published.astimezone(config.site.tz):%Y/%m/%d}/{article.slug}.html"
    page = renderer.article_page(
        article,
        path,
        published,
        article.updated or published,
        tags,
        related,
        sidebar=sidebar,
        keywords=enrichment.keywords,
        language=enrichment.language or None,
    )
    return page.body


NOINDEX = b'<meta name="robots" content="noindex, nofollow">'


def render_stored(config: NewsroomConfig, article_id: str, store: Store | None = None) -> tuple[bytes, int] | None:
    """The page of a stored article as it will go live (its stored tags and related links), with a
    ``noindex`` robots tag, and its version; None if there is no such article or it was taken down.
    For preview links (:mod:`newsroom.preview_links`): served by the filing API, never uploaded."""
    store = store or open_store(config)
    row = store.articles.records([article_id]).get(article_id)
    if row is None or row.taken_down_at is not None:
        return None
    now = utcnow()
    related_ids = store.related.of([article_id]).get(article_id, [])
    sidebar_ids = store.related.sidebar_of([article_id]).get(article_id, [])
    linked = store.listings.listed(store.articles.live_ids([*related_ids, *sidebar_ids], now))
    found = store.enrichments.of([article_id]).get(article_id, {})
    page = SiteRenderer(config, store, now).article_page(
        row.article,
        row.path,
        row.published,
        row.modified,
        store.enrichments.tags_of([article_id]).get(article_id, []),
        [linked[i] for i in related_ids if i in linked],
        sidebar=[linked[i] for i in sidebar_ids if i in linked],
        keywords=found.get("keywords") or (),
        language=found.get("language") or None,
    )
    return page.body.replace(b"<head>", b"<head>" + NOINDEX, 1), row.version
