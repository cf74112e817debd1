"""Structured data and cards: NewsArticle JSON-LD with Google's fields, Open Graph, Twitter, feeds links."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from newsroom.config import ConfigError
from newsroom.render.structured import json_ld, merge_keywords
from tests.render.site_fixture import BASE_URL, NOW, SmallSite, make_small_site, small_site_config


class _Head(HTMLParser):
    """The ``<meta>``, ``<link rel=alternate>`` and JSON-LD scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.alternates: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta.append((a.get("property") or a["name"], a.get("content", "")))
        elif tag == "link" and a.get("rel") == "alternate":
            self.alternates.append((a["type"], a["href"]))
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.scripts[-1] += data


def head(html: str) -> _Head:
    parser = _Head()
    parser.feed(html)
    return parser


def ld(html: str) -> dict[str, Any]:
    scripts = head(html).scripts
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0])
    return data


def meta(html: str, key: str) -> list[str]:
    return [content for name, content in head(html).meta if name == key]


def _page(site: SmallSite, article_id: str, now: datetime = NOW) -> str:
    path = site.store.articles.records([article_id])[article_id].path
    return site.texts(now)[path]


def test_article_json_ld_has_the_fields_google_asks_for(small_site: SmallSite) -> None:
    pages = small_site.everything()
    html = pages[small_site.store.articles.records(["mali-russie"])["mali-russie"].path].body.decode()
    data = ld(html)
    url = BASE_URL + small_site.store.articles.records(["mali-russie"])["mali-russie"].path
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Mali–Russie : Goïta et Poutine élargissent leur partenariat"
    assert data["image"] == ["https://example.org/images/kremlin.jpg"]
    assert data["datePublished"] == "2025-06-28T13:00:00+01:00"
    assert data["dateModified"] == "2025-06-28T13:00:00+01:00"
    assert data["author"] == [{"@type": "Person", "name": "Carine Houngbo", "url": BASE_URL + "index.html"}]
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "L'Écho du Golfe"
    logo = publisher["logo"]["url"]
    assert re.fullmatch(re.escape(BASE_URL) + r"static/logo\.[0-9a-f]{10}\.svg", logo)
    assert pages[logo.removeprefix(BASE_URL)].body.startswith(b"<svg")  # the logo is published too
    assert pages[logo.removeprefix(BASE_URL)].kind == "static"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["articleSection"] == "Diplomatie"
    assert data["inLanguage"] == "fr"
    assert data["keywords"] == ["Mali", "Russie", "partenariat stratégique", "coopération"]
    assert data["description"] == "Reçu au Kremlin, Assimi Goïta veut élargir la coopération."
    assert "correction" not in data


def test_open_graph_twitter_and_news_keywords_of_an_article(small_site: SmallSite) -> None:
    html = _page(small_site, "mali-russie")
    url = BASE_URL + small_site.store.articles.records(["mali-russie"])["mali-russie"].path
    expected = {
        "og:type": ["article"],
        "og:title": ["Mali–Russie : Goïta et Poutine élargissent leur partenariat"],
        "og:description": ["Reçu au Kremlin, Assimi Goïta veut élargir la coopération."],
        "og:url": [url],
        "og:image": ["https://example.org/images/kremlin.jpg"],
        "og:image:alt": ["Assimi Goïta et Vladimir Poutine au Kremlin"],
        "og:locale": ["fr_FR"],
        "og:site_name": ["L'Écho du Golfe"],
        "article:published_time": ["2025-06-28T13:00:00+01:00"],
        "article:modified_time": ["2025-06-28T13:00:00+01:00"],
        "article:section": ["Diplomatie"],
        "article:tag": ["Mali", "Russie"],
        "twitter:card": ["summary_large_image"],
        "twitter:title": ["Mali–Russie : Goïta et Poutine élargissent leur partenariat"],
        "twitter:image": ["https://example.org/images/kremlin.jpg"],
        "news_keywords": ["Mali, Russie, partenariat stratégique, coopération"],
    }
    for key, values in expected.items():
        assert meta(html, key) == values, key
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<html lang="fr">' in html
    assert head(html).alternates == [
        ("application/rss+xml", BASE_URL + "diplomatie/feed.xml"),
        ("application/atom+xml", BASE_URL + "diplomatie/atom.xml"),
        ("application/rss+xml", BASE_URL + "feed.xml"),
        ("application/atom+xml", BASE_URL + "atom.xml"),
    ]


def test_an_article_without_image_gets_a_summary_card_and_no_image(small_site: SmallSite) -> None:
    html = _page(small_site, "niger-accord")
    assert "image" not in ld(html)
    assert meta(html, "twitter:card") == ["summary"]
    assert meta(html, "og:image") == [] and meta(html, "twitter:image") == []


