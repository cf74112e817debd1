"""The import's report: what was imported, what was not and why, as the JSON file and the CLI's summary.

Filled by :func:`newsroom.archive.importer.import_archive`; written where
:func:`default_report_path` says unless the command names a file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from newsroom.archive import partitions
from newsroom.config import NewsroomConfig

Kind = Literal["duplicate", "not_article", "unreadable", "skipped"]
KINDS: tuple[Kind, ...] = ("duplicate", "not_article", "unreadable", "skipped")


@dataclass(frozen=True)
class Entry:
    """An item not imported: which file (and item of a WordPress export), which field, and why."""

    kind: Kind
    file: str
    item: str | None
    format: str
    field: str
    reason: str


@dataclass(frozen=True)
class Imported:
    id: str
    file: str
    item: str | None
    format: str
    partition: str
    outcome: partitions.Written


@dataclass
class ImportReport:
    """What one import did; ``to_json`` is the report file, ``summary`` what the CLI prints."""

    path: str
    dry_run: bool = False
    imported: list[Imported] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    def of(self, kind: Kind) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def duplicates(self) -> list[Entry]:
        return self.of("duplicate")

    @property
    def not_articles(self) -> list[Entry]:
        return self.of("not_article")

    @property
    def unreadable(self) -> list[Entry]:
        return self.of("unreadable")

    @property
    def skipped(self) -> list[Entry]:
        return self.of("skipped")

    @property
    def outcomes(self) -> dict[str, int]:
        counts = Counter(i.outcome for i in self.imported)
        return {name: counts[name] for name in ("new", "updated", "unchanged")}

    def by_format(self) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for item in self.imported:
            table.setdefault(item.format, Counter())["imported"] += 1
        for entry in self.entries:
            table.setdefault(entry.format, Counter())[entry.kind] += 1
        return {fmt: {k: table[fmt][k] for k in ("imported", *KINDS)} for fmt in sorted(table)}

    @property
    def exit_code(self) -> int:
        """0 when everything readable was imported, 1 if anything was unreadable."""
        return 1 if self.unreadable else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "dry_run": self.dry_run,
            "counts": {
                "imported": len(self.imported),
                **self.outcomes,
                "duplicates": len(self.duplicates),
                "not_articles": len(self.not_articles),
                "unreadable": len(self.unreadable),
                "skipped": len(self.skipped),
            },
            "by_format": self.by_format(),
            "imported": [asdict(i) for i in self.imported],
            "not_imported": [asdict(e) for e in self.entries],
        }

    def write(self, path: Path) -> Path:
        """Write the JSON report (atomically) and return its path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.part")
        temp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        temp.replace(path)
        return path

    def summary(self, limit: int = 20) -> list[str]:
        o = self.outcomes
        verb = "Would import" if self.dry_run else "Imported"
        lines = [
            f"{verb} {len(self.imported)} articles from {self.path}: "
            f"{o['new']} new, {o['updated']} updated, {o['unchanged']} unchanged",
            f"  {len(self.duplicates)} duplicates, {len(self.not_articles)} not articles, "
            f"{len(self.unreadable)} unreadable, {len(self.skipped)} skipped",
        ]
        for fmt, counts in self.by_format().items():
            lines.append(f"  {fmt:<6} " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
        for kind in ("unreadable", "not_article", "duplicate"):
            entries = self.of(kind)
            for entry in entries[:limit]:
                where = f"{entry.file} [{entry.item}]" if entry.item else entry.file
                why = f"unreadable: {entry.field}: {entry.reason}" if kind == "unreadable" else entry.reason
                lines.append(f"  {where}: {why}")
            if len(entries) > limit:
                lines.append(f"  ... and {len(entries) - limit} more {kind.replace('_', ' ')} (see the report)")
        return lines


def default_report_path(config: NewsroomConfig, now: datetime | None = None) -> Path:
    """``<state_dir>/reports/import-<UTC timestamp>.json``, never overwriting an earlier report."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder = config.state_dir / "reports"
    candidate = folder / f"import-{stamp}.json"
    counter = 2
    while candidate.exists():
        candidate = folder / f"import-{stamp}-{counter}.json"
        counter += 1
    return candidate
