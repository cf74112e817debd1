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


def test_the_cached_tokenizer_gives_segtok_s_tokens(eval_texts: list[str]) -> None:
    """``_sentences`` tokenizes with segtok's own patterns, caching per span and per token: the same
    tokens as ``split_contractions(web_tokenizer(s))`` (what yake calls), on the eval articles and on
    random strings of the characters segtok treats specially (URIs, e-mail addresses, apostrophes,
    hyphenated line breaks, sentence terminals, dangling commas, superscripts, escapes)."""
    import random

    from segtok.segmenter import split_multi
    from segtok.tokenizer import split_contractions, web_tokenizer

    from newsroom.enrich import keyphrases

    pieces = [
        *"abcXYZ éàÉ.,;:'’´-–‐!?…\n\t0123 /@#()\"[]s",
        "https://ex.com/a?b=1#c", "a.b@ex.fr", "l'", "n't", "'s", "s'", "...", "Hel- \n lo", "H₂O", "km²", "&amp;",
        "&#39;", "e.g.", "U.S.", "Dr.", "12:30", "5'-AC", "www.ex-ample.com",
    ]  # fmt: skip
    rng = random.Random(16)
    texts = eval_texts + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(5000)]
    for text in texts:
        for sentence in split_multi(text):
            expected = [
                w
                for w in split_contractions(web_tokenizer(sentence))
                if not (w.startswith("'") and len(w) > 1) and len(w) > 0
            ]
            assert [w for t in keyphrases._web_tokens(sentence) for w in keyphrases._kept(t)] == expected, sentence


def test_the_sentence_splitter_gives_segtok_s_sentences(eval_texts: list[str]) -> None:
    """``newsroom.enrich.sentences.split_multi`` (segtok's abbreviation pattern searched from the end)
    splits as ``segtok.segmenter.split_multi`` does, on the eval articles (as yake's pre-filter gives
    them, and as written) and on random strings of abbreviations, initials, dates and brackets."""
    import random

    from segtok import segmenter

    from newsroom.enrich import keyphrases, sentences

    pieces = [
        *"aZ .!?\n()[]19,",
        *"Dr Mr St No Jan Sept e.g i.e U.S z.B approx Capt etc al".split(),
        " et al. ", " by ", " Commander ", "Doktor ", ", and ", " and ", "(A", "[B", "A.-B", "Mme", "J.",
        " K. ", "12", " 3 Mar", " Jean ", " le ", " (1999) ", "Nature. ", "„É", "é", "\u2028", "\r",
    ]  # fmt: skip
    rng = random.Random(16)
    texts = [*eval_texts, *(t.replace("\n", " ") for t in eval_texts)]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(20000)]
    for text in texts:
        assert list(sentences.split_multi(text)) == list(segmenter.split_multi(text)), text
    for text in texts[: 2 * len(eval_texts)]:
        buffer = "".join(("\n\n" if part[:1].isupper() else " ") + part for part in text.split("\n"))
        assert list(sentences.split_multi(buffer)) == list(segmenter.split_multi(buffer))
    assert keyphrases._sentences.__globals__["split_multi"] is sentences.split_multi  # what yake's sentences use
