"""The inbox folder: where filings land, and where each one goes after reading.

``newsroom file`` drops a copy here atomically (temp name, then rename).
The ingest task reads every file in name order (the name starts with the
filing time): an accepted article is stored as a new version and its
original moved, untouched, to ``archive/``; a refused one is moved, untouched,
to ``quarantine/`` with a ``.report.json`` beside it naming the file, the
field and the reason. One bad file never stops the others, and a file another
run took meanwhile (read, archived or quarantined by it) is skipped.

Called by ``newsroom.phases.ingest.ingest`` and the ``newsroom file`` command.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from newsroom.config import NewsroomConfig
from newsroom.ingest.reader import read_article
from newsroom.models import ArticleError, Filed, Problem, TakenDownError
from newsroom.store import Store, utcnow

log = logging.getLogger(__name__)


@dataclass
class IngestOutcome:
    accepted: list[Filed] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)

    @property
    def changed_ids(self) -> list[str]:
        return list(dict.fromkeys(f.article_id for f in self.accepted if f.changed))


# the longest name filed or stored: "<20-digit stamp>--<name>" in the inbox, or a stored name plus
# "-<hash8>" and ".report.json" in quarantine, stays within the 255 bytes of a file name
MAX_NAME_BYTES = 200


def _bounded(name: str, digest: str) -> str:
    """``name``, or a shortened one ending in ``~<hash8>`` and its suffix when it is too long to store."""
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 16:
        stem, suffix = name, ""
    tail = f"~{digest[:8]}" + (f".{suffix}" if suffix else "")
    room = MAX_NAME_BYTES - len(tail.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore") + tail


def _free_name(folder: Path, name: str, digest: str) -> Path:
    """``folder/name``, unless another file holds that name: then ``name-<hash8>``.

    The same bytes filed twice land on the same name, so a re-filing (or a
    retried task) replaces its own copy instead of piling up duplicates. A
    name too long for the file system is shortened (the report keeps the original).
    """
    name = _bounded(name, digest)
    target = folder / name
    if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() == digest:
        return target
    stem, dot, suffix = name.rpartition(".")
    return folder / (f"{stem}-{digest[:8]}.{suffix}" if dot else f"{name}-{digest[:8]}")


def _move(path: Path, target: Path) -> bool:
    """Move a filing out of the inbox; False if it is gone: another run reading the inbox took it."""
    try:
        os.replace(path, target)
    except FileNotFoundError:
        if path.exists():  # the target's folder is missing: a real error
            raise
        return False
    return True


class Inbox:
    def __init__(self, config: NewsroomConfig) -> None:
        self.config = config
        self.inbox = config.inbox_dir
        self.quarantine = config.quarantine_dir
        self.archive = config.archive_dir

    def ensure(self) -> None:
        for folder in (self.inbox, self.quarantine, self.archive):
            folder.mkdir(parents=True, exist_ok=True)

    def file(self, source: Path) -> Path:
        """Copy a file into the inbox atomically; its name keeps the original's."""
        return self.receive(source.name, source.read_bytes())

    def receive(self, name: str, data: bytes) -> Path:
        """Write a filing received over HTTP into the inbox atomically, under ``name``."""
        self.ensure()
        stamp = f"{time.time_ns():020d}"
        target = self.inbox / f"{stamp}--{name}"
        temp = self.inbox / f".{stamp}.{name}.part"
        temp.write_bytes(data)
        os.replace(temp, target)
        return target

    def pending(self) -> list[Path]:
        if not self.inbox.is_dir():
            return []
        return sorted(p for p in self.inbox.iterdir() if p.is_file() and not p.name.startswith("."))

    @staticmethod
    def original_name(path: Path) -> str:
        stamp, sep, rest = path.name.partition("--")
        return rest if sep and stamp.isdigit() else path.name

    def process(self, store: Store, *, limit: int | None = None) -> IngestOutcome:
        """Read pending filings (at most ``limit``), store or quarantine each one."""
        self.ensure()
        outcome = IngestOutcome()
        for path in self.pending()[:limit]:
            name = self.original_name(path)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue  # taken by a concurrent run
            digest = hashlib.sha256(data).hexdigest()
            try:
                article = read_article(data, name, self.config)
            except ArticleError as exc:
                self._quarantine(store, path, name, digest, exc)
                outcome.quarantined.append(name)
                continue
            except Exception as exc:  # a reader bug must not block the inbox: refuse this file, go on
                log.exception("Unexpected error reading %s", name)
                error = ArticleError(
                    name, [Problem("file", f"unexpected error while reading: {type(exc).__name__}: {exc}")]
                )
                self._quarantine(store, path, name, digest, error)
                outcome.quarantined.append(name)
                continue
            day = utcnow().astimezone(self.config.site.tz).strftime("%Y-%m-%d")
            folder = self.archive / day
            folder.mkdir(parents=True, exist_ok=True)
            archived = _free_name(folder, name, digest)
            try:
                filed = store.articles.record_version(
                    article, source_file=name, archived_path=str(archived), tz=self.config.site.tz
                )
            except TakenDownError as exc:
                refusal = ArticleError(name, [Problem("id", str(exc))], article_id=article.id)
                self._quarantine(store, path, name, digest, refusal)
                outcome.quarantined.append(name)
                continue
            if not _move(path, archived):
                log.info("%s was archived by a concurrent run", name)  # the version recorded above stands
            if filed.changed:
                outcome.accepted.append(filed)
            else:
                outcome.unchanged.append(filed.article_id)
            log.info(
                "Filed %s as %s version %d (%s)",
                name,
                filed.article_id,
                filed.version,
                "new" if filed.changed else "unchanged",
            )
        return outcome

    def _quarantine(self, store: Store, path: Path, name: str, digest: str, exc: ArticleError) -> None:
        stored = _free_name(self.quarantine, name, digest)
        report_path = stored.with_name(stored.name + ".report.json")
        problems = [{"field": p.field, "reason": p.reason} for p in exc.problems or [Problem("file", "unreadable")]]
        report = {
            "file": name,
            "stored_as": stored.name,
            "article_id": exc.article_id,
            "sha256": digest,
            "quarantined_at": utcnow().astimezone(self.config.site.tz).isoformat(timespec="seconds"),
            "field": problems[0]["field"],
            "reason": problems[0]["reason"],
            "problems": problems,
        }
        report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if not _move(path, stored):
            log.info("%s was quarantined by a concurrent run", name)
            return
        store.articles.record_quarantine(
            file=name,
            stored_path=str(stored),
            report_path=str(report_path),
            problems=problems,
            article_id=exc.article_id,
            digest=digest,
        )
        log.warning("Quarantined %s: %s", name, exc)