def test_a_correction_is_a_correction_comment_and_moves_date_modified(small_site: SmallSite) -> None:
    before = ld(_page(small_site, "niger-accord"))
    assert "correction" not in before
    fixed_at = NOW - timedelta(hours=2)
    filed = small_site.file(
        "niger-accord",
        title="Niger : accord signé à Niamey",
        published=NOW - timedelta(days=4),
        summary="Un accord régional.",
        tags=(("niger", "Niger"),),
        correction="L'accord a été signé à Niamey, et non à Zinder.",
        at=fixed_at,
    )
    assert filed.version == 2
    html = _page(small_site, "niger-accord")
    after = ld(html)
    assert after["datePublished"] == before["datePublished"] == "2025-06-27T13:00:00+01:00"
    assert before["dateModified"] == "2025-06-27T13:00:00+01:00"
    assert after["dateModified"] == "2025-07-01T11:00:00+01:00"
    assert after["correction"] == {
        "@type": "CorrectionComment",
        "text": "L'accord a été signé à Niamey, et non à Zinder.",
        "datePublished": "2025-07-01T11:00:00+01:00",
    }
    assert meta(html, "article:modified_time") == ["2025-07-01T11:00:00+01:00"]
    assert "L&#39;accord a été signé à Niamey, et non à Zinder." in html  # the notice on the page too


def test_json_ld_cannot_be_broken_out_of_and_reads_back_exactly(small_site: SmallSite) -> None:
    html = _page(small_site, "togo-port")
    script = head(html).scripts[0]
    assert "<" not in script and ">" not in script and "&" not in script
    assert "\\u003cagrandi\\u003e \\u0026 modernisé" in script
    assert ld(html)["headline"] == "Togo : le port de Lomé <agrandi> & modernisé"
    hostile = {"headline": "</script><script>alert(1)</script>", "b": "\u2028", "a": 1}
    text = str(json_ld(hostile))
    assert "</script>" not in text and "\u2028" not in text
    assert text.index('"a"') < text.index('"b"') < text.index('"headline"')  # sorted keys
    assert json.loads(text) == hostile


def test_listing_and_home_pages_get_collection_and_website_data(small_site: SmallSite) -> None:
    texts = small_site.texts()
    section = ld(texts["economie/index.html"])
    assert section["@type"] == "CollectionPage"
    assert section["name"] == "Économie"
    assert section["url"] == BASE_URL + "economie/index.html"
    assert section["isPartOf"] == {"@type": "WebSite", "name": "L'Écho du Golfe", "url": BASE_URL + "index.html"}
    items = [i["url"] for i in section["mainEntity"]["itemListElement"]]
    rows = small_site.store.articles.records(["togo-port", "benin-budget"])
    assert items == [BASE_URL + rows["togo-port"].path, BASE_URL + rows["benin-budget"].path]
    crumbs = [(c["position"], c["name"], c["item"]) for c in section["breadcrumb"]["itemListElement"]]
    assert crumbs == [(1, "Accueil", BASE_URL + "index.html"), (2, "Économie", BASE_URL + "economie/index.html")]
    assert meta(texts["economie/index.html"], "og:type") == ["website"]
    assert meta(texts["economie/index.html"], "og:url") == [BASE_URL + "economie/index.html"]
    assert head(texts["tag/benin/index.html"]).alternates[:2] == [
        ("application/rss+xml", BASE_URL + "tag/benin/feed.xml"),
        ("application/atom+xml", BASE_URL + "tag/benin/atom.xml"),
    ]
    home = ld(texts["index.html"])
    assert home["@type"] == "WebSite" and home["url"] == BASE_URL + "index.html"
    assert home["publisher"]["logo"]["url"].startswith(BASE_URL + "static/logo.")
    assert meta(texts["index.html"], "og:title") == ["L'Écho du Golfe"]
    assert head(texts["index.html"]).alternates == [
        ("application/rss+xml", BASE_URL + "feed.xml"),
        ("application/atom+xml", BASE_URL + "atom.xml"),
    ]


def test_an_embargoed_article_is_in_no_page_and_no_json(small_site: SmallSite) -> None:
    hidden = small_site.store.articles.records(["secret-embargo"])["secret-embargo"].path
    for key, text in small_site.texts().items():
        assert hidden not in text and "sous embargo" not in text, key
        for script in head(text).scripts if key.endswith(".html") else []:
            assert hidden not in json.dumps(json.loads(script)), key
    lifted = small_site.texts(NOW + timedelta(days=2))
    assert hidden in lifted
    listed = [i["url"] for i in ld(lifted["tag/benin/index.html"])["mainEntity"]["itemListElement"]]
    assert BASE_URL + hidden in listed


def test_keywords_are_merged_without_repeats() -> None:
    words = merge_keywords(
        ["Bénin", "Éducation"],
        [
            "Anselme Amoussou",
            "éducation",
            "l'enseignement technique",
            "Enseignement technique",
            "Amoussou",
            "Lomé, Togo",
        ],
    )
    assert words == ["Bénin", "Éducation", "Anselme Amoussou", "l'enseignement technique", "Lomé Togo"]
    assert len(merge_keywords([f"mot{n}" for n in range(30)])) == 10


def test_the_logo_is_a_static_file_or_an_absolute_url(tmp_path: Path) -> None:
    site = make_small_site(tmp_path / "a", logo="https://cdn.example/logo.png")
    renderer = site.renderer()
    assert renderer.logo_url == "https://cdn.example/logo.png"
    assert [p.key.split(".")[0] for p in renderer.static_pages()] == ["static/style"]
    for bad in ("../secret.svg", "/etc/passwd", "C:/logo.svg"):
        with pytest.raises(ConfigError, match=r"site\.logo"):
            small_site_config(tmp_path / "b", logo=bad)
    with pytest.raises(FileNotFoundError, match=r"site\.logo"):
        make_small_site(tmp_path / "c", logo="absent.svg").renderer()
