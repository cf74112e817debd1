"""RSS and Atom feeds: they parse without a single error, carry real values, keep their ids, hide the embargoed."""

from __future__ import annotations

import calendar
import html
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import lxml.html
import pytest

from newsroom.models import Image
from newsroom.render import feeds as feeds_module
from tests.render.site_fixture import BASE_URL, NOW, SmallSite, make_small_site

FEED_KEYS = {"feed.xml", "atom.xml"}


def _parse(body: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, f"not a well-formed feed: {parsed.get('bozo_exception')!r}"
    return parsed


def _utc(struct: object) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(struct), UTC)  # type: ignore[arg-type]


def _feeds(site: SmallSite, now: datetime = NOW) -> dict[str, bytes]:
    return {k: p.body for k, p in site.everything(now).items() if k.rsplit("/", 1)[-1] in FEED_KEYS}


def test_every_feed_of_the_site_parses_without_error(small_site: SmallSite) -> None:
    feeds = _feeds(small_site)
    sections = {s.slug for s in small_site.config.sections}
    expected = {"feed.xml", "atom.xml"}
    expected |= {f"{slug}/{name}" for slug in sections for name in ("feed.xml", "atom.xml")}
    expected |= {f"tag/{slug}/{name}" for slug in ("benin", "education", "mali", "niger", "russie", "togo")
                 for name in ("feed.xml", "atom.xml")}  # fmt: skip
    assert set(feeds) == expected  # no feed for the tag only the embargoed article has
    for key, body in feeds.items():
        parsed = _parse(body)
        assert parsed.version == ("atom10" if key.endswith("atom.xml") else "rss20"), key
        assert parsed.feed.language == "fr"
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [BASE_URL + key]


def test_site_feeds_hold_the_live_articles_newest_first_with_their_values(small_site: SmallSite) -> None:
    feeds = _feeds(small_site)
    rss, atom = _parse(feeds["feed.xml"]), _parse(feeds["atom.xml"])
    order = ["togo-port", "mali-russie", "niger-accord", "benin-ecoles", "benin-budget"]
    rows = small_site.store.articles.records(order)
    urls = [BASE_URL + rows[i].path for i in order]
    for parsed in (rss, atom):
        assert [e.link for e in parsed.entries] == urls
        assert [e.id for e in parsed.entries] == urls  # GUID / Atom id: the canonical URL
        assert parsed.feed.title == "L'Écho du Golfe"
        assert parsed.feed.link == BASE_URL + "index.html"
        mali = parsed.entries[1]
        assert mali.title == "Mali–Russie : Goïta et Poutine élargissent leur partenariat"
        assert mali.summary == "Reçu au Kremlin, Assimi Goïta veut élargir la coopération."
        assert mali.author == "Carine Houngbo"
        assert [t.term if parsed is atom else t.label or t.term for t in mali.tags] == (
            ["mali", "russie"] if parsed is atom else ["Mali", "Russie"]
        )
        assert _utc(mali.published_parsed) == NOW - timedelta(days=3)
        assert _utc(mali.updated_parsed) == NOW - timedelta(days=3)
        assert mali.media_content[0]["url"] == "https://example.org/images/kremlin.jpg"
        enclosures = [link for link in mali.links if link.rel == "enclosure"]
        assert [(e.href, e.type) for e in enclosures] == [("https://example.org/images/kremlin.jpg", "image/jpeg")]
        assert not [link for link in parsed.entries[2].links if link.rel == "enclosure"]  # niger: no image
        # the title's markup characters survive as text
        assert parsed.entries[0].title == "Togo : le port de Lomé <agrandi> & modernisé"
    assert f'<guid isPermaLink="true">{urls[0]}</guid>'.encode() in feeds["feed.xml"]
    # dates carry the site's zone (Africa/Porto-Novo, +01:00)
    assert b"<pubDate>Sat, 28 Jun 2025 13:00:00 +0100</pubDate>" in feeds["feed.xml"]
    assert b"<published>2025-06-28T13:00:00+01:00</published>" in feeds["atom.xml"]


def test_section_and_tag_feeds_hold_only_their_articles(small_site: SmallSite) -> None:
    feeds = _feeds(small_site)
    rows = small_site.store.articles.records(small_site.store.articles.all_ids())

    def ids(key: str) -> list[str]:
        by_url = {BASE_URL + row.path: row.id for row in rows.values()}
        return [by_url[e.link] for e in _parse(feeds[key]).entries]

    assert ids("economie/feed.xml") == ["togo-port", "benin-budget"]
    assert ids("news/atom.xml") == ["mali-russie", "niger-accord", "benin-ecoles"]  # a parent lists its children
    assert ids("tag/benin/feed.xml") == ["benin-ecoles", "benin-budget"]
    assert ids("culture/feed.xml") == []
    assert _parse(feeds["economie/feed.xml"]).feed.title == "Économie – L'Écho du Golfe"
    assert _parse(feeds["tag/benin/atom.xml"]).feed.title == "Bénin – L'Écho du Golfe"


def test_an_embargoed_article_is_in_no_feed_until_the_embargo_lifts(small_site: SmallSite) -> None:
    before = _feeds(small_site)
    for key, body in before.items():
        assert b"secret-embargo" not in body and b"sous embargo" not in body, key
    after = _feeds(small_site, NOW + timedelta(days=2))
    assert b"secret-embargo" in after["feed.xml"] and b"secret-embargo" in after["tag/embargo/atom.xml"]


