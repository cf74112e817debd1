"""Enrichment with the real French spaCy pipeline: tags a newsroom can trust, topics, keywords, notes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsroom.config import NewsroomConfig
from newsroom.enrich import Enricher
from newsroom.enrich.document import make_document
from newsroom.enrich.language import detect_language
from newsroom.ingest import read_article
from newsroom.models import Article
from newsroom.resources import make_enricher
from tests.support.paths import SAMPLES_DIR


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    import yaml

    from newsroom.config import parse_config
    from tests.support.paths import CONFIG_FILE

    config = parse_config(yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")), CONFIG_FILE)
    return make_enricher(config)


def _article(**fields: object) -> Article:
    base: dict[str, object] = {
        "id": "a1",
        "slug": "a1",
        "title": "Titre",
        "body_html": "<p>Texte.</p>",
        "section": "societe",
        "published": datetime(2025, 6, 23, tzinfo=UTC),
    }
    base.update(fields)
    return Article.model_validate(base)


def _sample(config: NewsroomConfig, name: str) -> Article:
    return read_article((SAMPLES_DIR / name).read_bytes(), name, config)


def test_mali_article_gets_its_people_and_places_not_apostrophes(enricher: Enricher, config: NewsroomConfig) -> None:
    article = _sample(config, "mali-russie-goita-poutine.md").model_copy(update={"tags": []})
    result = enricher.enrich([article])[0]
    slugs = {t.slug for t in result.tags}
    assert {"vladimir-poutine", "assimi-goita", "mali", "russie", "moscou"} <= slugs
    # typographic apostrophes (d’, s’, jusqu’) are not places or people
    assert not any(t.name.lower().startswith(("d'", "d’", "s'", "s’", "jusqu")) for t in result.tags)
    assert result.topics[0] == "medtop:11000000"  # diplomatie -> politics
    assert result.language == "fr" and result.notes == []
    assert any("Goïta" in k or "Poutine" in k for k in result.keywords)


def test_kremlin_does_not_silently_become_russie(enricher: Enricher) -> None:
    body = "<p>Le Kremlin a publié un communiqué. Le Kremlin n’a pas précisé la date.</p>"
    result = enricher.enrich([_article(title="Un communiqué", body_html=body)])[0]
    assert "russie" not in {t.slug for t in result.tags}


def test_a_passing_mention_is_not_a_tag_but_repeated_or_title_mentions_are(enricher: Enricher) -> None:
    body = (
        "<p>Les producteurs de coton de Kandi attendent la campagne.</p>"
        "<p>Un responsable venu de Parakou a rappelé les prix.</p>"
        "<p>À Kandi, les paysans restent inquiets.</p>"
    )
    result = enricher.enrich([_article(title="Bénin : la campagne cotonnière inquiète", body_html=body)])[0]
    slugs = {t.slug for t in result.tags}
    assert "benin" in slugs  # in the title
    assert "kandi" in slugs  # twice in the body
    assert "parakou" not in slugs  # once, in passing


def test_manual_tags_win_and_blocked_tags_go(enricher: Enricher, config: NewsroomConfig) -> None:
    article = _sample(config, "mali-russie-goita-poutine.md").model_copy(
        update={"tags": ["Coopération", "Tout nouveau sujet"], "blocked_tags": ["Moscou"]}
    )
    slugs = {t.slug for t in enricher.enrich([article])[0].tags}
    assert "tout-nouveau-sujet" in slugs  # unknown to the taxonomy, but the journalist said so
    assert "moscou" not in slugs


def test_english_body_is_detected_and_tagged_conservatively(enricher: Enricher) -> None:
    body = (
        "<p>The President of Benin, Patrice Talon, met the ECOWAS delegation in Cotonou on Monday. "
        "The talks in Cotonou were about the border with Niger and the trade of the port.</p>"
    )
    result = enricher.enrich([_article(title="Benin and Niger talk trade", body_html=body)])[0]
    assert result.language == "en"
    assert any("not French" in n for n in result.notes)
    slugs = {t.slug for t in result.tags}
    assert "benin" in slugs and "niger" in slugs  # in the title
    assert "cotonou" not in slugs  # body only: not trusted in another language


def test_empty_and_very_long_bodies(enricher: Enricher) -> None:
    empty = enricher.enrich([_article(title="Cotonou : coupure d’eau", body_html="<p></p>")])[0]
    assert "cotonou" in {t.slug for t in empty.tags}
    assert any("empty body" in n for n in empty.notes)

    paragraph = "<p>Le gouvernement du Bénin a annoncé des mesures pour Cotonou et Porto-Novo.</p>"
    huge = _article(title="Mesures", body_html=paragraph * 5000)  # ~400 KB of text
    doc = make_document(huge, max_chars=30_000)
    assert doc.truncated and len(doc.body) <= 30_000
    result = enricher.enrich([huge])[0]
    assert any("long body" in n for n in result.notes)


def test_unknown_salient_entities_become_tags_waiting_for_review(enricher: Enricher) -> None:
    body = (
        "<p>Jean-Baptiste Houngbédji, maire de Zagnanado, a reçu les chefs de quartier.</p>"
        "<p>Selon Jean-Baptiste Houngbédji, les travaux commenceront en juillet.</p>"
    )
    result = enricher.enrich([_article(title="Zagnanado prépare ses routes", body_html=body)])[0]
    assert "jean-baptiste-houngbedji" in {t.slug for t in result.tags}
    assert "jean-baptiste-houngbedji" in {n.slug for n in result.new_tags}


def test_language_detection() -> None:
    assert (
        detect_language("Le président de la République a reçu les membres du gouvernement dans la soirée.")[0] == "fr"
    )
    assert detect_language("The minister said that the government was ready for the talks with the unions.")[0] == "en"
    assert detect_language("ok")[0] == "unknown"


def test_topics_come_from_the_text_the_section_is_only_a_prior(enricher: Enricher) -> None:
    """A flood in Cotonou filed under Société is a disaster or weather story, not an economy one
    ('coton' is a word start of 'Cotonou'); a vaccine story filed under Société is about health."""
    model = enricher.topic_model
    assert model.classes, "the trained model ships in include/models/"
    body = (
        "De fortes pluies se sont abattues sur Cotonou. À Cotonou, les habitants ont passé la nuit dans l'eau. "
        "Les secours ont évacué des familles sinistrées et trois personnes sont mortes noyées."
    )
    topics = model.assign("Cotonou : des pluies diluviennes inondent les quartiers", "", body, "medtop:14000000")
    assert "medtop:04000000" not in topics
    assert topics[0] in ("medtop:03000000", "medtop:17000000"), topics
    vaccine = (
        "Le ministère de la Santé a lancé une campagne de vaccination contre la rougeole. Les médecins des "
        "hôpitaux de district vaccineront les enfants de moins de cinq ans ; l'épidémie a fait douze morts."
    )
    assert model.assign("Rougeole : la vaccination commence", "", vaccine, "medtop:14000000")[0] == "medtop:07000000"
