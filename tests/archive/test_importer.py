"""archive.importer: a folder of legacy material -> day partitions, duplicates settled, every refusal reported."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsroom.archive import importer, partitions
from newsroom.archive.html import Page, read_page
from newsroom.archive.importer import import_archive
from newsroom.archive.report import Entry, ImportReport, default_report_path
from newsroom.config import NewsroomConfig
from newsroom.files import LocalFiles
from newsroom.models import Article, ArticleError
from tests.support.archive import (
    CEP_ID,
    FIXTURES,
    FOOTBALL_ID,
    GODOMEY_ID,
    NINJS,
    PORT_ID,
    SEED_FURNITURE,
    SEED_ID,
    SEED_PAGE,
    SEED_PARAGRAPHS,
    TOUADERA_ID,
    WXR,
)

WXR_FILE = "wxr/echodugolfe.wordpress.2025-06-24.xml"


def entry(report: ImportReport, file: str, item: str | None = None) -> Entry:
    found = [e for e in report.entries if e.file == file and (item is None or e.item == item)]
    assert len(found) == 1, f"expected one entry for {file} {item}: {report.entries}"
    return found[0]


def files_of(config: NewsroomConfig) -> LocalFiles:
    """The newsroom's files of the embedded default: the state folder (the partitions are its ``partitions/``)."""
    return LocalFiles(config.state_dir)


def stored(config: NewsroomConfig, name: str) -> tuple[Article, dict[str, Any]]:
    """The article and source of the partition ``name`` (``2025/06/23/<id>.json``)."""
    return partitions.read(files_of(config), partitions.as_key(config, name))


def snapshot(config: NewsroomConfig) -> dict[str, tuple[bytes, int]]:
    folder = config.state_dir / "partitions"
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def report(config: NewsroomConfig) -> ImportReport:
    return import_archive(FIXTURES, config, files_of(config))


def test_every_article_lands_in_the_partition_of_its_day(report: ImportReport, config: NewsroomConfig) -> None:
    assert {i.id: i.partition for i in report.imported} == {
        CEP_ID: f"2025/06/16/{CEP_ID}.json",
        PORT_ID: f"2025/06/19/{PORT_ID}.json",
        GODOMEY_ID: f"2025/06/21/{GODOMEY_ID}.json",  # 23:30 UTC on the 20th is the 21st in Porto-Novo
        FOOTBALL_ID: f"2025/06/22/{FOOTBALL_ID}.json",
        TOUADERA_ID: f"2025/06/23/{TOUADERA_ID}.json",
        SEED_ID: f"2025/06/23/{SEED_ID}.json",
    }
    assert report.outcomes == {"new": 6, "updated": 0, "unchanged": 0}
    assert [
        k.rpartition("/")[2] for k in partitions.day_keys(files_of(config), config, datetime(2025, 6, 23).date())
    ] == [
        f"{TOUADERA_ID}.json",
        f"{SEED_ID}.json",
    ]
    assert report.exit_code == 1  # two items were unreadable


def test_the_seed_article_is_stored_with_its_source(report: ImportReport, config: NewsroomConfig) -> None:
    article, source = stored(config, f"2025/06/23/{SEED_ID}.json")

    assert article.title == "Mali–Russie: Goïta et Poutine élargissent leur partenariat stratégique"
    assert article.section == "diplomatie"
    assert article.authors == ["Fulbert Adjimehossou"]
    assert article.published == datetime(2025, 6, 23, 13, 5, 12, tzinfo=UTC)
    local = article.published.astimezone(config.site.tz)
    assert (local.date().isoformat(), local.hour, local.utcoffset()) == ("2025-06-23", 14, timedelta(hours=1))
    assert article.source_format == "html"
    assert article.publish_at is None and article.embargo_until is None
    for paragraph in SEED_PARAGRAPHS:
        assert paragraph in article.body_html
    for furniture in SEED_FURNITURE:
        assert furniture not in article.body_html, furniture
    assert source == {
        "file": "site/2025/06/mali-russie-goita-et-poutine.html",
        "format": "html",
        "sha256": hashlib.sha256(SEED_PAGE.read_bytes()).hexdigest(),
        "url": "https://www.echodugolfe.bj/mali-russie-goita-et-poutine-elargissent-leur-partenariat-strategique/",
        "item": None,
    }


