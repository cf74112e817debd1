"""archive.wxr: WordPress exports streamed item by item; published posts become fields, the rest is skipped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from newsroom.archive.wxr import Item, NotWxrError, autop, read_items
from tests.support.archive import WXR
from tests.support.linear import MAX_GROWTH, growth

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Test</title>
"""


def post(title: str, body: str = "Un paragraphe.", post_type: str = "post", status: str = "publish") -> str:
    return (
        f"<item><title>{title}</title><link>https://example.bj/{title.lower()}/</link>"
        f"<dc:creator>redaction</dc:creator><guid>https://example.bj/?p={len(title)}</guid>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded>"
        "<wp:post_date_gmt>2025-06-23 10:00:00</wp:post_date_gmt>"
        f"<wp:post_name>{title.lower()}</wp:post_name><wp:status>{status}</wp:status>"
        f"<wp:post_type>{post_type}</wp:post_type>"
        '<category domain="category" nicename="sport"><![CDATA[Sport]]></category></item>\n'
    )


def export(tmp_path: Path, items: str, doctype: str = "", tail: str = "</channel></rss>\n") -> Path:
    path = tmp_path / "export.xml"
    path.write_text(HEAD.format(doctype=doctype) + items + tail, encoding="utf-8")
    return path


def by_guid(items: list[Item]) -> dict[str | None, Item]:
    return {item.guid: item for item in items}


def test_published_posts_become_fields_and_the_rest_is_skipped() -> None:
    items = list(read_items(WXR))
    assert sorted(item.index for item in items) == list(range(1, 9))
    skipped = {item.guid: item.skipped for item in items if item.skipped}
    assert skipped == {
        "https://www.echodugolfe.bj/?page_id=12": "not a published post (page)",
        "https://www.echodugolfe.bj/?p=48230": "not a published post (draft)",
        "https://www.echodugolfe.bj/wp-content/uploads/2025/06/goita-poutine-kremlin.jpg": (
            "not a published post (attachment)"
        ),
        "https://www.echodugolfe.bj/?p=48100": "not a published post (trash)",
    }

    mali = by_guid(items)["https://www.echodugolfe.bj/?p=48213"]
    assert mali.fields["title"] == "Mali–Russie: Goïta et Poutine élargissent leur partenariat stratégique"
    assert mali.fields["published"] == datetime(2025, 6, 23, 13, 5, 12, tzinfo=UTC)  # wp:post_date_gmt
    assert mali.fields["updated"] == datetime(2025, 6, 23, 16, 40, tzinfo=UTC)
    assert mali.fields["authors"] == ["Fulbert Adjimehossou"]  # dc:creator login -> display name
    assert mali.fields["slug"] == "mali-russie-goita-et-poutine-elargissent-leur-partenariat-strategique"
    assert mali.fields["tags"] == ["Assimi Goïta", "Vladimir Poutine"]
    assert mali.fields["source_format"] == "wxr"
    assert mali.sections == ["Diplomatie", "diplomatie", "News - Infos", "news-infos"]
    assert (
        mali.url == "https://www.echodugolfe.bj/mali-russie-goita-et-poutine-elargissent-leur-partenariat-strategique/"
    )
    # the featured image's attachment comes later in the export, and is still found
    assert mali.fields["image"] == {
        "url": "https://www.echodugolfe.bj/wp-content/uploads/2025/06/goita-poutine-kremlin.jpg"
    }
    assert mali.fields["body_html"].count("<p>") == 6
    assert mali.fields["body_html"].startswith("<p>En visite officielle à Moscou")
    assert len(mali.sha256) == 64

    touadera = by_guid(items)["https://www.echodugolfe.bj/?p=48201"]
    assert touadera.fields["authors"] == ["La Rédaction"]
    assert (
        touadera.fields["summary"]
        == "Le président centrafricain a été évacué vers la Belgique ; la présidence se veut rassurante."
    )
    body = touadera.fields["body_html"]
    assert (
        "rassurant : « le chef de l’État se porte bien et poursuit ses examens de routine ».<br>\nDans la capitale"
        in body
    )
    assert "<h2>Une transition encadrée par la Constitution</h2>" in body
    assert '<figure><img class="size-full wp-image-48202"' in body
    assert "<figcaption>Vue de Bangui, la capitale centrafricaine</figcaption></figure>" in body
    assert "[caption" not in body

    football = by_guid(items)["https://www.echodugolfe.bj/?p=48190"]
    assert football.fields["slug"] == "football-les-guépards-du-bénin-qualifiés-pour-la-can-2025"  # percent-decoded
    assert "<!-- wp:" not in football.fields["body_html"]
    assert '<h2 class="wp-block-heading">Une qualification attendue</h2>' in football.fields["body_html"]


