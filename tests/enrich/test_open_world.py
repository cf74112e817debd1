"""Open-world entity tags with the real French model: salient names become tags, variants merge,
junk never does, and odd bodies neither crash nor make junk tags."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime

import pytest

from newsroom.enrich import Enricher, Enrichment
from newsroom.enrich.enricher import name_key, surname_key
from newsroom.enrich.names import clean, is_common_word, junk_reason
from newsroom.models import Article, Tag
from newsroom.resources import make_enricher
from newsroom.taxonomy import Taxonomy, parse_taxonomy


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    import yaml

    from newsroom.config import parse_config
    from tests.support.paths import CONFIG_FILE

    config = parse_config(yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")), CONFIG_FILE)
    return make_enricher(config)


def _article(body: str, title: str = "Actualité", **fields: object) -> Article:
    base: dict[str, object] = {
        "id": "a1",
        "slug": "a1",
        "title": title,
        "body_html": "".join(f"<p>{p}</p>" for p in body.split("\n\n")),
        "section": "societe",
        "published": datetime(2025, 6, 23, tzinfo=UTC),
    }
    base.update(fields)
    return Article.model_validate(base)


def _names(result: Enrichment) -> dict[str, str]:
    return {t.name: t.kind for t in result.tags}


class FakeDirectory:
    """The tags earlier articles created, as the store's registry would answer."""

    def __init__(self, known: Mapping[str, Tag | None]) -> None:
        self.known = dict(known)

    def resolve(self, keys: Collection[str]) -> Mapping[str, Tag | None]:
        return {k: self.known[k] for k in keys if k in self.known}


MINISTER = (
    "Le ministre malien de la Justice, Mamadou Kassogué, a annoncé lundi à Bamako la création d'un pôle "
    "judiciaire spécialisé.\n\n"
    "Selon M. Kassogué, le nouveau pôle traitera les dossiers de corruption en moins de six mois. "
    "« Nous voulons des procès rapides », a déclaré Kassogué devant la presse.\n\n"
    "L'annonce intervient après un audit de la Cour suprême."
)


def test_a_salient_unknown_person_becomes_a_new_tag_under_the_full_name(enricher: Enricher) -> None:
    [result] = enricher.enrich([_article(MINISTER, "Mali : le ministre Kassogué annonce un pôle anticorruption")])
    assert _names(result).get("Mamadou Kassogué") == "person", result.tags
    assert "Kassogué" not in _names(result) and "M. Kassogué" not in _names(result)
    [new] = [n for n in result.new_tags if n.name == "Mamadou Kassogué"]
    assert new.slug == "mamadou-kassogue" and new.kind == "person"
    assert name_key("Kassogué") in new.keys and surname_key("Mamadou Kassogué") in new.keys


def test_a_later_article_with_the_surname_joins_the_existing_tag(enricher: Enricher) -> None:
    known = {surname_key("Mamadou Kassogué"): Tag("mamadou-kassogue", "Mamadou Kassogué", "person")}
    body = (
        "Kassogué a présenté le bilan du pôle judiciaire devant les députés.\n\n"
        "Pour Kassogué, la lutte contre la corruption avance."
    )
    [result] = enricher.enrich([_article(body, "Justice : Kassogué défend son bilan")], FakeDirectory(known))
    assert Tag("mamadou-kassogue", "Mamadou Kassogué", "person") in result.tags
    assert not result.new_tags
    [alone] = enricher.enrich([_article(body, "Justice : Kassogué défend son bilan")])
    assert "Kassogué" not in _names(alone), "a surname alone never creates a tag"


def test_a_blocked_or_merged_name_follows_the_editors_decision(enricher: Enricher) -> None:
    blocked = {name_key("Mamadou Kassogué"): None}
    [result] = enricher.enrich([_article(MINISTER, "Mali : Mamadou Kassogué")], FakeDirectory(blocked))
    assert "Mamadou Kassogué" not in _names(result) and not result.new_tags
    merged = {name_key("Mamadou Kassogué"): Tag("justice", "Justice", "topic")}
    [result] = enricher.enrich([_article(MINISTER, "Mali : Mamadou Kassogué")], FakeDirectory(merged))
    assert Tag("justice", "Justice", "topic") in result.tags


def test_the_taxonomy_wins_where_it_speaks(enricher: Enricher) -> None:
    body = "Le président Assimi Goïta a reçu ses ministres.\n\nGoïta a ensuite quitté Bamako pour Moscou."
    [result] = enricher.enrich([_article(body, "Mali : Goïta réunit son gouvernement")])
    slugs = {t.slug for t in result.tags}
    assert "assimi-goita" in slugs and "bamako" not in {n.slug for n in result.new_tags}
    assert all(n.slug not in enricher.taxonomy.entries for n in result.new_tags)


JUNK_BODY = (
    "L'État a pris des mesures. Le Gouvernement a réuni la presse. "
    "Selon L'Écho du Golfe, le Covid a encore progressé en Afrique. Covid a fait trois morts. "
    "Le Covid inquiète.\n\n"
    "Informatique : les écoles manquent d'ordinateurs. Les Béninois attendent. Les Béninois espèrent. "
    "L'Afrique regarde. L'État promet. Le Gouvernement promet."
)


