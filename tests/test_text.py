"""Slugs, safe ids and folding: what keeps keys clean and tags matching."""

from __future__ import annotations

import re
import unicodedata

import pytest

from newsroom.text import fold, is_safe_id, is_slug, normalize_quotes, one_line, slugify, url_problem


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Mali–Russie: Goïta et Poutine élargissent", "mali-russie-goita-et-poutine-elargissent"),
        ("Mali–Russie : Goïta", "mali-russie-goita"),
        ("L’Écho du Golfe", "l-echo-du-golfe"),
        (
            "Bénin: 15 personnes interpellées à Pahou lors d’une opération",
            "benin-15-personnes-interpellees-a-pahou-lors-d-une-operation",
        ),
        ("Cœur de Cotonou, Æsop", "coeur-de-cotonou-aesop"),
        ("  --Touadéra  hospitalisé !!  ", "touadera-hospitalise"),
        ("« Plus spectaculaires que réalistes »", "plus-spectaculaires-que-realistes"),
        ("ÉDUCATION", "education"),
        ("Faustin-Archange Touadéra", "faustin-archange-touadera"),
        ("", ""),
        ("!!! ???", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
    if slug:
        assert is_slug(slug)


def test_slugify_cuts_long_titles_at_a_word() -> None:
    title = "Centrafrique : Touadéra hospitalisé en urgence à Bruxelles, Bangui retient son souffle"

    assert slugify(title) == "centrafrique-touadera-hospitalise-en-urgence-a-bruxelles-bangui-retient-son"
    assert slugify("alpha beta gamma", max_length=12) == "alpha-beta"
    assert slugify("x" * 100) == "x" * 80
    assert all(len(slugify(title, max_length=n)) <= n for n in range(5, 90))


def test_fold_ignores_case_accents_apostrophes_and_spaces() -> None:
    assert fold("Goïta") == fold("goita") == "goita"
    assert fold("  Assimi   GOÏTA ") == "assimi goita"
    assert fold("d’Abomey") == fold("d'Abomey") == "d'abomey"
    assert fold("Straße") == "strasse"
    assert fold("Goïta") != fold("Goitá-")


def test_fold_and_quotes_on_every_character_as_the_per_character_definition() -> None:
    """fold() tests each distinct character once and replaces quotes in C; the result is the
    per-character definition's (NFKD, combining marks dropped, spaces collapsed, casefold)."""
    quotes = str.maketrans(
        {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'}
    )

    def defined(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.translate(quotes))
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return re.sub(r"\s+", " ", stripped).strip().casefold()

    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert normalize_quotes(everything) == everything.translate(quotes)
    assert fold(everything) == defined(everything)
    for text in ("", "  a \t b ", "Élysée « l’an » ﬁn ①", "e\u0301\u0327", "[]\\^-"):
        assert fold(text) == defined(text), text


def test_normalize_quotes() -> None:
    assert normalize_quotes("d’Abomey « oui » “non” ʼa") == 'd\'Abomey " oui " "non" \'a'


@pytest.mark.parametrize("value", ["mali", "mali-russie", "a1-b2-c3", "2025"])
def test_is_slug_accepts(value: str) -> None:
    assert is_slug(value)


@pytest.mark.parametrize(
    "value", ["", "Mali", "mali--russie", "-mali", "mali-", "mali_russie", "mali/x", "mali\n", "a" * 121]
)
def test_is_slug_refuses(value: str) -> None:
    assert not is_slug(value)


@pytest.mark.parametrize(
    "value",
    ["mali-russie-goita-poutine", "Article_12", "v1.2", "a", "a.b.c", "x" * 128, "2025-06-23--note"],
)
def test_is_safe_id_accepts(value: str) -> None:
    assert is_safe_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "..",
        ".",
        "../../index",
        "a..b",
        "a/b",
        "/etc",
        "a\\b",
        "..\\index",
        ".hidden",
        "-dash",
        "x" * 129,
        "abc\n",
        "a b",
        "é",
        "a%2fb",
    ],
)
def test_is_safe_id_refuses(value: str) -> None:
    assert not is_safe_id(value)


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("Facture \u202egpj.exe", "Facture gpj.exe"),  # an RLO would show "Facture exe.jpg"
        ("\u2066isolé\u2069 \u202bintégré\u202c", "isolé intégré"),
        ("rouge\x1b[31m et \x00nul", "rouge[31m et nul"),
        ("mot\u200bcaché\ufeff", "motcaché"),
        ("  deux\t lignes\n\u2028ici  ", "deux lignes ici"),
        ("émoji 👩\u200d💻 et persan می\u200cخواهم", "émoji 👩\u200d💻 et persan می\u200cخواهم"),  # joiners kept
    ],
)
def test_one_line_keeps_what_readers_see(value: str, line: str) -> None:
    assert one_line(value) == line


@pytest.mark.parametrize(
    "url", ["&#106;avascript:alert(1)", "/images/&#x6A;.jpg", "https://example.org/\u202egpj.exe", "photo\u200b.jpg"]
)
def test_url_problem_refuses_character_references_and_invisible_characters(url: str) -> None:
    assert url_problem(url)
