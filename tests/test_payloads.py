"""No payload runs in a reader, on any surface.

The battery (:mod:`tests.support.payloads`: the OWASP XSS cheat sheet's
classes, bidi overrides and invisible characters) is filed through every
field a filer controls, in Markdown and ninjs; each class is one batch: the
whole site, the digest and every channel's posts are built once from it by
the real pipeline and each output is read as its reader reads it
(:mod:`tests.support.battery`, :mod:`tests.support.readers`). Nothing may run
(or spoof), every field must still read as filed (escaped once), and the
probes (the payload as a slug, or as an image URL) must be refused naming the
field. ``python -m bench.payloads`` prints the same as a matrix.

The last tests take one defence away at a time and check the battery sees
the payload come through: a battery that cannot fail proves nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsroom.render import feeds, structured
from tests.support import readers
from tests.support.battery import SURFACES, Platforms, platforms, run_batch
from tests.support.payloads import KINDS


@pytest.fixture(scope="module")
def shared() -> Iterator[Platforms]:
    with platforms() as found:
        yield found


@pytest.mark.parametrize("kind", KINDS)
def test_no_payload_runs_in_any_reader(kind: str, shared: Platforms, tmp_path: Path) -> None:
    result = run_batch(kind, tmp_path, shared)
    assert not result.misfiled, "\n".join(result.misfiled)
    live = [f"{o.surface}: {o.where}: {'; '.join(o.findings[:3])}" for o in result.live()]
    assert not live, f"{len(live)} output(s) where a {kind} payload runs or spoofs:\n" + "\n".join(live[:20])
    assert not result.unreadable, "fields that no longer read as filed:\n" + "\n".join(result.unreadable[:20])
    assert all(result.count(surface)[1] for surface in SURFACES), "a surface was not read"


def _undefended(monkeypatch: pytest.MonkeyPatch, defence: str) -> None:
    if defence == "sanitiser":
        monkeypatch.setattr("newsroom.ingest.reader.sanitize_html", lambda fragment: fragment)
    elif defence == "JSON-LD escaping":
        monkeypatch.setattr(structured, "_JSON_ESCAPES", ())
    elif defence == "RSS description escaping":
        monkeypatch.setattr(feeds, "as_rss_html", lambda text: text)
    elif defence == "RSS description escaped twice":
        monkeypatch.setattr(feeds, "as_rss_html", lambda text: html.escape(html.escape(text)))
    elif defence == "invisible characters removed":
        monkeypatch.setattr("newsroom.models.one_line", lambda text: " ".join(text.split()))


@pytest.mark.parametrize(
    ("defence", "kind", "surface"),
    [
        ("sanitiser", "event handler", "article page"),
        ("JSON-LD escaping", "script breakout", "JSON-LD"),
        ("RSS description escaping", "script", "RSS"),
        ("invisible characters removed", "bidi, invisible", "telegram"),
    ],
)
def test_the_battery_sees_a_payload_when_a_defence_is_removed(
    defence: str, kind: str, surface: str, shared: Platforms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _undefended(monkeypatch, defence)
    live, read = run_batch(kind, tmp_path, shared, limit=2).count(surface)
    assert read and live, f"without the {defence}, no {kind} payload found on the {surface} ({read} read)"


def test_the_battery_sees_text_escaped_twice(
    shared: Platforms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _undefended(monkeypatch, "RSS description escaped twice")
    unreadable = run_batch("script", tmp_path, shared, limit=1).unreadable
    assert any(problem.startswith("feed.xml: the description") for problem in unreadable), unreadable


@pytest.mark.parametrize(
    ("read", "output", "finding"),
    [
        (readers.html_findings, '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', "onerror"),
        (readers.html_findings, '<a href="java&#x09;script:alert(1)">x</a>', "javascript: URL"),
        (readers.html_findings, '<svg><a xlink:href="javascript:alert(1)">x</a></svg>', "javascript: URL"),
        (readers.html_findings, '<p style="background:url(x.png)">x</p>', "loads or evaluates"),
        (readers.html_findings, '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', "refresh"),
        (
            readers.html_findings,
            '<head><script type="application/ld+json">{"a":"</script><script>x()</script>',
            "<script>",
        ),
        (readers.html_findings, '<img src="mailto:a@example.org">', "mailto: URL"),
        (readers.html_findings, "<p>Facture \u202egpj.exe</p>", "U+202E"),
        (readers.meta_findings, '<meta property="og:image" content="javascript:alert(1)">', "og:image"),
        (readers.telegram_findings, '<a href="javascript:alert(1)">lire</a>', "link"),
        (readers.telegram_findings, "<b>x</b> &nbsp;", "entity"),
        (readers.plain_findings, "lire data://x", "would be linked"),
    ],
)
def test_the_readers_see_what_would_run(read: Callable[[str], list[str]], output: str, finding: str) -> None:
    assert any(finding in found for found in read(output)), read(output)
