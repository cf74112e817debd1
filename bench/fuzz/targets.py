"""The parsers under fuzz: what each reads, the error it documents for bad input, its size limit.

A target is called with one input's bytes. It returns normally when the input
was read or refused with the documented error (counted apart); any other
exception escapes to the harness, which counts it as a bug.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from bench.fuzz import inputs
from bench.util import NEWSROOM_YAML, newsroom_yaml
from newsroom.archive import partitions
from newsroom.archive.html import NotAnArticle, read_page
from newsroom.archive.importer import import_archive, to_article
from newsroom.archive.wxr import NotWxrError, read_items
from newsroom.bodies import sanitize_html
from newsroom.config import NewsroomConfig, parse_config
from newsroom.files import LocalFiles
from newsroom.ingest import read_article
from newsroom.models import ArticleError

BUDGET_SECONDS = 1.0  # CPU time one input may cost...
BUDGET_PER_BYTE = 20e-6  # ...or this much a byte, if more (inputs over 50 KB): a linear budget


def budget(size: int) -> float:
    """The CPU seconds an input of ``size`` bytes may cost: linear, so only a super-linear path exceeds it."""
    return max(BUDGET_SECONDS, size * BUDGET_PER_BYTE)


@dataclass(frozen=True)
class Target:
    name: str
    reads: str  # what, for the report
    generate: Callable[[random.Random, int], bytes]
    limit: int  # bytes: the largest input the pipeline lets through to this parser (the "large" cases' cap)
    suffix: str  # of the file a failing case is saved as

    def run(self, data: bytes, config: NewsroomConfig, scratch: Path) -> str:
        """Read one input; 'read' or 'refused' (the documented error). Other exceptions escape."""
        return _RUNNERS[self.name](data, config, scratch)


def _markdown(data: bytes, config: NewsroomConfig, scratch: Path) -> str:
    try:
        read_article(data, "fuzz.md", config)
    except ArticleError:
        return "refused"
    return "read"


def _ninjs(data: bytes, config: NewsroomConfig, scratch: Path) -> str:
    """A filed ninjs file, then the same bytes as an archive's ninjs file (import_archive, dry run)."""
    path = scratch / "ninjs" / "fuzz.json"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    report = import_archive(path, config, LocalFiles(scratch), dry_run=True)
    if crashed := [e.reason for e in report.entries if e.reason.startswith("could not read:")]:
        raise AssertionError(f"import-archive caught what the readers let escape: {crashed[0]}")
    try:
        read_article(data, "fuzz.json", config)
    except ArticleError:
        return "refused"
    return "read"


def _html(data: bytes, config: NewsroomConfig, scratch: Path) -> str:
    """What the importer does with a saved page: read_page, then the archive's article rules."""
    try:
        page = read_page(data)
        to_article(page.fields, page.sections, "fuzz.html", "html", config)
    except (NotAnArticle, ArticleError):
        return "refused"
    return "read"


def _wxr(data: bytes, config: NewsroomConfig, scratch: Path) -> str:
    """What the importer does with an export: every item read, each post through the archive's article rules."""
    path = scratch / "export.xml"
    path.write_bytes(data)
    outcome = "read"
    try:
        for item in read_items(path):
            if item.skipped or item.error:
                outcome = "refused"
                continue
            try:
                to_article(item.fields, item.sections, "export.xml", "wxr", config)
            except ArticleError:
                outcome = "refused"
    except (NotWxrError, etree.XMLSyntaxError):
        return "refused"
    return outcome


def _sanitiser(data: bytes, config: NewsroomConfig, scratch: Path) -> str:
    sanitize_html(data.decode("utf-8", "replace"))
    return "read"


def _partition(data: bytes, config: NewsroomConfig, scratch: Path) -> str:
    files = LocalFiles(scratch)
    files.put("partitions/article.json", data)
    try:
        partitions.read(files, "partitions/article.json")
    except ArticleError:
        return "refused"
    return "read"


_RUNNERS: dict[str, Callable[[bytes, NewsroomConfig, Path], str]] = {
    "markdown": _markdown,
    "ninjs": _ninjs,
    "html": _html,
    "wxr": _wxr,
    "sanitiser": _sanitiser,
    "partition": _partition,
}


def targets(config: NewsroomConfig) -> list[Target]:
    """Every reader of outside input, with the size limit the pipeline applies before it."""
    markdown_limit = config.site.max_markdown_bytes
    file_limit = config.site.max_body_bytes * 2 + 65_536  # read_article's limit for one filed file
    return [
        Target("markdown", "filed Markdown + front matter (read_article)", inputs.markdown, markdown_limit, ".md"),
        Target("ninjs", "filed ninjs JSON (read_article)", inputs.ninjs, file_limit, ".json"),
        Target("html", "saved legacy page (read_page + to_article)", inputs.html_page, 1_000_000, ".html"),
        Target("wxr", "WordPress export (read_items + to_article)", inputs.wxr, 1_000_000, ".xml"),
        Target(
            "sanitiser", "body HTML sanitiser (sanitize_html)", inputs.fragment, config.site.max_body_bytes, ".html"
        ),
        Target("partition", "archive partition file (partitions.read)", inputs.partition, 1_000_000, ".json"),
    ]


def fuzz_config(state: Path) -> NewsroomConfig:
    """include/newsroom.yaml with its state in a scratch folder."""
    return parse_config(newsroom_yaml(), NEWSROOM_YAML, state_dir=state)


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="newsroom-fuzz-")
