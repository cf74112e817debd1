"""read_article on IPTC ninjs JSON: the mapping onto Article, and its refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newsroom.ingest.ninjs import id_from_uri
from newsroom.models import Image
from newsroom.text import is_safe_id
from tests.ingest.conftest import SAMPLES_DIR, Read, Refuse

SAMPLE = "centrafrique-touadera-bruxelles.json"


def ninjs(**fields: Any) -> bytes:
    doc: dict[str, Any] = {
        "uri": "urn:newsroom:test:cotonou-dantokpa",
        "headline": "Cotonou : le marché Dantokpa rouvre",
        "section": "economie",
        "body_text": "Les commerçants reprennent leurs étals.",
    }
    doc.update(fields)
    return json.dumps({k: v for k, v in doc.items() if v is not None}, ensure_ascii=False).encode()


def test_the_ninjs_sample_becomes_an_article(read: Read) -> None:
    article = read((SAMPLES_DIR / SAMPLE).read_bytes(), SAMPLE)

    assert article.id == "centrafrique-touadera-hospitalise"
    assert article.slug == "centrafrique-touadera-hospitalise-en-urgence-a-bruxelles-bangui-retient-son"
    assert article.title == "Centrafrique : Touadéra hospitalisé en urgence à Bruxelles, Bangui retient son souffle"
    assert article.section == "diplomatie"
    assert article.authors == ["Service international"]
    assert article.published == datetime(2025, 6, 23, 6, 45, tzinfo=UTC)
    assert article.published.utcoffset() == timedelta(hours=1)
    assert article.updated == article.published
    assert article.tags == ["Centrafrique", "Touadéra", "Bangui", "Santé"]
    assert article.summary.startswith("Le président centrafricain a été évacué vers la Belgique")
    assert article.image is None
    assert article.language == "fr"
    assert article.source_format == "ninjs"
    assert article.notes == []
    assert "<script" not in article.body_html
    assert "alert" not in article.body_html
    assert article.body_html.count("<p>") == 3
    assert article.body_html.endswith("<p>Aucun bulletin de santé officiel n’a été publié pour l’instant.</p>")


def test_body_text_byline_image_and_embargo(read: Read) -> None:
    data = ninjs(
        body_text="Premier paragraphe.\nSuite <b>non</b> balisée.\n\nSecond paragraphe.",
        byline="Awa Dossou et Koffi Mensah, Jean Houénou",
        firstcreated="2025-06-23T10:00:00Z",
        embargoed="2025-06-23T12:00:00+01:00",
        publish_at="2025-06-23T10:30:00+01:00",
        description_text="Le résumé.",
        language="fr",
        ednote="Correction : le marché a rouvert lundi, pas dimanche.",
        subject=[{"name": "Cotonou"}, {"name": "Commerce", "scheme": "topic"}, {"code": "sans-nom"}],
        associations={
            "featureimage": {
                "uri": "https://example.org/fallback.jpg",
                "headline": "Le marché Dantokpa",
                "description_text": "Les allées du marché",
                "byline": "AFP",
                "renditions": {"original": {"href": "https://example.org/dantokpa.jpg"}},
            }
        },
    )
    article = read(data, "dantokpa.json")

    assert article.id == "cotonou-dantokpa"
    assert article.section == "economie"
    assert article.body_html == (
        "<p>Premier paragraphe.<br>Suite &lt;b&gt;non&lt;/b&gt; balisée.</p>\n<p>Second paragraphe.</p>"
    )
    assert article.authors == ["Awa Dossou", "Koffi Mensah", "Jean Houénou"]
    assert article.published == datetime(2025, 6, 23, 10, 0, tzinfo=UTC)
    assert article.publish_at == datetime(2025, 6, 23, 9, 30, tzinfo=UTC)
    assert article.embargo_until == datetime(2025, 6, 23, 11, 0, tzinfo=UTC)
    assert article.summary == "Le résumé."
    assert article.correction == "Correction : le marché a rouvert lundi, pas dimanche."
    assert article.tags == ["Cotonou", "Commerce"]
    assert article.image == Image(
        url="https://example.org/dantokpa.jpg", alt="Les allées du marché", caption="Le marché Dantokpa", credit="AFP"
    )


def test_section_from_a_subject_and_html_body_is_sanitised(read: Read) -> None:
    data = ninjs(
        section=None,
        body_html='<p onclick="x()">Texte <a href="javascript:alert(1)">lien</a></p><style>p{}</style>',
        subject=[{"name": "Sport", "rel": "section"}, {"name": "Football"}],
    )
    article = read(data, "sport.json")

    assert article.section == "sport"
    assert article.tags == ["Football"]
    assert article.body_html == '<p>Texte <a rel="noopener noreferrer">lien</a></p>'


def test_naive_dates_are_read_in_the_site_zone(read: Read) -> None:
    article = read(ninjs(firstcreated="2025-06-23T10:00:00"), "naive.json")

    assert article.published == datetime(2025, 6, 23, 9, 0, tzinfo=UTC)
    assert article.notes == ["published: no time zone given, read as Africa/Porto-Novo"]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("urn:newsroom:echo:mon-article", "mon-article"),
        ("https://cms.example.org/news/12345/", "12345"),
        ("tag:example.org,2025:v1.2", "v1.2"),
    ],
)
def test_id_is_the_last_segment_of_the_uri(uri: str, expected: str) -> None:
    assert id_from_uri(uri) == expected


@pytest.mark.parametrize("uri", ["urn:x:..", "https://cms/a/b/..", "urn:x:a..b", "urn:x:" + "y" * 200, "urn:x:é"])
def test_an_unsafe_uri_segment_becomes_a_stable_hash(uri: str) -> None:
    made = id_from_uri(uri)

    assert made.startswith("ninjs-")
    assert len(made) == len("ninjs-") + 16
    assert is_safe_id(made)
    assert made == id_from_uri(uri)
    assert made != id_from_uri(uri + "x")


def test_an_unsafe_uri_never_reaches_the_id(read: Read) -> None:
    article = read(ninjs(uri="https://cms.example.org/../../index/.."), "evil.json")

    assert article.id.startswith("ninjs-")


def test_missing_uri(refuse: Refuse) -> None:
    exc = refuse(ninjs(uri=None), "no-uri.json")

    assert exc.field == "uri"
    assert exc.reason == "missing: ninjs needs a uri to identify the article"


def test_missing_headline_and_body(refuse: Refuse) -> None:
    exc = refuse(ninjs(headline=None, body_text=None), "empty.json")

    assert [(p.field, p.reason) for p in exc.problems] == [("title", "missing or empty"), ("body", "missing or empty")]
    assert exc.article_id == "cotonou-dantokpa"


def test_unknown_section(refuse: Refuse) -> None:
    exc = refuse(ninjs(section="Sports"), "section.json")

    assert exc.field == "section"
    assert exc.reason.startswith("unknown section 'Sports': expected one of news, diplomatie")


def test_a_date_that_does_not_parse(refuse: Refuse) -> None:
    exc = refuse(ninjs(versioncreated="mardi"), "date.json")

    assert exc.field == "updated"
    assert "could not read 'mardi' as a date" in exc.reason


def test_embargo_before_publish_at(refuse: Refuse) -> None:
    exc = refuse(ninjs(publish_at="2025-06-23T12:00:00Z", embargoed="2025-06-23T11:00:00Z"), "embargo.json")

    assert exc.field == "embargo_until"
    assert "is earlier than publish_at" in exc.reason


def test_not_json(refuse: Refuse) -> None:
    exc = refuse(b'{\n  "uri": "urn:x:y",\n  "headline": oops\n}', "broken.json")

    assert exc.field == "json"
    assert exc.reason.startswith("not valid JSON (line 3, column 15)")


def test_json_that_is_not_an_object(refuse: Refuse) -> None:
    exc = refuse(b'["uri", "headline"]', "list.json")

    assert exc.field == "json"
    assert exc.reason == "expected a ninjs object, got list"


def test_subject_that_is_not_a_list(refuse: Refuse) -> None:
    exc = refuse(ninjs(subject=5), "subject.json")

    assert exc.field == "subject"
    assert exc.reason == "expected a list of subjects, got int"


def test_associations_that_are_not_a_mapping_are_ignored(read: Read) -> None:
    article = read(ninjs(associations=["featureimage"]), "assoc.json")

    assert article.image is None


def test_json_that_is_not_utf8(refuse: Refuse) -> None:
    exc = refuse(ninjs(headline="Marché").replace("é".encode(), b"\xe9"), "latin1.json")

    assert exc.field == "file"
    assert "not UTF-8 text: byte 0xe9 at offset" in exc.reason


def test_json_nested_a_thousand_deep_is_refused(refuse: Refuse) -> None:
    data = ninjs().replace(b'"uri"', b'"extra": ' + b"[" * 5_000 + b"]" * 5_000 + b', "uri"', 1)
    exc = refuse(data, "deep.json")

    assert (exc.field, exc.reason) == (
        "json",
        "nested too deeply: arrays or objects nested about a thousand deep are not an article",
    )


@pytest.mark.parametrize(
    ("escape", "field"),
    [
        ('"description_text": "Cotonou \\ud800"', "description_text"),
        ('"subject": [{"name": "a"}, {"name": "\\udfff"}]', "subject[1].name"),
    ],
)
def test_half_a_surrogate_pair_is_refused_naming_the_field(refuse: Refuse, escape: str, field: str) -> None:
    data = ninjs().replace(b'"uri"', escape.encode() + b', "uri"', 1)
    exc = refuse(data, "surrogate.json")

    assert exc.field == field
    assert exc.reason.startswith("a \\ud800-\\udfff escape is half of a surrogate pair, not a character")


def test_a_section_code_that_is_a_number_is_refused(refuse: Refuse) -> None:
    exc = refuse(ninjs(section=None, subject=[{"name": "x", "rel": "section", "code": 5}]), "number.json")

    assert (exc.field, exc.reason[:34]) == ("section", "expected a section's name, got int")


def test_a_number_of_thousands_of_digits_is_refused(refuse: Refuse) -> None:
    exc = refuse(ninjs(version=0).replace(b'"version": 0', b'"version": 1' + b"0" * 5_000), "number.json")

    assert (exc.field, exc.reason) == ("json", "a number of over 4,300 digits is not an article's value")
