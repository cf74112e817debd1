"""Our YAKE scoring gives exactly the yake library's keyphrases and scores, on real articles.

The texts are what enrichment gives YAKE (title, standfirst and body, the lead
of it) for the articles of ``eval/``: our own set and the real Wikinews set.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yake
import yaml

from newsroom.config import parse_config
from newsroom.enrich.document import make_document
from newsroom.enrich.keyphrases import extract_keyphrases
from newsroom.enrich.keywords import _extractor, keywords, lead
from newsroom.ingest import read_article
from tests.support.paths import CONFIG_FILE

EVAL = Path(__file__).resolve().parents[2] / "eval"


@pytest.fixture(scope="module")
def eval_texts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    config = parse_config(
        yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")), CONFIG_FILE, state_dir=tmp_path_factory.mktemp("s")
    )
    files = sorted((EVAL / "articles").glob("*.md")) + sorted((EVAL / "real" / "articles").glob("*.md"))
    texts = [make_document(read_article(p.read_bytes(), p.name, config)).full_text for p in files]
    assert len(texts) == 169
    return texts


def test_the_library_s_keyphrases_and_scores_on_the_eval_articles(eval_texts: list[str]) -> None:
    extractor = _extractor("fr", 8)  # what keywords() uses
    for text in eval_texts:
        assert extract_keyphrases(extractor, lead(text)) == extractor.extract_keywords(lead(text))


def test_the_library_s_output_with_longer_phrases_and_stop_words_inside() -> None:
    """Three-word phrases ("ministre de la", "prix du pétrole") score inner stop words by their bigrams."""
    rows = (EVAL / "wikinews" / "winer-2016-2018.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    extractor = yake.KeywordExtractor(lan="fr", n=3, top=30, dedup_lim=0.8)
    inner_stop_words = 0
    for row in rows:
        item = json.loads(row)
        text = f"{item['title']}\n\n{item['text']}"
        found = extract_keyphrases(extractor, text)
        assert found == extractor.extract_keywords(text)
        inner_stop_words += sum(p.split()[1].lower() in extractor.stopword_set for p, _s in found if p.count(" ") == 2)
    assert inner_stop_words > 0


def test_no_deduplication_and_empty_texts() -> None:
    extractor = yake.KeywordExtractor(lan="fr", n=2, top=10, dedup_lim=1.0)
    text = "Le président Patrice Talon a reçu à Cotonou le président du Niger. Talon et le Niger: 12,5 milliards."
    assert extract_keyphrases(extractor, text) == extractor.extract_keywords(text)
    assert extract_keyphrases(extractor, "") == [] == extractor.extract_keywords("")
    assert extract_keyphrases(extractor, "... !") == extractor.extract_keywords("... !")


def test_keywords_reads_the_lead_and_drops_stop_word_ends() -> None:
    words = keywords("Assimi Goïta reçoit Vladimir Poutine à Moscou. " * 3 + "Lors d'une visite selon la presse.")
    assert "Assimi Goïta" in words
    assert not any(w.casefold().startswith(("lors", "selon")) for w in words)