def test_sections_are_mapped_by_name_or_slug_folding_accents(report: ImportReport, config: NewsroomConfig) -> None:
    sections = {}
    for imported in report.imported:
        article, _ = stored(config, imported.partition)
        sections[article.id] = article.section
    assert sections == {
        SEED_ID: "diplomatie",  # "News - Infos" > "Diplomatie": the most specific
        GODOMEY_ID: "societe",  # "Société"
        CEP_ID: "education",  # "Éducation"
        FOOTBALL_ID: "sport",
        TOUADERA_ID: "diplomatie",
        PORT_ID: "economie",  # ninjs "section": "Économie"
    }


def test_wxr_and_ninjs_articles_keep_their_format_and_lose_embargoes(
    report: ImportReport, config: NewsroomConfig
) -> None:
    football, source = stored(config, f"2025/06/22/{FOOTBALL_ID}.json")
    assert football.source_format == "wxr"
    assert football.slug == "football-les-guepards-du-benin-qualifies-pour-la-can-2025"
    assert "<script" not in football.body_html and "alert" not in football.body_html
    assert source["item"] == "https://www.echodugolfe.bj/?p=48190"
    assert source["file"] == WXR_FILE and source["format"] == "wxr"

    port, source = stored(config, f"2025/06/19/{PORT_ID}.json")
    assert port.source_format == "ninjs"
    assert port.embargo_until is None  # an archive is already public
    assert port.authors == ["Koffi Mensah"]
    assert source["file"] == "ninjs/port-de-cotonou.json" and source["url"] is None


def test_duplicates_across_sources_keep_the_richest(report: ImportReport, config: NewsroomConfig) -> None:
    assert len(report.duplicates) == 2
    mali = entry(report, WXR_FILE, "https://www.echodugolfe.bj/?p=48213")
    assert mali.kind == "duplicate"
    assert mali.reason == f"duplicate of {SEED_ID} (from site/2025/06/mali-russie-goita-et-poutine.html): same id"

    # the ninjs copy comes first in path order, but the WordPress post has the longer body
    touadera = entry(report, "ninjs/touadera-bruxelles.json")
    assert touadera.kind == "duplicate"
    assert touadera.reason == (
        f"duplicate of {TOUADERA_ID} (from {WXR_FILE} item https://www.echodugolfe.bj/?p=48201): same title"
    )
    kept, _ = stored(config, f"2025/06/23/{TOUADERA_ID}.json")
    assert kept.source_format == "wxr"
    assert "Une transition encadrée par la Constitution" in kept.body_html


def test_the_same_url_is_a_duplicate_even_with_another_title_and_day(site_copy: Path, config: NewsroomConfig) -> None:
    shutil.copy(SEED_PAGE, site_copy / "a.html")
    edited = SEED_PAGE.read_text(encoding="utf-8").replace("élargissent leur partenariat", "renforcent leurs liens")
    edited = edited.replace("2025-06-23T13:05:12+00:00", "2025-06-24T09:00:00+00:00")
    (site_copy / "b.html").write_text(edited, encoding="utf-8")

    report = import_archive(site_copy, config, files_of(config))

    assert [i.file for i in report.imported] == ["a.html"]
    (duplicate,) = report.duplicates
    assert duplicate.file == "b.html"
    assert duplicate.reason.endswith("same canonical URL")


