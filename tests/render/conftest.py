"""Fixtures of the render tests: a small site filed straight into a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.site_fixture import SmallSite, make_small_site, sample_articles


@pytest.fixture
def small_site(tmp_path: Path) -> SmallSite:
    """Five live articles (with and without image, one corrected) and one under embargo."""
    site = make_small_site(tmp_path / "state")
    sample_articles(site)
    return site
