"""The inbox with SQLite in a temp state folder: store, quarantine, archive, re-filing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.resources import files_for
from newsroom.store import Store
from tests.ingest.conftest import SAMPLES_DIR

BROKEN = "broken-no-title.md"
GOOD = {
    "benin-enseignement-technique.md": "benin-enseignement-technique-amoussou",
    "benin-motos-godomey.md": "benin-motos-godomey",
    "benin-pahou-interpellations.md": "benin-pahou-interpellations",
    "centrafrique-touadera-bruxelles.json": "centrafrique-touadera-hospitalise",
    "mali-russie-goita-poutine.md": "mali-russie-goita-poutine",
    "parakou-detournement.md": "parakou-agents-suspendus",
}


def archived(config: NewsroomConfig, name: str) -> list[Path]:
    return sorted(config.archive_dir.glob(f"*/{name}*"))


def test_filing_all_samples_stores_six_and_quarantines_one(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))
    for sample in sorted(SAMPLES_DIR.iterdir()):
        filed = inbox.file(sample)
        assert (config.state_dir / filed).parent == config.inbox_dir
        assert Inbox.original_name(filed) == sample.name
    assert len(inbox.pending()) == 7

    outcome = inbox.process(store)

    assert sorted(f.article_id for f in outcome.accepted) == sorted(GOOD.values())
    assert all(f.version == 1 and f.changed for f in outcome.accepted)
    assert sorted(outcome.changed_ids) == sorted(GOOD.values())
    assert outcome.unchanged == []
    assert outcome.quarantined == [BROKEN]
    assert inbox.pending() == []
    assert store.articles.all_ids() == sorted(GOOD.values())
    assert store.status.counts() == {"articles": 6, "quarantined": 1, "objects": 0, "published": 0}

    mali = store.articles.get("mali-russie-goita-poutine")
    assert mali is not None
    assert mali.title == "Mali–Russie: Goïta et Poutine élargissent leur partenariat stratégique"
    status = store.status.of("mali-russie-goita-poutine")
    assert status is not None
    assert (
        status["article"]["path"]
        == "2025/06/23/mali-russie-goita-et-poutine-elargissent-leur-partenariat-strategique.html"
    )
    assert status["article"]["version"] == 1


def test_quarantine_keeps_the_original_and_a_report(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))
    inbox.file(SAMPLES_DIR / BROKEN)

    outcome = inbox.process(store)

    assert outcome.quarantined == [BROKEN]
    assert outcome.accepted == []
    assert sorted(p.name for p in config.quarantine_dir.iterdir()) == [BROKEN, f"{BROKEN}.report.json"]
    stored = config.quarantine_dir / BROKEN
    assert stored.read_bytes() == (SAMPLES_DIR / BROKEN).read_bytes()

    report = json.loads((config.quarantine_dir / f"{BROKEN}.report.json").read_text(encoding="utf-8"))
    assert report["file"] == BROKEN
    assert report["stored_as"] == BROKEN
    assert report["article_id"] == "benin-cep-resultats"
    assert report["field"] == "published"
    assert report["reason"].startswith("could not read 'le 25 juin' as a date")
    assert [p["field"] for p in report["problems"]] == ["published", "title"]
    assert report["problems"][1]["reason"] == "missing or empty"

    status = store.status.of(BROKEN)
    assert status is not None
    assert status["id"] == "benin-cep-resultats"
    assert status["article"] is None
    assert [q["file"] for q in status["quarantine"]] == [BROKEN]
    assert status["quarantine"][0]["stored_path"] == str(stored)
    assert [e["kind"] for e in status["events"]] == ["quarantined"]


def test_a_bad_file_does_not_block_the_others(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))
    inbox.file(SAMPLES_DIR / BROKEN)  # filed first, so read first
    inbox.file(SAMPLES_DIR / "parakou-detournement.md")
    (config.inbox_dir / "00000000000000000000--notes.txt").write_text("pas un article", encoding="utf-8")

    outcome = inbox.process(store)

    assert [f.article_id for f in outcome.accepted] == ["parakou-agents-suspendus"]
    assert outcome.quarantined == ["notes.txt", BROKEN]
    assert inbox.pending() == []
    assert store.articles.all_ids() == ["parakou-agents-suspendus"]


def test_archived_original_is_byte_identical(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))
    for name in GOOD:
        inbox.file(SAMPLES_DIR / name)

    inbox.process(store)

    for name in GOOD:
        copies = archived(config, name)
        assert len(copies) == 1, copies
        assert copies[0].read_bytes() == (SAMPLES_DIR / name).read_bytes()


def test_the_same_file_filed_twice_is_not_a_new_version(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))
    sample = SAMPLES_DIR / "benin-motos-godomey.md"
    inbox.file(sample)
    first = inbox.process(store)
    inbox.file(sample)
    inbox.file(sample)
    assert len(inbox.pending()) == 2

    second = inbox.process(store)

    assert [(f.article_id, f.version) for f in first.accepted] == [("benin-motos-godomey", 1)]
    assert second.accepted == []
    assert second.unchanged == ["benin-motos-godomey", "benin-motos-godomey"]
    assert second.changed_ids == []
    status = store.status.of("benin-motos-godomey")
    assert status is not None
    assert status["article"]["version"] == 1
    assert [e["kind"] for e in status["events"]] == ["filed"]
    copies = archived(config, sample.name)
    assert len(copies) == 1
    assert copies[0].read_bytes() == sample.read_bytes()


def test_the_same_bad_file_filed_twice_is_quarantined_once(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))
    inbox.file(SAMPLES_DIR / BROKEN)
    inbox.process(store)
    inbox.file(SAMPLES_DIR / BROKEN)

    outcome = inbox.process(store)

    assert outcome.quarantined == [BROKEN]
    assert store.status.counts()["quarantined"] == 1
    assert sorted(p.name for p in config.quarantine_dir.iterdir()) == [BROKEN, f"{BROKEN}.report.json"]
    status = store.status.of(BROKEN)
    assert status is not None
    assert len(status["quarantine"]) == 1


def test_a_changed_file_with_the_same_id_is_version_two(config: NewsroomConfig, store: Store, tmp_path: Path) -> None:
    inbox = Inbox(config, files_for(config))
    original = SAMPLES_DIR / "parakou-detournement.md"
    inbox.file(original)
    inbox.process(store)
    changed = tmp_path / "edits" / original.name
    changed.parent.mkdir()
    text = original.read_text(encoding="utf-8")
    changed.write_text(text.replace("Parakou: les agents", "Parakou : les agents"), encoding="utf-8")
    inbox.file(changed)

    outcome = inbox.process(store)

    assert [(f.article_id, f.version, f.changed) for f in outcome.accepted] == [("parakou-agents-suspendus", 2, True)]
    article = store.articles.get("parakou-agents-suspendus")
    assert article is not None
    assert article.title.startswith("Parakou : les agents")
    status = store.status.of("parakou-agents-suspendus")
    assert status is not None
    assert status["article"]["version"] == 2
    # The key is frozen at first filing even though the title (and slug) changed.
    assert (
        status["article"]["path"]
        == "2025/06/20/parakou-les-agents-impliques-dans-un-detournement-suspendus-et-poursuivis.html"
    )
    assert [e["kind"] for e in status["events"]] == ["filed", "filed"]
    copies = archived(config, original.name.removesuffix(".md"))
    assert sorted(c.read_bytes() for c in copies) == sorted([original.read_bytes(), changed.read_bytes()])


def test_an_empty_inbox_returns_an_empty_outcome(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))

    outcome = inbox.process(store)

    assert (outcome.accepted, outcome.unchanged, outcome.quarantined) == ([], [], [])
    assert outcome.changed_ids == []
    assert config.inbox_dir.is_dir()
    assert store.status.counts()["articles"] == 0


def test_pending_ignores_partial_copies_and_limit_is_respected(config: NewsroomConfig, store: Store) -> None:
    inbox = Inbox(config, files_for(config))
    inbox.file(SAMPLES_DIR / "benin-motos-godomey.md")
    inbox.file(SAMPLES_DIR / "parakou-detournement.md")
    (config.inbox_dir / ".123.parakou-detournement.md.part").write_bytes(b"half")

    outcome = inbox.process(store, limit=1)

    assert [f.article_id for f in outcome.accepted] == ["benin-motos-godomey"]
    assert [Inbox.original_name(p) for p in inbox.pending()] == ["parakou-detournement.md"]


def test_original_name_strips_only_a_numeric_stamp() -> None:
    assert Inbox.original_name(Path("00001719135000000000--a--b.md")) == "a--b.md"
    assert Inbox.original_name(Path("draft--a.md")) == "draft--a.md"
    assert Inbox.original_name(Path("plain.md")) == "plain.md"


@pytest.mark.parametrize(
    ("sample", "line", "bad", "field"),
    [
        ("mali-russie-goita-poutine.md", "published: 2025-06-23T18:30:00+01:00", "published: 0001-01-01", "published"),
        ("mali-russie-goita-poutine.md", "published: 2025-06-23T18:30:00+01:00",
         "published: 0001-01-01T00:10:00+01:00", "published"),
        ("centrafrique-touadera-bruxelles.json", '"firstcreated": "2025-06-23T07:45:00+01:00"',
         '"firstcreated": "9999-12-31T23:30:00-01:00"', "published"),
    ],
)  # fmt: skip
def test_a_date_out_of_range_quarantines_that_filing_and_the_others_publish(
    config: NewsroomConfig, store: Store, tmp_path: Path, sample: str, line: str, bad: str, field: str
) -> None:
    """Year 1 or 9999 passed validation, then storing it overflowed and stopped every filing of the run."""
    source = (SAMPLES_DIR / sample).read_text(encoding="utf-8")
    assert line in source
    broken = tmp_path / f"date-hors-limites{Path(sample).suffix}"
    broken.write_text(source.replace(line, bad, 1), encoding="utf-8")
    inbox = Inbox(config, files_for(config))
    for path in (SAMPLES_DIR / "parakou-detournement.md", broken, SAMPLES_DIR / "benin-motos-godomey.md"):
        inbox.file(path)

    outcome = inbox.process(store)

    assert sorted(f.article_id for f in outcome.accepted) == ["benin-motos-godomey", "parakou-agents-suspendus"]
    assert outcome.quarantined == [broken.name]
    report = json.loads((config.quarantine_dir / f"{broken.name}.report.json").read_text(encoding="utf-8"))
    problems = {p["field"]: p["reason"] for p in report["problems"]}
    assert field in problems and "out of range" in problems[field], problems


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>",
            "http://[oops/photo.jpg", "https://img.example/a\x07.jpg", "jav\tascript:alert(1)"],
)  # fmt: skip
def test_an_image_url_that_is_not_http_is_quarantined_and_the_others_publish(
    config: NewsroomConfig, store: Store, tmp_path: Path, url: str
) -> None:
    sample = "benin-enseignement-technique.md"
    source = (SAMPLES_DIR / sample).read_text(encoding="utf-8")
    broken = tmp_path / "image-piegee.md"
    broken.write_text(
        source.replace("image: https://example.org/images/lycee-technique.jpg", f"image: {json.dumps(url)}", 1),
        encoding="utf-8",
    )
    inbox = Inbox(config, files_for(config))
    for path in (SAMPLES_DIR / "parakou-detournement.md", broken, SAMPLES_DIR / "benin-motos-godomey.md"):
        inbox.file(path)

    outcome = inbox.process(store)

    assert sorted(f.article_id for f in outcome.accepted) == ["benin-motos-godomey", "parakou-agents-suspendus"]
    assert outcome.quarantined == [broken.name]
    report = json.loads((config.quarantine_dir / f"{broken.name}.report.json").read_text(encoding="utf-8"))
    assert any(p["field"].startswith("image") for p in report["problems"]), report["problems"]
