"""Sitemaps: valid against the sitemaps.org and Google XSDs, the right articles in each, and wired into plan().

The schemas are the project's shared copies (``shared/validators/xsd`` beside
the repository), used the way ``shared/validators/validate_sitemap.py`` does:
``<urlset>`` against local-all.xsd, ``<sitemapindex>`` against siteindex.xsd.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from newsroom.models import StoredObject
from newsroom.render import sitemaps as sitemaps_module
from tests.render.golden import EXPECTED
from tests.render.site_fixture import BASE_URL, NOW, SmallSite, make_small_site

REPO = Path(__file__).resolve().parents[2]
XSD_DIRS = [REPO.parent / "shared" / "validators" / "xsd", Path("/work/shared/validators/xsd")]
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}
SITEMAP_KEYS = ("sitemap.xml", "sitemap-news.xml", "sitemaps/", "robots.txt")


@cache
def _schemas() -> dict[str, Any]:
    folder = next((d for d in XSD_DIRS if (d / "local-all.xsd").is_file()), None)
    if folder is None:
        pytest.skip(f"the shared sitemap XSDs are not there (looked in {', '.join(map(str, XSD_DIRS))})")
    return {
        "urlset": etree.XMLSchema(etree.parse(str(folder / "local-all.xsd"))),
        "sitemapindex": etree.XMLSchema(etree.parse(str(folder / "siteindex.xsd"))),
    }


def validate(body: bytes) -> Any:
    """Parse and validate like validate_sitemap.py; return the root element."""
    doc = etree.fromstring(body)
    schema = _schemas()[etree.QName(doc).localname]
    assert schema.validate(doc), "\n".join(f"{e.line}: {e.message}" for e in schema.error_log)
    return doc


def _sitemaps(site: SmallSite, now: datetime = NOW) -> dict[str, bytes]:
    return {k: p.body for k, p in site.everything(now).items() if k.startswith(SITEMAP_KEYS)}


def _locs(doc: Any) -> list[str]:
    return [str(loc) for loc in doc.xpath("s:url/s:loc/text()", namespaces=NS)]


def _url(site: SmallSite, article_id: str) -> str:
    return BASE_URL + site.store.articles.records([article_id])[article_id].path


def test_the_golden_sitemaps_are_valid() -> None:
    files = [EXPECTED / "sitemap.xml", EXPECTED / "sitemap-news.xml", *sorted((EXPECTED / "sitemaps").glob("*.xml"))]
    assert len(files) == 4
    for path in files:
        validate(path.read_bytes())


def test_every_sitemap_is_valid_and_the_index_lists_them_all(small_site: SmallSite) -> None:
    files = _sitemaps(small_site)
    assert set(files) == {
        "sitemap.xml",
        "sitemap-news.xml",
        "sitemaps/pages.xml",
        "sitemaps/2025-05.xml",
        "sitemaps/2025-06.xml",
        "robots.txt",
    }
    for key, body in files.items():
        if key.endswith(".xml"):
            validate(body)
    index = validate(files["sitemap.xml"])
    entries = [
        (s.findtext("s:loc", namespaces=NS), s.findtext("s:lastmod", namespaces=NS))
        for s in index.findall("s:sitemap", NS)
    ]
    assert entries == [
        (BASE_URL + "sitemap-news.xml", "2025-06-29T13:00:00+01:00"),
        (BASE_URL + "sitemaps/pages.xml", "2025-06-29T13:00:00+01:00"),
        (BASE_URL + "sitemaps/2025-06.xml", "2025-06-29T13:00:00+01:00"),
        (BASE_URL + "sitemaps/2025-05.xml", "2025-05-27T13:00:00+01:00"),
    ]
    assert files["robots.txt"].decode() == f"User-agent: *\nAllow: /\n\nSitemap: {BASE_URL}sitemap.xml\n"


def test_monthly_sitemaps_hold_each_live_article_of_their_month(small_site: SmallSite) -> None:
    files = _sitemaps(small_site)
    june = validate(files["sitemaps/2025-06.xml"])
    ids = ["togo-port", "mali-russie", "niger-accord", "benin-ecoles"]
    assert _locs(june) == [_url(small_site, i) for i in ids]
    assert _locs(validate(files["sitemaps/2025-05.xml"])) == [_url(small_site, "benin-budget")]
    mali = june.xpath("s:url[s:loc=$loc]", namespaces=NS, loc=_url(small_site, "mali-russie"))[0]
    assert mali.findtext("s:lastmod", namespaces=NS) == "2025-06-28T13:00:00+01:00"
    assert mali.findtext("image:image/image:loc", namespaces=NS) == "https://example.org/images/kremlin.jpg"


def test_the_news_sitemap_holds_the_last_two_days_only(tmp_path: Path) -> None:
    site = make_small_site(tmp_path / "state")
    site.file("fresh", title="Tout frais", published=NOW - timedelta(hours=1), keywords=("budget", "Assemblée, vote"))
    site.file("almost", title="Presque deux jours", published=NOW - timedelta(hours=47), language="en")
    site.file("stale", title="Un peu plus de deux jours", published=NOW - timedelta(hours=49))
    site.file("old", title="Il y a dix jours", published=NOW - timedelta(days=10))
    site.file(
        "embargoed", title="Sous embargo", published=NOW - timedelta(hours=2), embargo_until=NOW + timedelta(hours=1)
    )
    doc = validate(_sitemaps(site)["sitemap-news.xml"])
    assert _locs(doc) == [_url(site, "fresh"), _url(site, "almost")]
    fresh = doc.find("s:url", NS)
    assert fresh.findtext("news:news/news:publication/news:name", namespaces=NS) == "L'Écho du Golfe"
    assert fresh.findtext("news:news/news:publication/news:language", namespaces=NS) == "fr"
    assert fresh.findtext("news:news/news:publication_date", namespaces=NS) == "2025-07-01T12:00:00+01:00"
    assert fresh.findtext("news:news/news:title", namespaces=NS) == "Tout frais"
    assert fresh.findtext("news:news/news:keywords", namespaces=NS) == "budget, Assemblée vote"
    almost = doc.findall("s:url", NS)[1]
    assert almost.findtext("news:news/news:publication/news:language", namespaces=NS) == "en"

    # the embargo lifts: it joins; a day later the first two have aged out
    assert _url(site, "embargoed") in _locs(validate(_sitemaps(site, NOW + timedelta(hours=2))["sitemap-news.xml"]))
    later = validate(_sitemaps(site, NOW + timedelta(hours=25))["sitemap-news.xml"])
    assert _locs(later) == [_url(site, "fresh"), _url(site, "embargoed")]


def test_the_news_sitemap_keeps_at_most_the_limit(small_site: SmallSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps_module, "NEWS_LIMIT", 2)
    monkeypatch.setattr(sitemaps_module, "NEWS_WINDOW", timedelta(days=60))
    doc = validate(_sitemaps(small_site)["sitemap-news.xml"])
    assert _locs(doc) == [_url(small_site, "togo-port"), _url(small_site, "mali-russie")]


def test_without_recent_news_the_news_sitemap_lists_the_home_page(small_site: SmallSite) -> None:
    doc = validate(_sitemaps(small_site, NOW + timedelta(days=30))["sitemap-news.xml"])
    assert _locs(doc) == [BASE_URL + "index.html"]
    assert doc.find("s:url/news:news", NS) is None


def test_the_pages_sitemap_lists_home_sections_and_tags_in_use(small_site: SmallSite) -> None:
    doc = validate(_sitemaps(small_site)["sitemaps/pages.xml"])
    sections = [s.slug for s in small_site.config.sections]
    tags = ["benin", "education", "mali", "niger", "russie", "togo"]  # not "embargo": only the embargoed has it
    assert _locs(doc) == [
        BASE_URL + "index.html",
        *[f"{BASE_URL}{slug}/index.html" for slug in sections],
        *[f"{BASE_URL}tag/{slug}/index.html" for slug in tags],
    ]
    lastmod = {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in doc.findall("s:url", NS)
    }
    assert lastmod[BASE_URL + "economie/index.html"] == "2025-06-29T13:00:00+01:00"
    assert lastmod[BASE_URL + "tag/benin/index.html"] == "2025-06-26T13:00:00+01:00"
    assert lastmod[BASE_URL + "culture/index.html"] is None  # empty: no date to give


def test_an_embargoed_article_is_in_no_sitemap(small_site: SmallSite) -> None:
    hidden = _url(small_site, "secret-embargo")
    for key, body in _sitemaps(small_site).items():
        assert hidden.encode() not in body, key
        assert b"tag/embargo/" not in body, key
    lifted = _sitemaps(small_site, NOW + timedelta(days=2))
    assert hidden.encode() in lifted["sitemaps/2025-06.xml"]


def test_plan_renders_the_touched_feeds_and_the_sitemaps(small_site: SmallSite) -> None:
    renderer = small_site.renderer()
    everything = list(renderer.everything())
    # as if all of it had been published
    small_site.store.objects.record(
        [StoredObject(p.key, p.md5, len(p.body), "", p.kind, p.article_id) for p in everything]
    )
    small_site.file("benin-ecoles-2", title="Bénin : les écoles rouvrent", published=NOW - timedelta(hours=3),
                    section="education", tags=(("education", "Éducation"),))  # fmt: skip
    planned = {p.key: p for p in small_site.renderer().plan(["benin-ecoles-2"])}
    feeds = {k for k, p in planned.items() if p.kind == "feed"}
    assert feeds == {
        "feed.xml",
        "atom.xml",
        "education/feed.xml",
        "education/atom.xml",
        "news/feed.xml",
        "news/atom.xml",
        "tag/education/feed.xml",
        "tag/education/atom.xml",
    }
    sitemaps = {k for k, p in planned.items() if p.kind == "sitemap"}
    # the month of the change (also the current month); June and May are published and untouched
    assert sitemaps == {"sitemap.xml", "sitemap-news.xml", "sitemaps/pages.xml", "sitemaps/2025-07.xml", "robots.txt"}
    news = validate(planned["sitemap-news.xml"].body)
    assert _url(small_site, "benin-ecoles-2") in _locs(news)
    # what plan renders is what a full render gives for the same state
    full = {p.key: p.body for p in small_site.renderer().everything()}
    for key in feeds | sitemaps:
        assert planned[key].body == full[key], key
    assert all(p.article_id is None for p in planned.values() if p.kind in ("feed", "sitemap"))


def test_plan_renders_what_was_never_published(small_site: SmallSite) -> None:
    """After an upgrade, the first run publishes the months, section and tag feeds missing from the bucket."""
    planned = {p.key for p in small_site.renderer().plan(["mali-russie"])}
    assert {"sitemaps/2025-05.xml", "sitemaps/2025-06.xml"} <= planned
    assert {"economie/feed.xml", "culture/atom.xml", "tag/togo/feed.xml", "tag/benin/atom.xml"} <= planned


def test_sitemap_text_is_escaped_and_cleaned() -> None:
    url = sitemaps_module.Url("https://x.example/a?b=1&c=2 d", news=None)
    body = sitemaps_module.urlset([url], publication="A & B", tz=ZoneInfo("UTC"))
    assert b"<loc>https://x.example/a?b=1&amp;c=2%20d</loc>" in body
    assert sitemaps_module.xml_text("a\x00b\x1fc") == "abc"
    with pytest.raises(ValueError, match="at least one URL"):
        sitemaps_module.urlset([], publication="A", tz=ZoneInfo("UTC"))
