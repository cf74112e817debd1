"""Fragments rendered once per render and reused: an article's link line and the site's navigation.

``PageContext.link_of`` and ``nav_html`` render a macro of
``partials/macros.html`` once and hand the same markup to every page that
shows it. These tests hold the reuse to what the macro itself prints: the same
bytes, escaped; a row read again with other values (a corrected title) is not
served the old line; the kicker and the current section are part of what is
kept apart.
"""

from __future__ import annotations

from dataclasses import replace

from newsroom.render import SiteRenderer
from newsroom.render.context import PageContext
from newsroom.render.environment import get_template
from tests.render.site_fixture import NOW, SmallSite


def _context(site: SmallSite) -> PageContext:
    return SiteRenderer(site.config, site.store, NOW).context


def test_a_link_line_is_the_macros_output_kept_for_the_same_row(small_site: SmallSite) -> None:
    ctx = _context(small_site)
    item = next(iter(ctx.reads.listings.items(NOW)))
    macro = get_template(ctx.env, "partials/macros.html").module.link_item

    line = ctx.link_of(item)
    assert str(line) == str(macro(item, ctx.url_of))
    assert ctx.link_of(item) is line  # kept: the second page gets the same markup
    assert f'href="{ctx.url_of(item.path)}"' in line and "kicker" not in line

    with_kicker = ctx.link_of(item, "Bénin")
    assert with_kicker.startswith('<li><span class="kicker">Bénin</span> <a ') and with_kicker.endswith(line[4:])

    corrected = replace(item, title="Titre <corrigé> & complété")
    fresh = ctx.link_of(corrected)
    assert "Titre &lt;corrigé&gt; &amp; complété" in fresh and item.title not in fresh
    assert ctx.link_of(item) != fresh  # the old row again: its own line, not the corrected one


def test_the_navigation_marks_only_the_current_section(small_site: SmallSite) -> None:
    ctx = _context(small_site)
    tops = [s for s in small_site.config.sections if s.parent is None]
    nobody = ctx.nav_html(None)
    assert "aria-current" not in nobody
    assert all(f">{s.name}</a></li>" in nobody for s in tops)
    for section in tops[:3]:
        nav = ctx.nav_html(section.slug)
        assert nav.count('aria-current="page"') == 1
        assert f'href="{ctx.url_of(f"{section.slug}/index.html")}" aria-current="page">' in nav
        assert ctx.nav_html(section.slug) is nav