def test_a_later_import_finds_the_same_url_stored_on_the_day_before(site_copy: Path, config: NewsroomConfig) -> None:
    """Two sources may date a story a day apart (local time against UTC): a later import still finds it stored."""
    shutil.copy(SEED_PAGE, site_copy / "a.html")
    assert [i.file for i in import_archive(site_copy / "a.html", config, files_of(config)).imported] == ["a.html"]
    edited = SEED_PAGE.read_text(encoding="utf-8").replace("élargissent leur partenariat", "renforcent leurs liens")
    edited = edited.replace("2025-06-23T13:05:12+00:00", "2025-06-24T09:00:00+00:00")
    (site_copy / "b.html").write_text(edited, encoding="utf-8")
    before = snapshot(config)

    report = import_archive(site_copy / "b.html", config, files_of(config))

    assert report.imported == []
    (duplicate,) = report.duplicates
    assert duplicate.reason == f"duplicate of {SEED_ID} (already imported from a.html): same canonical URL"
    assert snapshot(config) == before


def test_pages_that_are_not_articles_are_reported(report: ImportReport) -> None:
    assert {(e.file, e.reason) for e in report.not_articles} == {
        ("site/category/diplomatie.html", "not an article: section front (12 article links, no article body)"),
        ("site/page-introuvable.html", 'not an article: 404 page (title "Page non trouvée - L\'Écho du Golfe")'),
        ("site/vide.html", "not an article: empty page (0 characters of text)"),
    }
    assert all(e.field == "page" and e.format == "html" for e in report.not_articles)


def test_unreadable_items_name_the_file_item_field_and_reason(report: ImportReport) -> None:
    assert len(report.unreadable) == 2
    parakou = entry(report, WXR_FILE, "https://www.echodugolfe.bj/?p=48180")
    assert (parakou.kind, parakou.field) == ("unreadable", "section")
    assert parakou.reason.startswith("unknown section 'Bénin': expected one of news, diplomatie")

    broken = entry(report, "ninjs/export-tronque.json")
    assert (broken.kind, broken.field, broken.format) == ("unreadable", "json", "ninjs")
    assert broken.reason.startswith("not valid JSON (line 4")


def test_skipped_items_say_why(report: ImportReport) -> None:
    assert {(e.file, e.item, e.reason) for e in report.skipped} == {
        (WXR_FILE, "https://www.echodugolfe.bj/?page_id=12", "not a published post (page)"),
        (WXR_FILE, "https://www.echodugolfe.bj/?p=48230", "not a published post (draft)"),
        (
            WXR_FILE,
            "https://www.echodugolfe.bj/wp-content/uploads/2025/06/goita-poutine-kremlin.jpg",
            "not a published post (attachment)",
        ),
        (WXR_FILE, "https://www.echodugolfe.bj/?p=48100", "not a published post (trash)"),
        ("site/LISEZMOI.txt", None, "unsupported file type .txt: expected .html, .htm, .xml or .json"),
    }
    assert report.by_format() == {
        "html": {"imported": 3, "duplicate": 0, "not_article": 3, "unreadable": 0, "skipped": 0},
        "ninjs": {"imported": 1, "duplicate": 1, "not_article": 0, "unreadable": 1, "skipped": 0},
        "other": {"imported": 0, "duplicate": 0, "not_article": 0, "unreadable": 0, "skipped": 1},
        "wxr": {"imported": 2, "duplicate": 1, "not_article": 0, "unreadable": 1, "skipped": 4},
    }


def test_a_second_import_changes_nothing(report: ImportReport, config: NewsroomConfig) -> None:
    before = snapshot(config)
    assert len(before) == 6

    again = import_archive(FIXTURES, config, files_of(config))

    assert again.outcomes == {"new": 0, "updated": 0, "unchanged": 6}
    assert {i.outcome for i in again.imported} == {"unchanged"}
    assert snapshot(config) == before  # same bytes, same modification times
    assert again.to_json()["not_imported"] == report.to_json()["not_imported"]


