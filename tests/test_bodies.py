"""The one sanitiser every body goes through, and the Markdown / plain text renderers."""

from __future__ import annotations

import pytest

from newsroom.bodies import markdown_to_html, sanitize_html, text_to_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Avant</p><script>alert('x')</script><p>Après</p>", "<p>Avant</p><p>Après</p>"),
        ('<p onclick="steal()" onmouseover="x()">Texte</p>', "<p>Texte</p>"),
        ('<a href="javascript:alert(1)">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        ('<a href="JaVaScRiPt:alert(1)">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        ('<img src="javascript:alert(1)" alt="x">', '<img alt="x">'),
        ("<style>body { display: none }</style><p>Vu</p>", "<p>Vu</p>"),
        ('<p style="color: red">Rouge</p>', "<p>Rouge</p>"),
        ('<iframe src="https://evil.example/"></iframe><p>Reste</p>', "<p>Reste</p>"),
        ("<p>Texte<!-- note interne --></p>", "<p>Texte</p>"),
        ("<h1>Titre</h1>", "Titre"),
        ('<form action="/x"><input name="q"></form>Fin', "Fin"),
        # only http(s) and relative URLs, and mailto for links: an image is fetched, a tel: link dialled
        ('<img src="mailto:a@example.org" alt="x">', '<img alt="x">'),
        ('<a href="tel:+22921000000">appeler</a>', '<a rel="noopener noreferrer">appeler</a>'),
        ('<blockquote cite="mailto:a@example.org">q</blockquote>', "<blockquote>q</blockquote>"),
        # invisible characters go before the URLs are read (removed after, \x01 would make javascript:)
        ('<a href="java\x01script:alert(1)">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        ("<p>Facture \u202egpj.exe\u200b</p>", "<p>Facture gpj.exe</p>"),
    ],
)
def test_dangerous_markup_is_removed(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    "markup",
    [
        '<p><a href="https://example.org/a" title="Source" rel="noopener noreferrer">lien</a></p>',
        '<a href="mailto:redaction@example.bj" rel="noopener noreferrer">écrire</a>',
        '<img src="https://example.org/i.jpg" alt="Des élèves dans un atelier">',
        '<figure><img src="https://example.org/i.jpg" alt="Atelier"><figcaption>Un atelier</figcaption></figure>',
        '<blockquote cite="https://example.org/q"><p>« Une citation »</p></blockquote>',
        "<ul><li>un</li><li>deux</li></ul>",
        '<ol start="3"><li>trois</li></ol>',
        '<table><thead><tr><th scope="col">Bilan</th></tr></thead>'
        '<tbody><tr><td colspan="2">15</td></tr></tbody></table>',
        "<h2>Intertitre</h2><p><strong>gras</strong> <em>italique</em> <code>x</code></p>",
        '<p><time datetime="2025-06-23">lundi</time></p>',
    ],
)
def test_newsroom_markup_survives(markup: str) -> None:
    assert sanitize_html(markup) == markup


def test_links_get_rel_noopener() -> None:
    assert sanitize_html('<a href="https://example.org/" target="_blank">x</a>') == (
        '<a href="https://example.org/" rel="noopener noreferrer">x</a>'
    )


def test_markdown_tables_render_as_html_tables() -> None:
    html = markdown_to_html("| Bilan | Nombre |\n|---|---:|\n| Personnes | 15 |\n")

    assert html.startswith("<table>\n<thead>\n<tr>\n<th>Bilan</th>")
    assert "<td>Personnes</td>" in html
    assert '<td style="text-align:right">15</td>' in html
    cleaned = sanitize_html(html)
    assert "<table>" in cleaned
    assert "<td>15</td>" in cleaned
    assert "style" not in cleaned


def test_markdown_features() -> None:
    html = markdown_to_html(
        "## Intertitre\n\n**gras** ~~barré~~ [lien](https://example.org)\n\n"
        "> citation\n\n- un\n- deux\n\n![Alt du texte](https://example.org/i.jpg)\n"
    )

    assert "<h2>Intertitre</h2>" in html
    assert "<strong>gras</strong> <s>barré</s>" in html
    assert '<a href="https://example.org">lien</a>' in html
    assert "<blockquote>\n<p>citation</p>\n</blockquote>" in html
    assert "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>" in html
    assert '<img src="https://example.org/i.jpg" alt="Alt du texte" />' in html
    assert '<img src="https://example.org/i.jpg" alt="Alt du texte">' in sanitize_html(html)


def test_raw_html_in_markdown_goes_through_the_sanitiser() -> None:
    html = sanitize_html(markdown_to_html('Texte <span onclick="x()">ici</span>\n\n<script>alert(1)</script>\n'))

    assert html == "<p>Texte ici</p>"


def test_text_to_html_escapes_and_makes_paragraphs() -> None:
    assert text_to_html("Un <b>1</b> & deux\r\nsuite\r\n\r\n\r\nTrois\n\n  \n") == (
        "<p>Un &lt;b&gt;1&lt;/b&gt; &amp; deux<br>suite</p>\n<p>Trois</p>\n"
    )
    assert text_to_html("   \n\n ") == ""
