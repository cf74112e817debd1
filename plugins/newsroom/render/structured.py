"""Structured data and cards: schema.org JSON-LD, Open Graph, Twitter cards, ``news_keywords``.

Pure functions of what a page shows, called by :mod:`newsroom.render.site`
for each page; the templates print :class:`Head` as ``<meta>`` tags and one
``<script type="application/ld+json">``. Like the pages, the output depends
only on the state: dates are the article's own (in the site's zone), and the
JSON is written with sorted keys, so the same state gives the same bytes.

JSON-LD sits inside a ``<script>`` element, where HTML escaping does not
apply: :func:`json_ld` writes ``<``, ``>`` and ``&`` as ``\\u003c``,
``\\u003e`` and ``\\u0026`` so that no text of an article can close the
element or start markup, and only then marks the result safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from markupsafe import Markup

from newsroom.config import Site
from newsroom.models import Article, Listed

SCHEMA = "https://schema.org"
MAX_KEYWORDS = 10
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


@dataclass(frozen=True)
class Meta:
    """One ``<meta>``: ``attr`` is ``property`` (Open Graph) or ``name`` (Twitter, news_keywords)."""

    attr: str
    key: str
    content: str


@dataclass(frozen=True)
class Head:
    meta: list[Meta] = field(default_factory=list)
    json_ld: Markup = field(default_factory=Markup)


def json_ld(data: Mapping[str, Any]) -> Markup:
    """``data`` as JSON safe inside ``<script>``: sorted keys, and no character that HTML would read."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES:
        text = text.replace(char, escaped)
    return Markup(text)  # escaped above for the script context


def iso(value: datetime, tz: ZoneInfo) -> str:
    """W3C date-time with the zone offset, to the second (JSON-LD, Open Graph, sitemaps)."""
    return value.astimezone(tz).replace(microsecond=0).isoformat()


@lru_cache(maxsize=16384)  # the same tag names and keywords come back on page after page
def _words(phrase: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[\s'’-]+", phrase.casefold()) if len(w) > 1)


def merge_keywords(*groups: Iterable[str], limit: int = MAX_KEYWORDS) -> list[str]:
    """Keywords in order of the groups (tags first, then extracted keywords), at most ``limit``.

    A phrase whose words all appear in one already kept is left out ("Amoussou" after
    "Anselme Amoussou", "l'enseignement technique" after "Enseignement technique"),
    and commas are removed (the lists are comma-separated).
    """
    kept: list[str] = []
    kept_words: list[frozenset[str]] = []
    for group in groups:
        for word in group:
            word = " ".join(str(word).replace(",", " ").split())
            words = _words(word)
            if words and not any(words <= other for other in kept_words):
                kept.append(word)
                kept_words.append(words)
    return kept[:limit]


def organization(site: Site, home_url: str, logo_url: str | None) -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": site.name, "url": home_url}
    if logo_url:
        org["logo"] = {"@type": "ImageObject", "url": logo_url}
    return org


def _cards(site: Site, *, kind: str, title: str, description: str, url: str) -> list[Meta]:
    meta = [
        Meta("property", "og:type", kind),
        Meta("property", "og:site_name", site.name),
        Meta("property", "og:locale", site.locale),
        Meta("property", "og:title", title),
    ]
    if description:
        meta.append(Meta("property", "og:description", description))
    meta.append(Meta("property", "og:url", url))
    return meta


def _twitter(card: str, title: str, description: str) -> list[Meta]:
    meta = [Meta("name", "twitter:card", card), Meta("name", "twitter:title", title)]
    if description:
        meta.append(Meta("name", "twitter:description", description))
    return meta


def article_head(
    site: Site,
    article: Article,
    *,
    canonical: str,
    published: datetime,
    modified: datetime,
    section_name: str,
    tag_names: Sequence[str],
    keywords: Sequence[str],
    language: str,
    home_url: str,
    logo_url: str | None,
) -> Head:
    """NewsArticle JSON-LD, Open Graph ``article``, a Twitter card and ``news_keywords`` for an article page."""
    tz = site.tz
    description = article.summary or site.description
    image = urljoin(canonical, article.image.url) if article.image else None
    image_alt = (article.image.alt or article.image.caption) if article.image else ""
    words = merge_keywords(tag_names, keywords)
    publisher = organization(site, home_url, logo_url)
    authors: list[dict[str, Any]] = [{"@type": "Person", "name": name, "url": home_url} for name in article.authors]
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": article.title,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "datePublished": iso(published, tz),
        "dateModified": iso(modified, tz),
        "author": authors or [publisher],
        "publisher": publisher,
        "articleSection": section_name,
        "inLanguage": language,
        "isAccessibleForFree": True,
    }
    if description:
        data["description"] = description
    if image:
        data["image"] = [image]
    if words:
        data["keywords"] = words
    if article.correction:
        data["correction"] = {
            "@type": "CorrectionComment",
            "text": article.correction,
            "datePublished": iso(modified, tz),
        }

    meta = _cards(site, kind="article", title=article.title, description=description, url=canonical)
    if image:
        meta.append(Meta("property", "og:image", image))
        if image_alt:
            meta.append(Meta("property", "og:image:alt", image_alt))
    meta += [
        Meta("property", "article:published_time", iso(published, tz)),
        Meta("property", "article:modified_time", iso(modified, tz)),
        Meta("property", "article:section", section_name),
    ]
    meta += [Meta("property", "article:tag", name) for name in tag_names]
    meta += _twitter("summary_large_image" if image else "summary", article.title, description)
    if image:
        meta.append(Meta("name", "twitter:image", image))
        if image_alt:
            meta.append(Meta("name", "twitter:image:alt", image_alt))
    if words:
        meta.append(Meta("name", "news_keywords", ", ".join(words)))
    return Head(meta, json_ld(data))


def listing_head(
    site: Site,
    *,
    heading: str,
    description: str,
    canonical: str,
    index_url: str,
    crumbs: Sequence[Mapping[str, Any]],
    items: Sequence[Listed],
    url_of: Callable[[str], str],
    home_url: str,
) -> Head:
    """CollectionPage JSON-LD (breadcrumb, the articles shown, in order) and cards for a section or tag page."""
    trail = [
        {"@type": "ListItem", "position": n, "name": c["name"], "item": c["url"] or index_url}
        for n, c in enumerate(crumbs, start=1)
    ]
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "CollectionPage",
        "name": heading,
        "url": canonical,
        "inLanguage": site.language,
        "isPartOf": {"@type": "WebSite", "name": site.name, "url": home_url},
        "breadcrumb": {"@type": "BreadcrumbList", "itemListElement": trail},
        "mainEntity": {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "url": url_of(item.path)} for n, item in enumerate(items, start=1)
            ],
        },
    }
    if description:
        data["description"] = description
    title = f"{heading} – {site.name}"
    meta = _cards(site, kind="website", title=title, description=description, url=canonical)
    meta += _twitter("summary", title, description)
    return Head(meta, json_ld(data))


def home_head(site: Site, *, home_url: str, logo_url: str | None) -> Head:
    """WebSite JSON-LD (with the publisher) and cards for the home page."""
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": site.name,
        "url": home_url,
        "inLanguage": site.language,
        "publisher": organization(site, home_url, logo_url),
    }
    if site.description:
        data["description"] = site.description
    meta = _cards(site, kind="website", title=site.name, description=site.description, url=home_url)
    meta += _twitter("summary", site.name, site.description)
    return Head(meta, json_ld(data))
