"""archive.html: saved pages of the legacy WordPress site -> article fields, or why they are not articles."""

from __future__ import annotations

from datetime import datetime

import pytest

from newsroom.archive.html import NotAnArticle, _beyond_teasers, french_date, read_page
from tests.support.archive import (
    CEP_PAGE,
    EMPTY_PAGE,
    GODOMEY_PAGE,
    NOT_FOUND_PAGE,
    SECTION_FRONT,
    SEED_FURNITURE,
    SEED_PAGE,
    SEED_PARAGRAPHS,
)
from tests.support.linear import MAX_GROWTH, growth, refusing


def refused(data: bytes) -> str:
    with pytest.raises(NotAnArticle) as caught:
        read_page(data)
    return caught.value.reason


def test_the_seed_page_gives_the_article_and_nothing_around_it() -> None:
    page = read_page(SEED_PAGE.read_bytes())
    fields = page.fields

    assert fields["title"] == "Mali–Russie: Goïta et Poutine élargissent leur partenariat stratégique"
    assert fields["published"] == "2025-06-23T13:05:12+00:00"
    assert fields["updated"] == "2025-06-23T16:40:00+00:00"
    assert fields["authors"] == ["Fulbert Adjimehossou"]
    assert fields["summary"].startswith("En visite officielle à Moscou depuis le dimanche 22 juin 2025")
    assert fields["image"]["url"].endswith("/wp-content/uploads/2025/06/goita-poutine-kremlin.jpg")
    assert fields["slug"] == "mali-russie-goita-et-poutine-elargissent-leur-partenariat-strategique"
    assert fields["tags"] == ["Assimi Goïta", "Vladimir Poutine", "Mali"]
    assert fields["source_format"] == "html"
    assert (
        page.url == "https://www.echodugolfe.bj/mali-russie-goita-et-poutine-elargissent-leur-partenariat-strategique/"
    )
    assert page.sections[0] == "Diplomatie"
    assert "News - Infos" in page.sections

    body = fields["body_html"]
    assert body.count("<p>") == 6
    for paragraph in SEED_PARAGRAPHS:
        assert paragraph in body
    for furniture in SEED_FURNITURE:
        assert furniture not in body, furniture
    assert "<h1" not in body  # the title is not repeated in the body
    assert "pub-inline.jpg" not in body  # the ad's image went with its "- Publicité-" label


def test_headings_lists_and_quotes_survive_and_the_theme_does_not() -> None:
    page = read_page(GODOMEY_PAGE.read_bytes())
    body = page.fields["body_html"]

    assert "<h2>Onze motos retrouvées</h2>" in body
    assert "<li>onze motos de marque Bajaj et Haojue ;</li>" in body
    assert "<blockquote>" in body and "munis de leurs pièces" in body
    for furniture in ("Publicité", "ARTICLES CONNEXES", "POPULAIRES", "Suivez-nous", "Article précédent",
                      "Partager sur Facebook", "LAISSER UN COMMENTAIRE", "Pahou", "TAGS"):  # fmt: skip
        assert furniture not in body, furniture
    # 23:30 UTC on the 20th is 00:30 on the 21st in Porto-Novo: the importer files it on the 21st
    assert page.fields["published"] == "2025-06-20T23:30:00+00:00"
    assert page.fields["authors"] == ["Aminou Bello"]
    assert page.sections[:2] == ["Société", "societe"]
    assert page.fields["tags"] == ["Godomey", "Police républicaine"]


def test_an_old_latin1_page_gets_its_french_date_author_and_category() -> None:
    page = read_page(CEP_PAGE.read_bytes())

    assert page.fields["title"] == "Bénin: les résultats du CEP 2025 seront disponibles en ligne"
    assert page.fields["published"] == datetime(2025, 6, 16, 18, 20)  # "Publié le lundi 16 juin 2025 à 18h20"
    assert page.fields["authors"] == ["Léa Houngbédji"]
    assert page.sections == ["Éducation"]
    assert "tags" not in page.fields  # rel="category tag" is a category, not a tag
    assert "77 communes du pays" in page.fields["body_html"]
    assert "Publicité" not in page.fields["body_html"]
    assert page.url is None


def test_a_section_front_is_not_an_article() -> None:
    reason = refused(SECTION_FRONT.read_bytes())
    assert reason == "not an article: section front (12 article links, no article body)"


def test_a_listing_without_wordpress_markers_is_recognised_by_its_links() -> None:
    teasers = "".join(
        f'<div class="teaser"><h3><a href="/article-{i}/">Titre de l’article numéro {i} sur la vie à Cotonou</a></h3>'
        f"<p>Résumé {i}.</p></div>"
        for i in range(8)
    )
    html = f"<html><head><title>Société</title></head><body><h1>Société</h1>{teasers}</body></html>"
    assert refused(html.encode()) == "not an article: section front (8 article links, no article body)"


