"""``newsroom file`` tells the truth: non-zero when it knows a filing will be quarantined, one line for a
name too long or holding a bidi control, and ``--wait`` waits for *this* version and stops at once when it
is refused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsroom.cli import main
from newsroom.cli.filing import _wait_published
from newsroom.config import NewsroomConfig
from newsroom.ingest import read_article
from newsroom.store import Store
from newsroom.store.articles import content_hash
from tests.support.paths import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "mali-russie-goita-poutine.md"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("NEWSROOM_STATE_DIR", str(folder))
    return folder


def test_a_filing_known_to_be_quarantined_exits_non_zero_with_the_reason(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["file", "--no-signal", str(SAMPLES_DIR / "broken-no-title.md"), str(SAMPLE)])
    _, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "broken-no-title.md" in lines[0] and "title: missing or empty" in lines[0]
    inbox = sorted(p.name for p in (state / "inbox").iterdir())
    assert len(inbox) == 2  # both filed all the same: the bad one is kept, to be quarantined with its report


def test_a_name_too_long_is_one_line_not_a_traceback(
    state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = tmp_path / ("a" * 232 + ".md")
    long.write_bytes(SAMPLE.read_bytes())
    code = main(["file", "--no-signal", str(long)])
    _, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "file name too long" in err and "Traceback" not in err


def test_a_name_with_a_bidi_override_is_refused_in_one_line(
    state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'facture\u202egpj.md' shows as 'factureexe.jpg...' in a terminal: refused, named with the escape visible."""
    spoof = tmp_path / "facture\u202egpj.md"
    spoof.write_bytes(SAMPLE.read_bytes())
    code = main(["file", "--no-signal", str(spoof)])
    _, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "U+202E" in err and "\\u202e" in err and "\u202e" not in err
    assert not (state / "inbox").exists() or not list((state / "inbox").iterdir())


def _waiter(config: NewsroomConfig, expected: dict[str, str]) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(_wait_published(config, expected, 120)), daemon=True)
    thread.start()
    return thread, result


def test_wait_waits_for_this_version_not_the_one_already_live(config: NewsroomConfig, store: Store) -> None:
    now = datetime.now(UTC) - timedelta(hours=1)
    v1 = read_article(SAMPLE.read_bytes(), SAMPLE.name, config)
    store.articles.record_version(v1, source_file=SAMPLE.name, archived_path=None, tz=config.site.tz, now=now)
    store.articles.mark([v1.id], "published", now)
    v2_text = SAMPLE.read_text(encoding="utf-8").replace("Goïta et Poutine", "Goïta et Poutine (corrigé)", 1)
    v2 = read_article(v2_text.encode("utf-8"), SAMPLE.name, config)
    assert content_hash(v2) != content_hash(v1)

    thread, result = _waiter(config, {v2.id: content_hash(v2)})
    thread.join(1.5)
    assert thread.is_alive()  # version 1 is live, but this filing is version 2: still waiting
    store.articles.record_version(v2, source_file=SAMPLE.name, archived_path=None, tz=config.site.tz)
    store.articles.mark([v2.id], "published", datetime.now(UTC))
    thread.join(60)
    assert result == [0]


def test_wait_stops_at_once_when_the_filing_is_refused(
    config: NewsroomConfig, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    article = read_article(SAMPLE.read_bytes(), SAMPLE.name, config)
    thread, result = _waiter(config, {article.id: content_hash(article)})
    store.articles.record_quarantine(
        file=SAMPLE.name,
        stored_path="q/x.md",
        report_path="q/x.md.report.json",
        problems=[{"field": "id", "reason": "taken down: restore it first"}],
        article_id=article.id,
        digest="d",
        now=datetime.now(UTC) + timedelta(seconds=1),
    )
    thread.join(60)  # far less than the 120 s it was told to wait
    assert not thread.is_alive() and result == [1]
    assert "was refused: id: taken down: restore it first" in capsys.readouterr().err
