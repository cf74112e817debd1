"""The taxonomy: aliases fold to one canonical tag; a bad file is an error naming the entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsroom.enrich import Taxonomy, TaxonomyError, load_taxonomy
from newsroom.models import Tag
from newsroom.taxonomy import KINDS, parse_taxonomy

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = REPO_ROOT / "include" / "taxonomy.yaml"

POUTINE = Tag("vladimir-poutine", "Vladimir Poutine", "person")
GOITA = Tag("assimi-goita", "Assimi Goïta", "person")


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(SHIPPED)


def entry(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, **extra}


def test_the_shipped_taxonomy_loads(taxonomy: Taxonomy) -> None:
    assert {"vladimir-poutine", "assimi-goita", "benin", "police-republicaine", "sante"} <= set(taxonomy.entries)
    assert taxonomy.entries["vladimir-poutine"].kind == "person"
    assert taxonomy.entries["vladimir-poutine"].aliases == ("Poutine", "Vladimir Putin", "Putin", "V. Poutine")
    assert taxonomy.entries["education"].iptc == "medtop:05000000"
    assert taxonomy.entries["mali"].aliases == ()
    assert {e.kind for e in taxonomy.entries.values()} <= set(KINDS)


@pytest.mark.parametrize(
    "raw", ["Poutine", "Vladimir Poutine", "poutine", "POUTINE", "  Vladimir   Poutine ", "Putin", "V. Poutine"]
)
def test_every_spelling_of_poutine_is_one_tag(taxonomy: Taxonomy, raw: str) -> None:
    assert taxonomy.normalise([raw]) == [POUTINE]


@pytest.mark.parametrize("raw", ["Goita", "Goïta", "GOÏTA", "goïta", "Assimi Goita", "Colonel Goïta", "assimi-goita"])
def test_accents_and_case_fold(taxonomy: Taxonomy, raw: str) -> None:
    assert taxonomy.normalise([raw]) == [GOITA]


def test_lookup_falls_back_to_the_slug(taxonomy: Taxonomy) -> None:
    porto_novo = taxonomy.lookup("Porto Novo")
    assert porto_novo is not None
    assert porto_novo.slug == "porto-novo"
    assert taxonomy.lookup("Benin") is taxonomy.entries["benin"]
    assert taxonomy.lookup("République du Bénin") is taxonomy.entries["benin"]
    assert taxonomy.lookup("Atlantide") is None


def test_normalise_keeps_order_merges_duplicates_and_keeps_unknown_tags(taxonomy: Taxonomy) -> None:
    tags = taxonomy.normalise(
        ["Poutine", "Mali", "Vladimir Poutine", "poutine", "Goita", "Marché  Dantokpa", "marche dantokpa", "!!!", ""]
    )

    assert tags == [
        POUTINE,
        Tag("mali", "Mali", "place"),
        GOITA,
        Tag("marche-dantokpa", "Marché Dantokpa", "topic"),
    ]


def test_the_mali_sample_tags(taxonomy: Taxonomy) -> None:
    tags = taxonomy.normalise(["Mali", "Russie", "Goïta", "Poutine", "Moscou", "Diplomatie"])

    assert [t.slug for t in tags] == ["mali", "russie", "assimi-goita", "vladimir-poutine", "moscou", "diplomatie"]
    assert [t.kind for t in tags] == ["place", "place", "person", "person", "place", "topic"]


def test_the_pahou_sample_tags(taxonomy: Taxonomy) -> None:
    tags = taxonomy.normalise(["Bénin", "Pahou", "Police", "sécurité"])

    assert tags == [
        Tag("benin", "Bénin", "place"),
        Tag("pahou", "Pahou", "place"),
        Tag("police-republicaine", "Police républicaine", "organisation"),
        Tag("securite", "Sécurité", "topic"),
    ]


def test_slug_defaults_to_the_slugified_name_and_type_to_topic() -> None:
    taxonomy = parse_taxonomy({"tags": [entry("Marché Dantokpa")]}, "t.yaml")

    made = taxonomy.entries["marche-dantokpa"]
    assert (made.name, made.kind, made.aliases, made.iptc) == ("Marché Dantokpa", "topic", (), None)


def test_an_empty_file_is_an_empty_taxonomy() -> None:
    taxonomy = parse_taxonomy(None, "t.yaml")

    assert taxonomy.entries == {}
    assert taxonomy.normalise(["Poutine"]) == [Tag("poutine", "Poutine", "topic")]


# -- errors ---------------------------------------------------------------------------


def error(items: Any) -> str:
    with pytest.raises(TaxonomyError) as caught:
        parse_taxonomy({"tags": items} if isinstance(items, list) else items, "taxonomy.yaml")
    message = str(caught.value)
    assert message.startswith("taxonomy.yaml: "), message
    return message


def test_duplicate_alias_names_both_entries() -> None:
    message = error(
        [
            entry("Vladimir Poutine", slug="vladimir-poutine", type="person", aliases=["Poutine"]),
            entry("Poutine (plat)", slug="poutine-plat", type="topic", aliases=["poutine"]),
        ]
    )

    assert message == (
        "taxonomy.yaml: tags[1] (Poutine (plat)): alias 'poutine' is already used by tags[0] Vladimir Poutine"
    )


def test_an_alias_that_folds_like_another_name_is_a_duplicate() -> None:
    message = error([entry("Assimi Goïta"), entry("Autre", aliases=["ASSIMI GOITA"])])

    assert "tags[1] (Autre)" in message
    assert "'assimi goita' is already used by tags[0] Assimi Goïta" in message


def test_a_repeated_alias_within_one_entry_is_fine() -> None:
    taxonomy = parse_taxonomy({"tags": [entry("Mali", aliases=["mali", "MALI", "Mali"])]}, "t.yaml")

    assert list(taxonomy.entries) == ["mali"]


def test_duplicate_slug() -> None:
    message = error([entry("Bénin", slug="benin"), entry("Benin (pays)", slug="benin")])

    assert message == "taxonomy.yaml: tags[1]: duplicate slug 'benin' (also tags[0] Bénin)"


def test_bad_type() -> None:
    message = error([entry("Mali", type="pays")])

    assert message == (
        "taxonomy.yaml: tags[0] (Mali): type 'pays' is not one of person, place, organisation, topic, event"
    )


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([entry("Mali", slug="Mali")], "tags[0] (Mali): slug 'Mali' is not a lowercase slug"),
        ([entry("Mali", slug="mali\n")], "tags[0] (Mali): slug 'mali\\n' is not a lowercase slug"),
        ([entry("Mali", aliases="Bamako")], "tags[0] (Mali): 'aliases' must be a list of strings"),
        ([entry("Mali", aliases=[1])], "tags[0] (Mali): 'aliases' must be a list of strings"),
        ([entry("Mali", tipe="place")], "tags[0]: unknown key(s) tipe"),
        ([{"slug": "mali"}], "tags[0]: 'name' is required"),
        ([entry("  ")], "tags[0]: 'name' is required"),
        (["Mali"], "tags[0]: expected a mapping with slug, name, type, aliases"),
        ({"tag": []}, "expected a top-level 'tags:' list"),
        ({"tags": "Mali"}, "expected a top-level 'tags:' list"),
    ],
)
def test_invalid_entries(items: Any, expected: str) -> None:
    assert error(items) == f"taxonomy.yaml: {expected}"


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(missing)
    assert str(caught.value) == f"{missing}: taxonomy file not found"

    broken = tmp_path / "broken.yaml"
    broken.write_text("tags:\n  - name: [Mali\n", encoding="utf-8")
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(broken)
    assert str(caught.value).startswith(f"{broken}: not valid YAML")

    bad = tmp_path / "bad.yaml"
    bad.write_text("tags:\n  - name: Mali\n  - name: Mali bis\n    aliases: [mali]\n", encoding="utf-8")
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(bad)
    assert str(caught.value) == f"{bad}: tags[1] (Mali bis): alias 'mali' is already used by tags[0] Mali"


def test_an_impossible_yaml_date_is_a_taxonomy_error(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text("tags:\n  - name: Fête\n    aliases: [2025-13-45]\n", encoding="utf-8")

    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)

    assert str(caught.value) == f"{path}: not valid YAML: month must be in 1..12"