def test_an_article_with_a_sidebar_of_teasers_is_still_an_article() -> None:
    paragraphs = "".join(
        f"<p>Paragraphe {i} : les producteurs de coton de Kandi ont livré leur récolte au marché "
        f"régional, où les prix ont progressé de plusieurs francs par kilo cette saison.</p>"
        for i in range(6)
    )
    sidebar = "".join(f'<li><h3><a href="/autre-{i}/">Autre titre {i}</a></h3></li>' for i in range(8))
    html = (
        "<html><head><title>Coton : une récolte record à Kandi</title></head><body>"
        "<div id='main'><h1>Coton : une récolte record à Kandi</h1><p class='date'>mardi 3 juin 2025</p>"
        f"{paragraphs}</div><div id='side'><ul>{sidebar}</ul></div></body></html>"
    )
    page = read_page(html.encode())
    assert page.fields["title"] == "Coton : une récolte record à Kandi"
    assert page.fields["published"] == datetime(2025, 6, 3)
    assert "Paragraphe 5" in page.fields["body_html"]


def test_a_404_page_is_not_an_article() -> None:
    reason = refused(NOT_FOUND_PAGE.read_bytes())
    assert reason.startswith("not an article: 404 page (title ")
    assert "Page non trouvée" in reason


def test_a_plain_404_page_without_wordpress_is_recognised_by_its_title() -> None:
    html = "<html><head><title>Oups ! Page introuvable</title></head><body><h1>Oups !</h1>" + "<p>x</p>" * 50
    assert "404 page" in refused(html.encode())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "not an article: empty page (0 bytes)"),
        (b"  \n ", "not an article: empty page (0 bytes)"),
        (EMPTY_PAGE.read_bytes(), "not an article: empty page (0 characters of text)"),
        (b"<html><body><p>Brouillon.</p></body></html>", "not an article: empty page (10 characters of text)"),
    ],
)
def test_empty_and_tiny_pages_are_not_articles(data: bytes, expected: str) -> None:
    assert refused(data) == expected


def test_a_page_with_little_text_is_not_an_article() -> None:
    html = (
        "<html><head><title>Photo du jour</title></head><body><h1>Photo du jour</h1>"
        "<p>Le lac Nokoué au lever du soleil, vu depuis Ganvié.</p></body></html>"
    )
    assert refused(html.encode()).startswith("not an article: too little text (")


def test_a_redirect_stub_is_not_an_article() -> None:
    html = (
        '<html><head><meta http-equiv="Refresh" content="0; url=https://www.echodugolfe.bj/nouvelle-adresse/">'
        "</head><body><p>Cette page a déménagé, vous allez être redirigé vers la nouvelle adresse.</p></body></html>"
    )
    assert refused(html.encode()) == "not an article: redirect page (to https://www.echodugolfe.bj/nouvelle-adresse/)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lundi 23 juin 2025", datetime(2025, 6, 23)),
        ("Publié le 1er août 2024 à 9h05 par la rédaction", datetime(2024, 8, 1, 9, 5)),
        ("mis à jour le 12 Décembre 2023, 18:45", datetime(2023, 12, 12, 18, 45)),
        ("le 31 février 2025", None),
        ("aucune date ici", None),
    ],
)
def test_french_dates(text: str, expected: datetime | None) -> None:
    assert french_date(text) == expected


def _page(title: str, after: str = "") -> bytes:
    article = "<p>" + "Le marché de Dantokpa a rouvert ce lundi après trois jours de fermeture. " * 6 + "</p>"
    return (
        f"<html><head><title>{title}</title></head><body class='single'><article><h1>Titre</h1>{article}"
        f"</article>{after}</body></html>"
    ).encode()


def test_a_title_repeating_a_word_takes_linear_time() -> None:
    read = refusing(read_page, NotAnArticle)
    assert growth(read, _page("oups " * 1_000), _page("oups " * 8_000)) < MAX_GROWTH


def test_a_page_of_many_short_blocks_takes_linear_time() -> None:
    """trafilatura's justext fallback rescans runs of short paragraphs: past 1,000 elements it is not used."""
    read = refusing(read_page, NotAnArticle)
    assert growth(read, _page("", "<li>404 " * 600), _page("", "<li>404 " * 4_800)) < MAX_GROWTH


def test_a_front_of_thousands_of_teasers_is_measured_in_linear_time() -> None:
    def front(n: int) -> tuple[str, list[str]]:
        titles = [f"Titre numéro {i} d’un article sur la vie à Cotonou" for i in range(n)]
        return "\n".join(f"{title}\nRésumé {i}." for i, title in enumerate(titles)), titles

    assert _beyond_teasers(*front(8)) == len(" ".join(f"Résumé {i}." for i in range(8)))
    assert growth(lambda args: _beyond_teasers(*args), front(500), front(4_000)) < MAX_GROWTH
