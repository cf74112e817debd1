"""The NER pipeline's matrix products on numpy's BLAS, one thread: the same entities as spaCy's own
set-up (BLIS), on real French articles nobody on the project wrote (eval/real, Wikinews)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsroom.enrich.entities import DEFAULT_MODEL, EXCLUDED_PIPES, _blas_pools, load_nlp, one_blas_thread
from tests.support.paths import REPO_ROOT

REAL = sorted((REPO_ROOT / "eval" / "real" / "articles").glob("*.md"))[:40]


def _blas_threads() -> list[int]:
    return [int(pool["num_threads"]) for pool in _blas_pools().info() if pool["user_api"] == "blas"]


def test_the_pipeline_runs_on_numpy_without_blis() -> None:
    nlp = load_nlp(DEFAULT_MODEL)
    models = [pipe.model for _name, pipe in nlp.pipeline if hasattr(pipe, "model")]
    assert models, "no trained component loaded"
    for model in models:
        for node in model.walk():
            assert type(node.ops).__name__ == "NumpyOps"
            assert node.ops.use_blis is False, node.name


def test_one_blas_thread_inside_and_as_before_after() -> None:
    before = _blas_threads()
    if not before:
        pytest.skip("numpy has no BLAS that threadpoolctl can see")
    with one_blas_thread():
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before


def test_same_entities_as_spacys_own_set_up() -> None:
    import spacy

    assert len(REAL) == 40
    texts = [Path(p).read_text(encoding="utf-8") for p in REAL]
    ours = load_nlp(DEFAULT_MODEL)
    theirs = spacy.load(DEFAULT_MODEL, exclude=list(EXCLUDED_PIPES))  # thinc's default ops: BLIS
    assert theirs.get_pipe("ner").model.ops.use_blis is True  # type: ignore[attr-defined]

    def ents(nlp: object, *, one_thread: bool) -> list[list[tuple[int, int, str]]]:
        def run() -> list[list[tuple[int, int, str]]]:
            return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]  # type: ignore[attr-defined]

        if one_thread:
            with one_blas_thread():
                return run()
        return run()

    expected = ents(theirs, one_thread=False)
    assert sum(map(len, expected)) > 200  # real articles: hundreds of names
    assert ents(ours, one_thread=True) == expected