def test_guid_is_unchanged_when_a_correction_is_filed_as_version_2(small_site: SmallSite) -> None:
    first = {k: _parse(v) for k, v in _feeds(small_site).items() if k in FEED_KEYS}
    fixed_at = NOW - timedelta(hours=1)
    filed = small_site.file(
        "mali-russie",
        title="Mali–Russie : Goïta et Poutine élargissent leur partenariat stratégique",
        published=NOW - timedelta(days=3),
        summary="Reçu au Kremlin, Assimi Goïta veut élargir la coopération.",
        image=Image(url="https://example.org/images/kremlin.jpg", alt="Assimi Goïta et Vladimir Poutine au Kremlin"),
        tags=(("mali", "Mali"), ("russie", "Russie")),
        correction="Le titre a été précisé.",
        at=fixed_at,
    )
    assert filed.version == 2
    second = {k: _parse(v) for k, v in _feeds(small_site).items() if k in FEED_KEYS}
    for key in FEED_KEYS:
        old, new = first[key].entries[1], second[key].entries[1]
        assert new.id == old.id and new.link == old.link
        assert new.title.endswith("partenariat stratégique") and not old.title.endswith("stratégique")
        assert _utc(new.published_parsed) == _utc(old.published_parsed)
        if key == "atom.xml":  # RSS items have no date of their own besides pubDate
            assert _utc(new.updated_parsed) == fixed_at and _utc(old.updated_parsed) == NOW - timedelta(days=3)
        # the feed's own date follows its newest modification, not the clock
        assert _utc(second[key].feed.updated_parsed) == fixed_at
    assert b'<guid isPermaLink="true">' + second["feed.xml"].entries[1].id.encode() in _feeds(small_site)["feed.xml"]


def test_feeds_depend_on_the_state_not_the_clock(small_site: SmallSite) -> None:
    one = _feeds(small_site, NOW)
    two = _feeds(small_site, NOW + timedelta(hours=6))  # later, nothing new went live
    assert one == two
    newest = max(row.modified for row in small_site.store.articles.records(small_site.store.articles.all_ids()).values()
                 if row.id != "secret-embargo")  # fmt: skip
    assert _utc(_parse(one["feed.xml"]).feed.updated_parsed) == newest
    assert b"python-feedgen" not in one["feed.xml"]


def test_an_empty_feed_is_valid_and_dated_from_the_state(small_site: SmallSite) -> None:
    """A section with no article yet keeps its feed, dated by the site's newest modification (it read 1970)."""
    feeds = _feeds(small_site)
    site_date = _utc(_parse(feeds["atom.xml"]).feed.updated_parsed)
    for key in ("culture/atom.xml", "culture/feed.xml"):
        parsed = _parse(feeds[key])
        assert parsed.entries == []
        assert _utc(parsed.feed.updated_parsed) == site_date, key
    assert feeds == _feeds(small_site, NOW + timedelta(hours=6))  # the state's date, not the clock's


def test_a_feed_holds_the_newest_50(tmp_path: Path) -> None:
    site = make_small_site(tmp_path / "state")
    for n in range(55):
        site.file(f"depeche-{n:02d}", title=f"Dépêche {n}", published=NOW - timedelta(hours=n + 1), keywords=())
    feeds = _feeds(site)
    for key in ("feed.xml", "atom.xml", "diplomatie/feed.xml", "tag/benin/atom.xml"):
        titles = [e.title for e in _parse(feeds[key]).entries]
        assert titles == [f"Dépêche {n}" for n in range(50)], key


def test_a_full_entry_cache_gives_the_same_feeds(small_site: SmallSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries are written once per render and kept up to ENTRY_CACHE_SIZE; emptying the cache
    in the middle of a feed (some of its entries kept, some not) changes no byte."""
    expected = _feeds(small_site)
    monkeypatch.setattr(feeds_module, "ENTRY_CACHE_SIZE", 3)
    assert _feeds(small_site) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/a.JPG", "image/jpeg"),
        ("https://x.example/a.webp?w=800", "image/webp"),
        ("https://x.example/image", None),
    ],
)
def test_image_types_come_from_a_fixed_table(url: str, expected: str | None) -> None:
    assert feeds_module.image_type(url) == expected


PAYLOAD = (
    '<script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)><a href="javascript:alert(1)">x</a>'
)


def test_rss_descriptions_read_as_text_in_a_feed_reader(tmp_path: Path) -> None:
    """RSS readers render <description> as HTML: a summary with markup must come out as that text, not as
    elements (feedparser sanitises, so read the raw XML as a reader gets it: one decode, then HTML)."""
    site = make_small_site(tmp_path / "state")
    site.file("piege", title="Piège", summary=PAYLOAD, published=NOW - timedelta(hours=1))
    feeds = _feeds(site)
    for key in ("feed.xml", "diplomatie/feed.xml", "tag/benin/feed.xml"):
        descriptions = [d.text or "" for d in ElementTree.fromstring(feeds[key]).iter("description")]
        assert html.escape(PAYLOAD, quote=False) in descriptions, key  # one decode: still escaped for HTML...
        for text in descriptions:
            tree = lxml.html.fragment_fromstring(text, create_parent="div")
            names = {el.tag for el in tree.iter()}
            assert not names & {"script", "img", "svg", "a"}, (key, text)
        assert any("".join(lxml.html.fragment_fromstring(t, create_parent="div").itertext()) == PAYLOAD
                   for t in descriptions), key  # ...and renders it as that text  # fmt: skip
    atom = ElementTree.fromstring(feeds["atom.xml"])
    summaries = [s for s in atom.iter("{http://www.w3.org/2005/Atom}summary") if "alert" in (s.text or "")]
    assert summaries and summaries[0].get("type") in (None, "text") and summaries[0].text == PAYLOAD
