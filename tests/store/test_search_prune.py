"""At archive scale a term most articles hold is left out of the related-links query."""

from __future__ import annotations

from pathlib import Path

import pytest

import newsroom.store.search as search
from newsroom.store import Store
from newsroom.store.search import SearchDoc


def test_terms_half_the_archive_holds_are_left_out_but_never_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'state.db'}")
    docs = [
        SearchDoc(f"a{i}", f"Bénin: nouvelle {i}", "Cotonou " * (i % 2) + ("Zinder" if i == 7 else ""), "")
        for i in range(40)
    ]
    store.search.upsert(docs)
    monkeypatch.setattr(search, "PRUNE_MIN_DOCS", 10)
    monkeypatch.setattr(search, "KEEP_AT_LEAST", 1)
    with store.engine.connect() as conn:
        # "Bénin" is in every article, "Cotonou" in half, "Zinder" in one: only Zinder is selective
        assert store.search._selective(conn, ["Bénin", "Cotonou", "Zinder"]) == ["Zinder"]
        # if every term is common, the rarest are kept rather than none
        assert store.search._selective(conn, ["Bénin", "Cotonou"]) == ["Cotonou"]
    monkeypatch.setattr(search, "PRUNE_MIN_DOCS", 1_000)
    with store.engine.connect() as conn:
        assert store.search._selective(conn, ["Bénin", "Cotonou", "Zinder"]) == ["Bénin", "Cotonou", "Zinder"]