def test_autop_wraps_bare_paragraphs_like_wordpress() -> None:
    text = "Premier paragraphe\nsur deux lignes.\n\n<ul><li>un</li></ul>\n\n\n  Second paragraphe.  \r\n"
    assert (
        autop(text)
        == "<p>Premier paragraphe<br>\nsur deux lignes.</p>\n<ul><li>un</li></ul>\n<p>Second paragraphe.</p>"
    )
    assert autop('[gallery ids="1,2"]\n\nTexte [vc_row]dans une rangée[/vc_row].') == "<p>Texte dans une rangée.</p>"


def test_a_sitemap_is_not_a_wordpress_export(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    with pytest.raises(NotWxrError, match=r"not a WordPress export \(root <urlset>"):
        list(read_items(path))


def test_a_plain_rss_feed_is_not_a_wordpress_export(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title></item></channel></rss>')
    with pytest.raises(NotWxrError):
        list(read_items(path))


def test_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY lol "lollollol">]>\n'
    item = post("Fuite").replace("<title>Fuite</title>", "<title>Fuite &xxe; &lol;</title>")
    item = item.replace("<dc:creator>redaction</dc:creator>", "<dc:creator>&xxe;</dc:creator>")
    (read,) = list(read_items(export(tmp_path, item, doctype=doctype)))
    assert read.fields["title"] == "Fuite"
    assert "TOP-SECRET-TOKEN" not in repr(read)
    assert "lollollol" not in repr(read)


def test_a_broken_export_yields_what_came_before_the_error(tmp_path: Path) -> None:
    path = export(tmp_path, post("Avant") + "<item><title>Cassé</titre></item>", tail="")
    read: list[Item] = []
    with pytest.raises(etree.XMLSyntaxError):
        read.extend(read_items(path))
    assert [item.fields["title"] for item in read] == ["Avant"]


def test_the_item_hash_changes_only_with_the_item(tmp_path: Path) -> None:
    first = list(read_items(export(tmp_path, post("Un") + post("Deux"))))
    second = list(read_items(export(tmp_path, post("Un") + post("Deux", body="Corrigé."))))
    assert first[0].sha256 == second[0].sha256
    assert first[1].sha256 != second[1].sha256


@pytest.mark.parametrize(
    ("hostile", "n"),
    [
        pytest.param(lambda n: "a" + " " * n + "b", 5_000, id="a whitespace run"),
        pytest.param(lambda n: "[caption]" * n, 600, id="[caption] repeated, never closed"),
        pytest.param(lambda n: "[caption" * n + "[/caption]", 600, id="[caption without its bracket"),
        pytest.param(lambda n: "<!-- wp:" * n, 600, id="unclosed <!-- wp: comments"),
        pytest.param(lambda n: "[gallery" * n, 600, id="unclosed [gallery shortcodes"),
    ],
)
def test_autop_takes_linear_time_on_hostile_text(hostile: Callable[[int], str], n: int) -> None:
    assert growth(autop, hostile(n), hostile(8 * n)) < MAX_GROWTH


def test_an_excerpt_of_angle_brackets_takes_linear_time(tmp_path: Path) -> None:
    def read(n: int) -> Path:
        item = post(f"Extrait{n}").replace(
            "</item>", f"<excerpt:encoded><![CDATA[{'<' * n}]]></excerpt:encoded></item>"
        )
        return export(tmp_path / str(n), item)

    for n in (4_000, 32_000):
        (tmp_path / str(n)).mkdir()
    assert growth(lambda path: list(read_items(path)), read(4_000), read(32_000)) < MAX_GROWTH


def test_an_undeclared_namespace_prefix_loses_only_its_item(tmp_path: Path) -> None:
    bad = post("Mauvais").replace("<wp:status>", "<wpml:lang>fr</wpml:lang><wp:status>")
    odd_attribute = post("Attribut").replace("<item>", '<item foo:id="7">')
    items = list(read_items(export(tmp_path, post("Avant") + bad + odd_attribute + post("Apres"))))

    assert [item.fields["title"] for item in items if not item.error] == ["Avant", "Apres"]
    errors = {item.index: item.error for item in items if item.error}
    assert errors == {
        2: "line 6: namespace prefix 'wpml' is not declared (<wpml:lang>)",
        3: "line 7: namespace prefix 'foo' is not declared (attribute foo:id)",
    }


def test_a_root_with_an_undeclared_prefix_is_not_a_wordpress_export(tmp_path: Path) -> None:
    path = tmp_path / "odd.xml"
    path.write_text('<?xml version="1.0"?><x:rss xmlns:wp="http://wordpress.org/export/1.2/"><channel/></x:rss>')
    with pytest.raises(NotWxrError, match=r"root <x:rss>"):
        list(read_items(path))