def test_later_imports_settle_duplicates_with_what_is_stored(config: NewsroomConfig) -> None:
    ninjs = NINJS / "touadera-bruxelles.json"
    stored_id = "20250623-touadera-evacue-bruxelles"  # the ninjs file's own slug
    assert [i.id for i in import_archive(ninjs, config, files_of(config)).imported] == [stored_id]

    # the export's copy of the story is richer: it replaces the stored one, under the id already given
    from_wxr = import_archive(WXR, config, files_of(config))
    assert (stored_id, "updated") in [(i.id, i.outcome) for i in from_wxr.imported]
    assert TOUADERA_ID not in [i.id for i in from_wxr.imported]
    article, source = stored(config, f"2025/06/23/{stored_id}.json")
    assert "Une transition encadrée par la Constitution" in article.body_html
    assert source["format"] == "wxr"

    # the page is no richer than the stored export copy: it stays a duplicate, nothing is rewritten
    before = snapshot(config)
    from_page = import_archive(SEED_PAGE, config, files_of(config))
    assert from_page.imported == []
    (duplicate,) = from_page.duplicates
    assert duplicate.reason == (
        f"duplicate of {SEED_ID} (already imported from echodugolfe.wordpress.2025-06-24.xml"
        " item https://www.echodugolfe.bj/?p=48213): same id"
    )
    assert [e.reason for e in import_archive(ninjs, config, files_of(config)).duplicates] == [
        f"duplicate of {stored_id} (already imported from echodugolfe.wordpress.2025-06-24.xml"
        " item https://www.echodugolfe.bj/?p=48201): same id"  # the stored story kept the ninjs id
    ]
    assert snapshot(config) == before
    assert sorted(before) == [
        f"2025/06/22/{FOOTBALL_ID}.json",
        f"2025/06/23/{SEED_ID}.json",
        f"2025/06/23/{stored_id}.json",
    ]


def test_a_source_read_again_replaces_its_stored_version(site_copy: Path, config: NewsroomConfig) -> None:
    page = site_copy / "mali.html"
    shutil.copy(SEED_PAGE, page)
    import_archive(site_copy, config, files_of(config))
    page.write_text(page.read_text(encoding="utf-8").replace("amorcé ces dernières années", "amorcé en 2021"))

    report = import_archive(site_copy, config, files_of(config))

    assert [(i.id, i.outcome) for i in report.imported] == [(SEED_ID, "updated")]
    article, _ = stored(config, f"2025/06/23/{SEED_ID}.json")
    assert "amorcé en 2021" in article.body_html


def test_a_dry_run_writes_nothing(config: NewsroomConfig) -> None:
    report = import_archive(FIXTURES, config, files_of(config), dry_run=True)
    assert report.dry_run
    assert report.outcomes == {"new": 6, "updated": 0, "unchanged": 0}
    assert not (config.state_dir / "partitions").exists()

    import_archive(FIXTURES, config, files_of(config))
    assert import_archive(FIXTURES, config, files_of(config), dry_run=True).outcomes == {
        "new": 0,
        "updated": 0,
        "unchanged": 6,
    }


def test_one_broken_file_never_stops_the_others(
    site_copy: Path, config: NewsroomConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SEED_PAGE, site_copy / "a.html")
    (site_copy / "b.html").write_text("<html><body><p>déclenche une panne</p></body></html>", encoding="utf-8")
    shutil.copy(NINJS / "port-de-cotonou.json", site_copy / "c.json")

    def flaky(data: bytes) -> Page:
        if b"panne" in data:
            raise RuntimeError("lxml exploded")
        return read_page(data)

    monkeypatch.setattr(importer, "read_page", flaky)
    report = import_archive(site_copy, config, files_of(config))

    assert [i.file for i in report.imported] == ["c.json", "a.html"]  # written oldest first
    (broken,) = report.unreadable
    assert (broken.file, broken.field, broken.reason) == (
        "b.html",
        "file",
        "could not read: RuntimeError: lxml exploded",
    )


