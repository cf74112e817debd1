"""The feeds written as text are byte for byte those feedgen wrote: on the sample site, on generated
articles, and on values full of what XML escapes (tests/render/feedgen_reference.py is feedgen's writer)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bench.generate import generate_articles
from newsroom.models import Image
from newsroom.render import SiteRenderer
from newsroom.render.feed_xml import rfc2822
from tests.render.feedgen_reference import FeedgenWriter
from tests.render.site_fixture import NOW, SmallSite, make_small_site

FEED_NAMES = ("feed.xml", "atom.xml")


def _both(site: SmallSite) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every feed of the site as the text writer and as feedgen write them, by key."""
    ours = SiteRenderer(site.config, site.store, NOW)
    theirs = SiteRenderer(site.config, site.store, NOW)
    reference = FeedgenWriter(theirs.site, site.store, theirs.url_of, NOW)
    theirs.feeds = theirs.listings.feeds = reference

    def feeds(renderer: SiteRenderer) -> dict[str, bytes]:
        return {p.key: p.body for p in renderer.everything() if p.key.rsplit("/", 1)[-1] in FEED_NAMES}

    return feeds(ours), feeds(theirs)


def _assert_same(site: SmallSite, at_least: int) -> None:
    ours, theirs = _both(site)
    assert len(theirs) >= at_least
    assert set(ours) == set(theirs)
    for key in sorted(theirs):
        assert ours[key] == theirs[key], key


def test_the_sample_sites_feeds_are_feedgens_bytes(small_site: SmallSite) -> None:
    _assert_same(small_site, at_least=20)


def test_generated_articles_feeds_are_feedgens_bytes(tmp_path: Path) -> None:
    site = make_small_site(tmp_path / "state")
    sections = {s.slug for s in site.config.sections}
    for n, article in enumerate(generate_articles(120)):
        published = NOW - timedelta(hours=7 * n + 1)
        site.file(
            article.id,
            title=article.title,
            published=published,
            updated=published + timedelta(hours=2) if article.updated else None,
            section=article.section if article.section in sections else "diplomatie",
            summary=article.summary,
            image=Image(url=article.image.url, alt=article.image.alt) if article.image else None,
            authors=article.authors,
            tags=[(t.lower().replace(" ", "-"), t) for t in article.tags[:5]],
        )
    _assert_same(site, at_least=40)


def test_values_xml_must_escape_give_feedgens_bytes(tmp_path: Path) -> None:
    site = make_small_site(tmp_path / "state", name='Le "Golfe" & <Cie>\tinfo', description="Ligne 1\r\nLigne 2 > 1")
    odd = "A & B < C > D \"quoted\" 'single'\ttab\r\nnew line \x01control\u2028 é"
    site.file(
        "odd-one",
        title=odd,
        published=NOW - timedelta(hours=1),
        summary=odd + " <script>alert(1)</script>",
        image=Image(url='https://example.org/i/a&b "c".JPEG?x=1&y=<2>', alt=odd),
        authors=(odd, "", "Deuxième Auteur"),
        tags=(("amp-tag", odd), ("empty-name", "")),
    )
    site.file("no-summary", title="Sans résumé", published=NOW - timedelta(hours=2), summary="", authors=())
    site.file(
        "control-summary", title="Résumé vide une fois nettoyé", published=NOW - timedelta(hours=3), summary="\x02"
    )
    site.file(
        "unknown-image",
        title="Image sans type connu",
        published=NOW - timedelta(hours=4),
        image=Image(url="/images/relative/photo.tiff"),
    )
    _assert_same(site, at_least=6)


@pytest.mark.parametrize("month", range(1, 13))
def test_rfc2822_dates_are_the_c_locales_whatever_the_process(month: int) -> None:
    value = (NOW.replace(month=month, day=3)).astimezone()
    assert rfc2822(value) == value.strftime("%a, %d %b %Y %H:%M:%S %z")
