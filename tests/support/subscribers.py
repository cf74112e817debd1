"""Digest subscribers for the tests: five good addresses (one in capitals) and one that is not an address."""

from __future__ import annotations

from pathlib import Path

SUBSCRIBERS = [
    ("awa.dossou@example.org", "Awa Dossou"),
    ("koffi.mensah@example.org", "Koffi Mensah"),
    ("Fatou.Diallo@Example.org", "Fatou Diallo"),
    ("ibrahim.sow@example.org", ""),
    ("mariam.traore@example.org", "Mariam Traoré"),
]


def write_subscribers(path: Path, rows: list[tuple[str, str]] = SUBSCRIBERS) -> Path:
    lines = ["email,name", *(f"{email},{name}" for email, name in rows), "not-an-address,Personne", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