def test_junk_never_becomes_a_tag(enricher: Enricher) -> None:
    [result] = enricher.enrich([_article(JUNK_BODY, "État, Gouvernement et Covid : L'Écho du Golfe enquête")])
    names = {n.casefold() for n in _names(result)}
    for junk in ("état", "gouvernement", "covid", "afrique", "l'écho du golfe", "écho du golfe", "informatique"):
        assert junk not in names, (junk, result.tags)
    assert not any(t.kind == "person" and t.name.casefold().startswith("covid") for t in result.tags)
    assert "Béninois" not in _names(result)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("M. Talon", "person", "Talon"),
        ("le président Patrice Talon", "person", "Patrice Talon"),
        ("l'ONU", "organisation", "ONU"),
        ("Le Figaro", "organisation", "Le Figaro"),
        ("Le Caire", "place", "Le Caire"),
        ("N'Djamena", "place", "N'Djamena"),
        ("Jean-Marie Koffi", "person", "Jean-Marie Koffi"),
    ],
)
def test_names_lose_their_titles_but_keep_their_own_articles(text: str, kind: str, expected: str) -> None:
    assert clean(text, kind) == expected
    assert junk_reason(expected, kind) is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [("État", "organisation"), ("Covid", "person"), ("Afrique", "place"), ("d'", "place"), ("Le", "person"),
     ("2025", "organisation"), ("Talon a déclaré", "person"), ("Gouvernement", "organisation")],
)  # fmt: skip
def test_junk_reasons(name: str, kind: str) -> None:
    assert junk_reason(clean(name, kind), kind, publication=frozenset({"l'echo du golfe"})) is not None


def test_common_words_from_the_models_dictionary(enricher: Enricher) -> None:
    lexicon = enricher.extractor.common_words
    assert lexicon, "the model's lemmatizer tables give the French dictionary"
    assert is_common_word("Informatique", lexicon) and is_common_word("Polonaise", lexicon)
    assert not is_common_word("Kassogué", lexicon) and not is_common_word("ONU", lexicon)


def test_a_taxonomy_blocked_name_is_never_a_tag(enricher: Enricher) -> None:
    taxonomy: Taxonomy = parse_taxonomy({"tags": [], "blocked": ["Mamadou Kassogué"]}, "t.yaml")
    assert taxonomy.is_blocked("mamadou kassogue")
    other = Enricher(taxonomy, {}, publication=["L'Écho du Golfe"])
    [result] = other.enrich([_article(MINISTER, "Mali : Mamadou Kassogué")])
    assert "Mamadou Kassogué" not in _names(result)


def test_one_gazetteer_span_and_an_overlapping_ner_span_are_one_mention(enricher: Enricher) -> None:
    from newsroom.enrich.document import make_document
    from newsroom.enrich.salience import analysed_text, group

    body = "Le Congo Brazzaville prépare ses élections. Une délégation est arrivée hier."
    text, layout = analysed_text(make_document(_article(body, "Élections en préparation")))
    mentions = enricher.extractor.mentions([text])[0]
    assert any(m.source == "gazetteer" and m.text == "Congo" for m in mentions)
    assert not any(m.source == "ner" and "Congo" in m.text for m in mentions), mentions
    entities, _refused = group(text, layout, mentions)
    [congo] = [e for e in entities if e.slug == "congo"]
    assert congo.count == 1, "one mention, not two"


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Bref", "Une seule phrase sans nom propre."),
        (
            "Résultats du cross de Cotonou",
            "\n\n".join(f"{i}. {n}" for i, n in enumerate(
                ["Koffi Adjovi", "Aïcha Bello", "Jean-Marie Houngbo", "Fatou N'Diaye", "Paul Agossou",
                 "Rachidi Sanni", "Odile Kpadé", "Ibrahim Touré"], 1)),
        ),
        ("BÉNIN : LE PRÉSIDENT TALON INAUGURE LE PORT",
         "LE PRÉSIDENT TALON A INAUGURÉ LE NOUVEAU QUAI DU PORT DE COTONOU. "
         "LES OPÉRATEURS SALUENT UN INVESTISSEMENT HISTORIQUE POUR LE BÉNIN ET LA SOUS-RÉGION."),
        ("ECOWAS summit opens in Abuja", "The heads of state of West Africa met in Abuja on Sunday. "
         "President Bola Tinubu welcomed the delegations and called for unity."),
        ("N'Djamena : Jean-Marie Koffi d'Abomey-Calavi nommé", "Jean-Marie Koffi, originaire d'Abomey-Calavi, "
         "a été nommé à N'Djamena. À N'Djamena, Jean-Marie Koffi dirigera l'agence."),
        ("Un très long article", ("Le conseil municipal de Parakou a voté le budget. " * 40 + "\n\n") * 60),
    ],
)  # fmt: skip
def test_odd_bodies_neither_crash_nor_make_junk(enricher: Enricher, title: str, body: str) -> None:
    [result] = enricher.enrich([_article(body, title)])
    for tag in result.tags:
        assert junk_reason(tag.name, tag.kind) is None, tag
        assert (len(tag.name) <= 60 and tag.name[:1].isupper()) or tag.kind == "topic", tag
    if title.startswith("Résultats"):
        assert not [t for t in result.tags if t.kind == "person"], "a results table tags nobody"
    if title.isupper():
        assert all(t.slug in enricher.taxonomy.entries for t in result.tags), "capitals: the taxonomy's names only"
        assert any("capitals" in n for n in result.notes)
    if title.startswith("ECOWAS"):
        assert not result.new_tags and any("not French" in n for n in result.notes)
    if title.startswith("N'Djamena"):
        assert {"N'Djamena", "Jean-Marie Koffi"} <= set(_names(result)), result.tags
