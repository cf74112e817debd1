"""The channels package stays a library below distribution: it imports none of the modules that use it."""

from __future__ import annotations

import ast
from pathlib import Path

import newsroom.channels

FORBIDDEN = ("newsroom.distribute", "newsroom.store", "newsroom.pipeline", "newsroom.publish", "newsroom.digest")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_channels_import_nothing_from_distribute_store_pipeline_or_publish() -> None:
    package = Path(newsroom.channels.__file__).parent
    offending = {
        f"{path.name}: {name}"
        for path in sorted(package.glob("*.py"))
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert offending == set()  # anywhere in a module: at the top, under TYPE_CHECKING or in a function
