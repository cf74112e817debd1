"""Every kind of page is valid HTML (the Nu HTML Checker finds no error) and keeps its structure accessible.

Checked: the golden tree (home, sections, tags, articles with and without
image) and a small site with numbered listing pages, a correction notice and
headings in the body. The checker is ``vnu.jar`` from the npm package
``vnu-jar`` (``npm ci`` at the repository root), run with Java 11 or later;
without either, that one test is skipped and says why. The structural checks
(one h1, no skipped heading level, alt on every image, the landmarks) run
with the standard library and are never skipped.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsroom.store.tag_registry import TagInfo
from tests.render.golden import EXPECTED
from tests.render.site_fixture import NOW, make_small_site, sample_articles

REPO = Path(__file__).resolve().parents[2]
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def html_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The golden tree's pages and a small site's pages (page_size 2: numbered pages), written to disk."""
    tmp = tmp_path_factory.mktemp("html")
    site = make_small_site(tmp / "state", page_size=2)
    sample_articles(site)
    # a tag a review merged: its old URL is a redirect page
    site.store.registry.register([("benin-ancien", "Bénin ancien", "place", ["n:benin ancien"])], NOW, NOW)
    site.store.registry.merge("benin-ancien", TagInfo("benin", "Bénin", "place"), by="test", now=NOW)
    out = tmp / "site"
    for key, page in site.everything().items():
        if key.endswith(".html"):
            target = out / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.body)
    files = sorted(EXPECTED.rglob("*.html")) + sorted(out.rglob("*.html"))
    keys = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    # every kind of page is there
    assert {"index.html", "news/index.html", "news/page/1.html", "news/page/2.html", "tag/benin/index.html"} <= keys
    assert "tag/benin-ancien/index.html" in keys
    assert any(k.startswith("2025/06/") for k in keys)
    return files


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.images: list[dict[str, str | None]] = []
        self.landmarks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(dict(attrs))
        elif tag in ("header", "nav", "main", "footer"):
            self.landmarks.append(tag)


def test_pages_have_one_h1_ordered_headings_alt_text_and_landmarks(html_files: list[Path]) -> None:
    problems: list[str] = []
    for path in html_files:
        outline = _Outline()
        outline.feed(path.read_text(encoding="utf-8"))
        levels = outline.headings
        if levels.count(1) != 1 or levels[:1] != [1]:
            problems.append(f"{path}: expected one h1, first; got {levels}")
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        if skips:
            problems.append(f"{path}: heading levels skip: {skips}")
        for image in outline.images:
            if image.get("alt") is None:
                problems.append(f"{path}: <img src={image.get('src')!r}> has no alt")
        if outline.landmarks.count("main") != 1 or not {"header", "nav", "footer"} <= set(outline.landmarks):
            problems.append(f"{path}: landmarks {outline.landmarks}")
    assert not problems, "\n".join(problems)


def test_the_small_site_images_all_have_alt_text(html_files: list[Path]) -> None:
    images = []
    for path in html_files:
        outline = _Outline()
        outline.feed(path.read_text(encoding="utf-8"))
        images += [i for i in outline.images if not str(path).startswith(str(EXPECTED))]
    assert images and all(i.get("alt") for i in images)


def test_every_page_passes_the_nu_html_checker(html_files: list[Path]) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed (Debian: apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        pytest.skip(f"{VNU_JAR.relative_to(REPO)} is missing (run `npm ci` at the repository root)")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, html_files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stderr or result.stdout
    report = json.loads(output[output.find("{") :] if "{" in output else '{"messages": []}')
    errors = [
        f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m.get('message')}"
        for m in report["messages"]
        if m.get("type") in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(html_files) > 40