def test_an_article_without_a_date_is_unreadable(site_copy: Path, config: NewsroomConfig) -> None:
    paragraphs = "".join(
        f"<p>Paragraphe {i} d’un article sans date, sur le marché de Dantokpa à Cotonou.</p>" for i in range(5)
    )
    page = (
        "<html><head><title>Sans date</title></head><body><h1>Sans date</h1>"
        f"<p><a rel='category tag'>Culture</a></p>{paragraphs}</body></html>"
    )
    (site_copy / "sans-date.html").write_text(page, encoding="utf-8")

    report = import_archive(site_copy, config, files_of(config))

    (unreadable,) = report.unreadable
    assert (unreadable.file, unreadable.field) == ("sans-date.html", "published")
    assert unreadable.reason.startswith("missing: no publication date found")


def test_hidden_files_are_ignored(site_copy: Path, config: NewsroomConfig) -> None:
    (site_copy / ".DS_Store").write_bytes(b"\0\0")
    (site_copy / ".git").mkdir()
    (site_copy / ".git" / "config.xml").write_text("<x/>")
    report = import_archive(site_copy, config, files_of(config))
    assert report.entries == [] and report.imported == []


def test_worker_processes_give_the_same_result(config: NewsroomConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "PARALLEL_MIN_FILES", 2)
    sequential = import_archive(FIXTURES, config, files_of(config), dry_run=True).to_json()
    parallel = import_archive(FIXTURES, config, files_of(config), dry_run=True, workers=2).to_json()
    assert parallel == sequential


def test_the_default_report_path_never_overwrites(config: NewsroomConfig) -> None:
    now = datetime(2025, 6, 24, 8, 0, tzinfo=UTC)
    first = default_report_path(config, now)
    assert first == config.state_dir / "reports" / "import-20250624T080000Z.json"
    ImportReport(path="x").write(first)
    assert default_report_path(config, now).name == "import-20250624T080000Z-2.json"
    assert os.path.exists(first)


def test_an_undeclared_namespace_prefix_loses_only_its_item(site_copy: Path, config: NewsroomConfig) -> None:
    guid = "https://www.echodugolfe.bj/?p=48213"
    text = WXR.read_text(encoding="utf-8").replace(f"{guid}</guid>", f"{guid}</guid><wpml:lang>fr</wpml:lang>", 1)
    (site_copy / "export.xml").write_text(text, encoding="utf-8")

    whole = import_archive(WXR, config, files_of(config), dry_run=True)
    report = import_archive(site_copy, config, files_of(config), dry_run=True)

    bad = entry(report, "export.xml", guid)
    assert (bad.kind, bad.field, bad.reason) == (
        "unreadable",
        "xml",
        "not well-formed XML: line 36: namespace prefix 'wpml' is not declared (<wpml:lang>)",
    )
    assert {i.id for i in report.imported} == {i.id for i in whole.imported} - {SEED_ID}
    assert len(report.unreadable) == len(whole.unreadable) + 1


@pytest.mark.parametrize("stamp", ["9999-12-31 23:59:59", "0001-01-01 00:00:00"])
def test_an_export_dated_out_of_range_is_unreadable_with_the_reason(
    site_copy: Path, config: NewsroomConfig, stamp: str
) -> None:
    text = WXR.read_text(encoding="utf-8").replace("2025-06-23 13:05:12", stamp, 1)
    (site_copy / "export.xml").write_text(text, encoding="utf-8")

    bad = entry(
        import_archive(site_copy, config, files_of(config), dry_run=True),
        "export.xml",
        "https://www.echodugolfe.bj/?p=48213",
    )

    assert (bad.kind, bad.field) == ("unreadable", "published")
    assert "is out of range" in bad.reason


def test_a_partition_file_nested_a_thousand_deep_is_refused() -> None:
    with pytest.raises(ArticleError) as caught:
        partitions.parse(("[" * 5_000 + "]" * 5_000).encode(), "deep.json")
    assert caught.value.reason.startswith("not a partition file: nested too deeply")
