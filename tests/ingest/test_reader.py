"""read_article on Markdown: a valid Article, or an ArticleError naming the file, the field and the reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsroom.models import Image
from tests.ingest.conftest import SAMPLES_DIR, Read, Refuse, markdown, problem

PORTO_NOVO = ZoneInfo("Africa/Porto-Novo")
KNOWN_SECTIONS = "news, diplomatie, politique, societe, faits-divers, education, economie, sport, culture"

FULL = """\
---
id: cotonou-dantokpa
title: "Cotonou :  le marché Dantokpa   rouvre après l’incendie"
section: economie
author: Awa Dossou, Koffi Mensah
date: 2025-06-23T10:30:00+01:00
updated: 2025-06-23T12:00:00Z
description: "Les commerçants   reprennent leurs étals."
tags: [Dantokpa, Cotonou, Commerce]
image: https://example.org/images/dantokpa.jpg
image_alt: "Les allées du marché"
image_caption: "Le marché Dantokpa, lundi"
image_credit: "Photo : Awa Dossou"
---
Les **commerçants** ont repris leurs étals. [Lire aussi](https://example.org/incendie).

<script>alert("x")</script>

<p onclick="steal()">Le <a href="javascript:alert(1)">maire</a> était présent.</p>
"""


def test_markdown_with_front_matter_becomes_an_article(read: Read) -> None:
    article = read(FULL, "2025-06-23-dantokpa.md")

    assert article.id == "cotonou-dantokpa"
    assert article.slug == "cotonou-le-marche-dantokpa-rouvre-apres-l-incendie"
    assert article.title == "Cotonou : le marché Dantokpa rouvre après l’incendie"
    assert article.section == "economie"
    assert article.authors == ["Awa Dossou", "Koffi Mensah"]
    assert article.published == datetime(2025, 6, 23, 9, 30, tzinfo=UTC)
    assert article.published.utcoffset() == timedelta(hours=1)
    assert article.updated == datetime(2025, 6, 23, 12, 0, tzinfo=UTC)
    assert article.updated.utcoffset() == timedelta(0)
    assert article.publish_at is None
    assert article.embargo_until is None
    assert article.summary == "Les commerçants reprennent leurs étals."
    assert article.tags == ["Dantokpa", "Cotonou", "Commerce"]
    assert article.image == Image(
        url="https://example.org/images/dantokpa.jpg",
        alt="Les allées du marché",
        caption="Le marché Dantokpa, lundi",
        credit="Photo : Awa Dossou",
    )
    assert article.language == "fr"
    assert article.source_format == "markdown"
    assert article.notes == []
    assert article.body_html == (
        "<p>Les <strong>commerçants</strong> ont repris leurs étals. "
        '<a href="https://example.org/incendie" rel="noopener noreferrer">Lire aussi</a>.</p>\n\n'
        '<p>Le <a rel="noopener noreferrer">maire</a> était présent.</p>'
    )


def test_id_defaults_to_the_file_name_and_section_may_be_given_by_name(read: Read) -> None:
    article = read(markdown("title: Le budget 2026\nsection: Économie"), "budget-2026.md")

    assert article.id == "budget-2026"
    assert article.section == "economie"
    assert article.slug == "le-budget-2026"
    assert article.authors == []
    assert article.published is None


def test_explicit_slug_wins_and_upper_case_extension_is_markdown(read: Read) -> None:
    article = read(markdown("title: Un titre\nslug: mon-slug\nsection: sport"), "NOTE.MD")

    assert (article.id, article.slug, article.section) == ("NOTE", "mon-slug", "sport")


def test_a_utf8_byte_order_mark_is_accepted(read: Read) -> None:
    article = read(b"\xef\xbb\xbf" + markdown("title: Avec BOM\nsection: news"), "bom.md")

    assert article.title == "Avec BOM"


EXPECTED_SAMPLES = {
    "benin-enseignement-technique.md": ("benin-enseignement-technique-amoussou", "education", ["Carine Houngbo"]),
    "benin-motos-godomey.md": ("benin-motos-godomey", "faits-divers", ["Rodrigue Adjovi"]),
    "benin-pahou-interpellations.md": ("benin-pahou-interpellations", "faits-divers", ["Rodrigue Adjovi"]),
    "centrafrique-touadera-bruxelles.json": (
        "centrafrique-touadera-hospitalise",
        "diplomatie",
        ["Service international"],
    ),
    "mali-russie-goita-poutine.md": ("mali-russie-goita-poutine", "diplomatie", ["La Rédaction"]),
    "parakou-detournement.md": ("parakou-agents-suspendus", "societe", ["Ibrahim Sanni"]),
}


def test_the_samples_are_the_expected_set() -> None:
    names = sorted(p.name for p in SAMPLES_DIR.iterdir())
    assert names == sorted([*EXPECTED_SAMPLES, "broken-no-title.md"])


@pytest.mark.parametrize("name", sorted(EXPECTED_SAMPLES))
def test_every_good_sample_reads(read: Read, name: str) -> None:
    article = read((SAMPLES_DIR / name).read_bytes(), name)

    assert (article.id, article.section, article.authors) == EXPECTED_SAMPLES[name]
    assert article.published is not None
    assert article.published.tzinfo is not None
    assert article.published.utcoffset() == timedelta(hours=1)
    assert article.title
    assert article.tags
    assert article.body_html.startswith("<p>")
    assert "<script" not in article.body_html
    assert article.notes == []


def test_sample_with_image_and_list(read: Read) -> None:
    article = read((SAMPLES_DIR / "benin-enseignement-technique.md").read_bytes(), "benin-enseignement-technique.md")

    assert article.published == datetime(2025, 6, 24, 7, 0, tzinfo=UTC)
    assert article.tags == ["Bénin", "Éducation"]
    assert article.image is not None
    assert article.image.url == "https://example.org/images/lycee-technique.jpg"
    assert article.image.alt == "Des élèves dans l'atelier d'un lycée technique de Cotonou"
    assert article.image.credit == "Archives"
    assert "<ul>\n<li>des ateliers sans machines en état de marche ;</li>" in article.body_html


def test_sample_with_markdown_table(read: Read) -> None:
    article = read((SAMPLES_DIR / "benin-pahou-interpellations.md").read_bytes(), "benin-pahou-interpellations.md")

    assert "<table>" in article.body_html
    assert "<th>Bilan de l'opération</th>" in article.body_html
    assert "<td>Personnes interpellées</td>\n<td>15</td>" in article.body_html


def test_broken_sample_is_refused_with_every_problem(refuse: Refuse) -> None:
    exc = refuse((SAMPLES_DIR / "broken-no-title.md").read_bytes(), "broken-no-title.md")

    assert [p.field for p in exc.problems] == ["published", "title"]
    assert problem(exc, "title").reason == "missing or empty"
    assert "'le 25 juin'" in problem(exc, "published").reason
    assert exc.article_id == "benin-cep-resultats"


# -- refusals ------------------------------------------------------------------


def test_front_matter_that_is_not_yaml(refuse: Refuse) -> None:
    exc = refuse(markdown("section: news\ntitle: Bénin: a: b"), "bad-yaml.md")

    assert exc.field == "front matter"
    assert exc.reason.startswith("not valid YAML: line 3, column ")
    assert "mapping values are not allowed" in exc.reason  # libyaml and pure-Python word it differently


def test_front_matter_that_is_not_a_mapping(refuse: Refuse) -> None:
    exc = refuse(markdown("- just\n- a list"), "list.md")

    assert exc.field == "front matter"
    assert "expected key: value pairs, got list" in exc.reason


def test_no_front_matter(refuse: Refuse) -> None:
    exc = refuse("# Un titre\n\nDu texte sans en-tête.\n", "plain.md")

    assert exc.field == "front matter"
    assert exc.reason.startswith("missing: the file must start with a line '---'")


def test_front_matter_not_closed(refuse: Refuse) -> None:
    exc = refuse("---\ntitle: Sans fin\nsection: news\n\nLe texte.\n", "open.md")

    assert exc.field == "front matter"
    assert "not closed" in exc.reason


@pytest.mark.parametrize("head", ["section: news", "title: '   '\nsection: news", "title: null\nsection: news"])
def test_missing_title(refuse: Refuse, head: str) -> None:
    exc = refuse(markdown(head), "no-title.md")

    assert [(p.field, p.reason) for p in exc.problems] == [("title", "missing or empty")]
    assert exc.article_id == "no-title"


def test_title_too_long(refuse: Refuse) -> None:
    exc = refuse(markdown(f"title: {'Très long ' * 40}\nsection: news"), "long.md")

    assert exc.field == "title"
    assert "300" in exc.reason


@pytest.mark.parametrize("body", ["", "\n\n   \n", "<script>alert('vide')</script>\n", "<!-- rien -->\n"])
def test_missing_or_empty_body(refuse: Refuse, body: str) -> None:
    exc = refuse(markdown("title: Un titre\nsection: news", body), "empty.md")

    assert [(p.field, p.reason) for p in exc.problems] == [("body", "missing or empty")]


def test_unknown_section_lists_the_known_ones(refuse: Refuse) -> None:
    exc = refuse(markdown("title: Un titre\nsection: sportz"), "section.md")

    assert exc.field == "section"
    assert exc.reason == f"unknown section 'sportz': expected one of {KNOWN_SECTIONS}"


def test_missing_section_lists_the_known_ones(refuse: Refuse) -> None:
    exc = refuse(markdown("title: Un titre"), "section.md")

    assert exc.field == "section"
    assert exc.reason == f"missing: expected one of {KNOWN_SECTIONS}"


def test_unknown_field_with_a_hint(refuse: Refuse) -> None:
    exc = refuse(markdown("title: Un titre\nsection: news\nembargo: 2025-06-24T08:00:00+01:00"), "typo.md")

    assert [p.field for p in exc.problems] == ["embargo"]
    assert exc.reason == "unknown front matter field (did you mean 'embargo_until'?)"


def test_unknown_field_without_a_close_match(refuse: Refuse) -> None:
    exc = refuse(markdown("id: x1\ntitle: Un titre\nsection: news\nzzz: 1"), "typo.md")

    assert exc.field == "zzz"
    assert exc.reason == "unknown front matter field"
    assert exc.article_id == "x1"


@pytest.mark.parametrize(
    ("written", "value"), [("le 25 juin", "le 25 juin"), ("'2025-13-45'", "2025-13-45"), ("23/06/2025", "23/06/2025")]
)
def test_a_date_that_does_not_parse(refuse: Refuse, written: str, value: str) -> None:
    exc = refuse(markdown(f"title: Un titre\nsection: news\npublished: {written}"), "date.md")

    assert exc.field == "published"
    assert exc.reason == f"could not read {value!r} as a date: expected ISO 8601 such as 2025-06-23T10:30:00+01:00"


def test_an_impossible_yaml_date_is_an_article_error(refuse: Refuse) -> None:
    # Unquoted, YAML itself reads it as a date and fails with ValueError (not YAMLError).
    exc = refuse(markdown("title: Un titre\nsection: news\npublished: 2025-13-45"), "date.md")

    assert exc.field == "front matter"
    assert exc.reason == "not valid YAML: month must be in 1..12"


def test_a_date_of_the_wrong_type(refuse: Refuse) -> None:
    exc = refuse(markdown("title: Un titre\nsection: news\nupdated: [2025]"), "date.md")

    assert exc.field == "updated"
    assert "expected a date, got list" in exc.reason


@pytest.mark.parametrize("bad_id", ["../../index", "a/b", "a\\b", "..", ".hidden", "a..b", "x" * 129, '"abc\\n"'])
def test_an_unsafe_id_is_refused(refuse: Refuse, bad_id: str) -> None:
    exc = refuse(markdown(f"id: {bad_id}\ntitle: Un titre\nsection: news"), "unsafe.md")

    assert exc.field == "id"
    assert "is not a safe id" in exc.reason


def test_an_unsafe_file_name_is_refused_as_id(refuse: Refuse) -> None:
    exc = refuse(markdown("title: Un titre\nsection: news"), "bad..name.md")

    assert exc.field == "id"
    assert "'bad..name' is not a safe id" in exc.reason


def test_a_directory_in_the_file_name_is_not_part_of_the_id(read: Read) -> None:
    article = read(markdown("title: Un titre\nsection: news"), "../../index.md")

    assert article.id == "index"


def test_a_bad_slug_is_refused(refuse: Refuse) -> None:
    exc = refuse(markdown("title: Un titre\nslug: ../Mon Slug\nsection: news"), "slug.md")

    assert exc.field == "slug"
    assert "is not a slug" in exc.reason


def test_a_body_of_several_megabytes(refuse: Refuse) -> None:
    paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20 + "\n\n"
    body = "<p>" + paragraph * (3_000_000 // len(paragraph)) + "</p>"
    exc = refuse(json.dumps({"uri": "huge", "headline": "Un titre", "section": "news", "body_html": body}), "huge.json")

    assert [p.field for p in exc.problems] == ["body"]
    assert exc.reason == "3.0 MB is over the limit of 2.0 MB (site.max_body_bytes)"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "Lorem ipsum dolor sit amet. " * 40_000,
            "1.1 MB of Markdown is over the limit of 0.3 MB (site.max_markdown_bytes)",
        ),
        ("[" * 250_000, "250,000 '[' characters: more than 20,000 links or images is not an article"),
        ("![" * 100_000, "100,000 '[' characters: more than 20,000 links or images is not an article"),
    ],
    ids=["long", "brackets", "images"],
)
def test_markdown_over_its_limits_is_refused_before_it_is_rendered(
    refuse: Refuse, monkeypatch: pytest.MonkeyPatch, body: str, reason: str
) -> None:
    # Rendering such bodies costs seconds to minutes (runs of '[' or '![' are ~50 us each): never start it.
    def render(text: str) -> str:
        raise AssertionError(f"rendered {len(text):,} characters of Markdown over the limit")

    monkeypatch.setattr("newsroom.ingest.markdown.markdown_to_html", render)
    exc = refuse(markdown("id: trop-long\ntitle: Un titre\nsection: news", body), "long.md")

    assert [(p.field, p.reason) for p in exc.problems] == [("body", reason)]
    assert exc.article_id == "trop-long"


def test_an_unclosed_quote_is_reported_where_it_was_opened(refuse: Refuse) -> None:
    exc = refuse(markdown('section: news\ntitle: "Bénin : le CEP publie\nauthors: Rédaction\nsummary: Un résumé'))

    assert exc.field == "front matter"
    assert exc.reason.startswith("not valid YAML: line 3, column 8: a quote opened here is never closed")


def test_yaml_aliases_are_refused_before_anything_expands_them(refuse: Refuse) -> None:
    # A kilobyte of nested aliases is hundreds of millions of items once anything turns it into text.
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    exc = refuse(markdown("\n".join([*levels, "title: Un titre", "section: *a8"])), "bomb.md")

    assert exc.field == "front matter"
    assert exc.reason == "not valid YAML: line 3, column 10: aliases (*name) are not allowed here; write the value out"


def test_a_plain_alias_is_refused_too(refuse: Refuse) -> None:
    exc = refuse(markdown("title: &t Un titre\nsummary: *t\nsection: news"))

    assert exc.reason.startswith("not valid YAML: line 3, column 10: aliases")


def test_a_file_far_over_the_limit_is_refused_before_parsing(refuse: Refuse) -> None:
    exc = refuse(b"x" * 5_000_000, "enormous.md")

    assert exc.field == "file"
    assert exc.reason == "5.0 MB is over the limit of 4.1 MB for one article"


def test_bytes_that_are_not_utf8(refuse: Refuse) -> None:
    data = markdown("title: Un café\nsection: news").replace("é".encode(), b"\xe9")
    offset = data.index(b"\xe9")
    exc = refuse(data, "latin1.md")

    assert exc.field == "file"
    assert exc.reason == f"not UTF-8 text: byte 0xe9 at offset {offset} (save the file as UTF-8)"
    assert offset == 17


@pytest.mark.parametrize(
    ("name", "shown"), [("article.docx", ".docx"), ("article.txt", ".txt"), ("README", "(no extension)")]
)
def test_an_unsupported_extension(refuse: Refuse, name: str, shown: str) -> None:
    exc = refuse(markdown("title: Un titre\nsection: news"), name)

    assert exc.field == "file"
    assert exc.reason == f"unsupported format {shown}: file Markdown (.md) or ninjs JSON (.json)"


def test_embargo_earlier_than_publish_at_is_refused(refuse: Refuse) -> None:
    head = "title: Un titre\nsection: news\npublish_at: 2025-06-24T10:00:00+01:00\n" + (
        "embargo_until: 2025-06-24T09:00:00+01:00"
    )
    exc = refuse(markdown(head), "embargo.md")

    assert exc.field == "embargo_until"
    assert exc.reason.startswith("2025-06-24T09:00:00+01:00 is earlier than publish_at 2025-06-24T10:00:00+01:00")


def test_embargo_after_publish_at_is_accepted(read: Read) -> None:
    head = "title: Un titre\nsection: news\npublish_at: 2025-06-24T10:00:00+01:00\nembargo_until: 2025-06-24T12:00:00Z"
    article = read(markdown(head), "embargo.md")

    assert article.publish_at == datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
    assert article.embargo_until == datetime(2025, 6, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2025-06-24T10:00:00", "2025-06-24 10:00", "'2025-06-24T10:00:00'"])
def test_a_naive_publish_at_is_read_in_the_site_zone_with_a_note(read: Read, value: str) -> None:
    article = read(markdown(f"title: Un titre\nsection: news\npublish_at: {value}"), "naive.md")

    assert article.publish_at == datetime(2025, 6, 24, 10, 0, tzinfo=PORTO_NOVO)
    assert article.publish_at == datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
    assert article.notes == ["publish_at: no time zone given, read as Africa/Porto-Novo"]


def test_a_plain_date_is_midnight_in_the_site_zone(read: Read) -> None:
    article = read(markdown("title: Un titre\nsection: news\npublished: 2025-06-24"), "date.md")

    assert article.published == datetime(2025, 6, 23, 23, 0, tzinfo=UTC)
    assert article.notes == ["published: no time zone given, read as Africa/Porto-Novo"]


def test_several_problems_are_reported_together(refuse: Refuse) -> None:
    exc = refuse(markdown("id: a/b\nsection: nulle-part\npublished: demain", body=""), "many.md")

    fields = [p.field for p in exc.problems]
    assert fields == ["published", "title", "section", "body", "id"]
    assert str(exc).startswith("many.md: published: could not read 'demain'")
