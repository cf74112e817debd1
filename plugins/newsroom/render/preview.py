"""Render one article page as it would be published, without filing it.

Called by ``newsroom preview``. Tags come from enrichment (the same as the pipeline's) and related
links from the current archive in the state database, so the preview shows
what readers would see; nothing is written to the store or the bucket.
"""

from __future__ import annotations

from newsroom.config import NewsroomConfig
from newsroom.enrich import Enricher
from newsroom.enrich.related import choose_related
from newsroom.models import Article
from newsroom.render.site import SiteRenderer, _listed
from newsroom.store import Store, utcnow


def render_preview(config: NewsroomConfig, article: Article, enricher: Enricher, store: Store | None = None) -> bytes:
    from newsroom.pipeline import open_store

    store = store or open_store(config)
    now = utcnow()
    renderer = SiteRenderer(config, store, now)
    enrichment = enricher.enrich([article])[0]
    tags = enrichment.tags
    published = article.published or article.publish_at or now
    related_ids = choose_related(store, article.id, tags, enrichment.keywords, article.title, published, now)
    rows = store.rows(related_ids)
    related = [_listed(rows[i]) for i in related_ids if i in rows]
    path = f"{published.astimezone(config.site.tz):%Y/%m/%d}/{article.slug}.html"
    page = renderer.article_page(
        article,
        path,
        published,
        article.updated or published,
        tags,
        related,
        keywords=enrichment.keywords,
        language=enrichment.language or None,
    )
    return page.body
