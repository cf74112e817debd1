"""The sample site renders exactly as the golden tree, and twice the same."""

from __future__ import annotations

from pathlib import Path

from tests.render.golden import EXPECTED, render_samples


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_render_matches_golden_tree(tmp_path: Path) -> None:
    pages = render_samples(tmp_path)
    expected = _tree(EXPECTED)
    assert sorted(pages) == sorted(expected), "page set differs: run `make golden` and review the diff"
    for key, body in pages.items():
        assert body == expected[key], f"{key} differs from tests/render/expected (run `make golden`, review the diff)"


def test_render_is_deterministic(tmp_path: Path) -> None:
    first = render_samples(tmp_path / "a")
    second = render_samples(tmp_path / "b")
    assert first == second
