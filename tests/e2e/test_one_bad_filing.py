"""No filing can stop the pipeline: good, each bad case, good, in one run; both good ones go live on it.

Every failure of one article (in read, store, enrich, render) quarantines or
flags that article with a report, keeps its original, and lets the rest of the
run publish to the real bucket (SeaweedFS).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from newsroom.config import NewsroomConfig
from newsroom.enrich import Enricher, Enrichment
from newsroom.ingest import Inbox
from newsroom.models import Article
from newsroom.phases.ingest import RENDER_FAILED, process
from newsroom.render.articles import ArticlePages
from newsroom.render.page import Page
from newsroom.resources import bucket_for, files_for, open_store
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e

FIRST, LAST = "parakou-detournement.md", "benin-motos-godomey.md"
GOOD_IDS = ["parakou-agents-suspendus", "benin-motos-godomey"]
ENRICH_FAULT = "mali-russie-goita-poutine"  # its enrichment raises: published without tags, flagged
RENDER_FAULT = "benin-pahou-interpellations"  # its page raises: flagged, the others published
LONG_NAME = ("Bénin-élections-législatives-" * 12).encode()[:247].decode("utf-8", "ignore") + ".md"  # ~250 bytes


def _sample(name: str) -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


def _bad_cases() -> dict[str, tuple[str, str]]:
    """file name -> (content, the field its report must name)."""
    md = _sample("benin-enseignement-technique.md")
    ninjs = _sample("centrafrique-touadera-bruxelles.json")
    image = "image: https://example.org/images/lycee-technique.jpg"
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = "---\n" + "\n".join([*levels, "title: Une bombe", "section: *a8"]) + "\n---\nTexte.\n"
    return {
        "an-1.md": (md.replace("2025-06-24T08:00:00+01:00", "0001-01-01T00:10:00+01:00", 1), "published"),
        "an-9999.json": (ninjs.replace("2025-06-23T07:45:00+01:00", "9999-12-31T23:30:00-01:00", 1), "published"),
        "image-crochet.md": (md.replace(image, "image: http://[oops/photo.jpg"), "image.url"),
        "image-script.md": (md.replace(image, "image: 'javascript:alert(1)'"), "image.url"),
        LONG_NAME: (md.replace("section: education", "section: nulle-part"), "section"),
        "bombe-yaml.md": (bomb, "front matter"),
        "crochets.md": ("---\ntitle: Des crochets\nsection: news\n---\n" + "![" * 200_000, "body"),
        "guillemet.md": (md.replace("section: education", 'section: "education'), "front matter"),
        "tronque.json": (ninjs[: len(ninjs) // 2], "json"),
    }  # fmt: skip


def _faulty_enrich(original: Any) -> Any:
    def enrich(self: Enricher, articles: Sequence[Article], *args: Any, **kwargs: Any) -> list[Enrichment]:
        if any(a.id == ENRICH_FAULT for a in articles):
            raise RuntimeError("the entity model crashed on this text")
        result: list[Enrichment] = original(self, articles, *args, **kwargs)
        return result

    return enrich


def _faulty_page(original: Any) -> Any:
    def page(self: ArticlePages, article: Article, *args: Any, **kwargs: Any) -> Page:
        if article.id == RENDER_FAULT:
            raise ValueError("a template filter choked on this article")
        result: Page = original(self, article, *args, **kwargs)
        return result

    return page


def test_good_each_bad_case_good_one_run_publishes_both_good(
    s3_config: NewsroomConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = s3_config
    monkeypatch.setattr(Enricher, "enrich", _faulty_enrich(Enricher.enrich))
    monkeypatch.setattr(ArticlePages, "page", _faulty_page(ArticlePages.page))
    inbox = Inbox(config, files_for(config))
    inbox.file(SAMPLES_DIR / FIRST)
    cases = _bad_cases()
    for name, (content, _) in cases.items():
        if name == LONG_NAME:  # too long for `newsroom file` (it refuses it): dropped straight into the inbox
            (config.inbox_dir / name).write_text(content, encoding="utf-8")
        else:
            (tmp_path / name).write_text(content, encoding="utf-8")
            inbox.file(tmp_path / name)
    for sample in (f"{ENRICH_FAULT}.md", f"{RENDER_FAULT}.md", LAST):
        inbox.file(SAMPLES_DIR / sample)

    result = process(config, run_id="one-run")

    assert sorted(result["ingest"]["quarantined"]) == sorted(cases)
    store = open_store(config)
    keys = set(bucket_for(config).listing())
    rows = store.articles.records([*GOOD_IDS, ENRICH_FAULT, RENDER_FAULT])
    for article_id in [*GOOD_IDS, ENRICH_FAULT]:
        assert rows[article_id].path in keys, f"{article_id} is not live after the first run"
        status = store.status.of(article_id)
        assert status is not None and status["article"]["status"] == "published"
    flagged = store.status.of(ENRICH_FAULT)
    assert flagged is not None and flagged["enrichment"] is not None
    assert any("enrichment failed (RuntimeError" in note for note in flagged["enrichment"]["notes"])
    failed = store.status.of(RENDER_FAULT)
    assert failed is not None and failed["article"]["status"] == RENDER_FAILED
    assert rows[RENDER_FAULT].path not in keys
    assert any("a template filter choked" in e["detail"] for e in failed["events"]), failed["events"]

    reports = {}
    for path in config.quarantine_dir.glob("*.report.json"):
        report = json.loads(path.read_text(encoding="utf-8"))
        reports[report["file"]] = report
        original = (config.quarantine_dir / report["stored_as"]).read_text(encoding="utf-8")
        assert original == cases[report["file"]][0], f"the original of {report['file']} was not kept as filed"
    assert sorted(reports) == sorted(cases)
    for name, (_, field) in cases.items():
        fields = [p["field"] for p in reports[name]["problems"]]
        assert field in fields or any(f.startswith(field) for f in fields), (name, reports[name]["problems"])
