"""The site rendered on several processes is the site rendered in one: same pages, same bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsroom.render.parallel import render_site
from tests.render.site_fixture import NOW, make_small_site, sample_articles


def test_parallel_render_writes_exactly_the_serial_site(tmp_path: Path) -> None:
    site = make_small_site(tmp_path / "state")
    sample_articles(site)
    serial = {key: page.md5 for key, page in site.everything().items()}

    entries = render_site(site.config, site.store, NOW, tmp_path / "files", workers=2)

    assert {e["key"]: e["md5"] for e in entries} == serial
    assert len(entries) == len(serial) > 20
    for entry in entries:
        body = (tmp_path / "files" / entry["key"]).read_bytes()
        assert hashlib.md5(body, usedforsecurity=False).hexdigest() == entry["md5"]
