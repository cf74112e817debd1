"""``newsroom import-archive`` end to end: the shipped config, the state folder from NEWSROOM_STATE_DIR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsroom.cli import main
from tests.support.archive import FIXTURES, SEED_ID, SITE, TOUADERA_ID


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("NEWSROOM_STATE_DIR", str(folder))
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["import-archive", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_prints_a_summary_writes_partitions_and_a_report(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(FIXTURES), "--no-progress")

    assert code == 1  # two items were unreadable
    assert f"Imported 6 articles from {FIXTURES}: 6 new, 0 updated, 0 unchanged" in out
    assert "2 duplicates, 3 not articles, 2 unreadable, 5 skipped" in out
    assert "  wxr    imported 2, duplicate 1, not article 0, unreadable 1, skipped 4" in out
    assert "  ninjs/export-tronque.json: unreadable: json: not valid JSON (line 4, column 34)" in out
    assert "  site/page-introuvable.html: not an article: 404 page (title " in out
    assert f"  ninjs/touadera-bruxelles.json: duplicate of {TOUADERA_ID} (from wxr/" in out
    assert err == ""  # no progress bar when --no-progress (nor when stderr is not a terminal)
    assert (state / "partitions" / "2025" / "06" / "23" / f"{SEED_ID}.json").is_file()
    assert len(list((state / "partitions").rglob("*.json"))) == 6

    (report_file,) = (state / "reports").glob("import-*.json")
    assert out.rstrip().endswith(f"Report: {report_file}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["counts"] == {
        "imported": 6,
        "new": 6,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 2,
        "not_articles": 3,
        "unreadable": 2,
        "skipped": 5,
    }
    assert report["by_format"]["html"] == {
        "imported": 3, "duplicate": 0, "not_article": 3, "unreadable": 0, "skipped": 0,
    }  # fmt: skip
    assert len(report["not_imported"]) == 12
    for entry in report["not_imported"]:
        assert set(entry) == {"kind", "file", "item", "format", "field", "reason"}
        assert entry["file"] and entry["field"] and entry["reason"]
    parakou = next(e for e in report["not_imported"] if e["item"] == "https://www.echodugolfe.bj/?p=48180")
    assert parakou["kind"] == "unreadable"
    assert parakou["field"] == "section"
    assert parakou["file"] == "wxr/echodugolfe.wordpress.2025-06-24.xml"


def test_a_second_run_reports_everything_unchanged(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, str(FIXTURES), "--no-progress")
    files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (state / "partitions").rglob("*.json")}

    code, out, _ = run(capsys, str(FIXTURES), "--no-progress", "--report", str(state / "again.json"))

    assert code == 1
    assert "Imported 6 articles" in out and "0 new, 0 updated, 6 unchanged" in out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (state / "partitions").rglob("*.json")} == files
    report = json.loads((state / "again.json").read_text(encoding="utf-8"))
    assert {i["outcome"] for i in report["imported"]} == {"unchanged"}


def test_everything_readable_means_exit_0(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(SITE), "--no-progress", "--report", str(state / "site.json"))
    assert code == 0
    assert "Imported 3 articles" in out
    assert "3 not articles, 0 unreadable, 1 skipped" in out


def test_dry_run_writes_no_partition(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(FIXTURES), "--dry-run", "--no-progress", "--report", str(state / "dry.json"))
    assert code == 1
    assert "Would import 6 articles" in out
    assert not (state / "partitions").exists()
    assert json.loads((state / "dry.json").read_text(encoding="utf-8"))["dry_run"] is True


def test_bad_usage_exits_2(state: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "nowhere"))
    assert code == 2
    assert "no such file or folder" in err
    assert run(capsys, str(FIXTURES), "--workers", "0")[0] == 2
    with pytest.raises(SystemExit) as exited:
        main(["import-archive"])
    assert exited.value.code == 2
