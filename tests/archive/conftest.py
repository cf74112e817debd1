"""Fixtures for the archive import (the files themselves and what is expected of them: tests/support/archive.py).

The configuration comes from tests/conftest.py (``config``: include/newsroom.yaml,
its state in a temp folder), so partitions are written under tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """An empty folder to assemble an archive in."""
    folder = tmp_path / "archive-in"
    folder.mkdir()
    return folder
