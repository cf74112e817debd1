"""A regression guard on enrichment quality: our own set and the real articles' test half keep their floor.

The figures themselves are `make eval`'s (README, "Enrichment quality"); these floors sit a little
under them, so a change that makes tagging, topics or related links worse on real articles fails here.
"""

from __future__ import annotations

from eval.run import evaluate_own, evaluate_real


def test_our_own_set_keeps_its_bar() -> None:
    result = evaluate_own(ner=True, verbose=False, model=None)
    assert result["articles"] >= 60
    tags = result["tags"]["all"]
    assert tags["precision"] > 0.8 and tags["recall"] > 0.78, tags
    assert result["topics"]["primary_accuracy"] > 0.75, result["topics"]
    assert result["related"]["p_at_1"] > 0.8 and result["related"]["r_at_5"] > 0.9, result["related"]


def test_real_articles_test_half_keeps_its_floor() -> None:
    result = evaluate_real(ner=True, verbose=False, show_test=False, model=None)
    assert result["articles"] >= 100
    test = result["test"]
    tags = test["tags"]["all"]
    assert tags["precision"] > 0.72 and tags["recall"] > 0.4, tags
    assert test["topics"]["primary_in_expected"] > 0.75, test["topics"]
    assert test["topics"]["primary_accuracy"] > 0.5, test["topics"]
    assert test["related"]["queries"] >= 5 and test["related"]["p_at_1"] >= 0.8, test["related"]
