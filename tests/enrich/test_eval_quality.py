"""A regression guard on enrichment quality: the labelled set must keep its bar (make eval prints it)."""

from __future__ import annotations

from pathlib import Path

from eval.run import evaluate

DATASET = Path(__file__).resolve().parents[2] / "eval" / "dataset.yaml"


def test_enrichment_quality_bar() -> None:
    result = evaluate(DATASET)
    assert result["articles"] >= 60
    assert result["tags"]["precision"] > 0.9, result["tags"]
    assert result["tags"]["recall"] > 0.8, result["tags"]
    assert result["topics"]["primary_accuracy"] > 0.85, result["topics"]
    assert result["related"]["precision_at_5"] > 0.8, result["related"]
    assert result["related"]["recall_at_5"] > 0.9, result["related"]
