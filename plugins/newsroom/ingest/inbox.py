"""The inbox: where filings land, and where each one goes after reading.

Keys of the newsroom's files (:mod:`newsroom.files`: the state folder, or a
private bucket when workers share no disk). ``newsroom file`` and the filing
API write a filing whole (temp name then rename; one S3 PUT).
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
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath

from newsroom.config import NewsroomConfig
from newsroom.files import Files
from newsroom.ingest.reader import read_article
from newsroom.models import ArticleError, Filed, Problem, TakenDownError
from newsroom.store import Store, utcnow

log = logging.getLogger(__name__)

INBOX, QUARANTINE, ARCHIVE = "inbox", "quarantine", "archive"  # key folders of the newsroom's files


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


def _free_name(files: Files, folder: str, name: str, digest: str) -> str:
    """``folder/name``, unless another file holds that name: then ``name-<hash8>``.

    The same bytes filed twice land on the same name, so a re-filing (or a
    retried task) replaces its own copy instead of piling up duplicates. A
    name too long for the file system is shortened (the report keeps the original).
    """
    name = _bounded(name, digest)
    target = f"{folder}/{name}"
    try:
        if hashlib.sha256(files.get(target)).hexdigest() != digest:
            stem, dot, suffix = name.rpartition(".")
            return f"{folder}/" + (f"{stem}-{digest[:8]}.{suffix}" if dot else f"{name}-{digest[:8]}")
    except FileNotFoundError:
        pass
    return target


class Inbox:
    """The inbox, quarantine and originals of a newsroom, as keys of its :class:`~newsroom.files.Files`
    (``inbox/<stamp>--<name>``, ``quarantine/<name>``, ``archive/<day>/<name>``). A filing's key is
    given as a :class:`~pathlib.PurePosixPath`: its ``name`` is the file's name in the inbox."""

    def __init__(self, config: NewsroomConfig, files: Files) -> None:
        self.config = config
        self.files = files

    def file(self, source: Path) -> PurePosixPath:
        """Copy a file into the inbox atomically; its name keeps the original's."""
        return self.receive(source.name, source.read_bytes())

    def receive(self, name: str, data: bytes) -> PurePosixPath:
        """Write a filing (a file's bytes, or a body received over HTTP) into the inbox, whole, under ``name``."""
        key = f"{INBOX}/{time.time_ns():020d}--{name}"
        self.files.put(key, data)
        return PurePosixPath(key)

    def pending(self) -> list[PurePosixPath]:
        return [PurePosixPath(k) for k in self.files.keys(INBOX + "/") if k.count("/") == 1]

    @staticmethod
    def original_name(path: PurePath) -> str:
        stamp, sep, rest = path.name.partition("--")
        return rest if sep and stamp.isdigit() else path.name

    def process(self, store: Store, *, limit: int | None = None) -> IngestOutcome:
        """Read pending filings (at most ``limit``), store or quarantine each one."""
        outcome = IngestOutcome()
        self.files.ensure(INBOX)
        for path in self.pending()[:limit]:
            key, name = str(path), self.original_name(path)
            try:
                data = self.files.get(key)
            except FileNotFoundError:
                continue  # taken by a concurrent run
            digest = hashlib.sha256(data).hexdigest()
            try:
                article = read_article(data, name, self.config)
            except ArticleError as exc:
                self._quarantine(store, key, name, digest, exc)
                outcome.quarantined.append(name)
                continue
            except Exception as exc:  # a reader bug must not block the inbox: refuse this file, go on
                log.exception("Unexpected error reading %s", name)
                error = ArticleError(
                    name, [Problem("file", f"unexpected error while reading: {type(exc).__name__}: {exc}")]
                )
                self._quarantine(store, key, name, digest, error)
                outcome.quarantined.append(name)
                continue
            day = utcnow().astimezone(self.config.site.tz).strftime("%Y-%m-%d")
            archived = _free_name(self.files, f"{ARCHIVE}/{day}", name, digest)
            try:
                filed = store.articles.record_version(
                    article, source_file=name, archived_path=self.files.location(archived), tz=self.config.site.tz
                )
            except TakenDownError as exc:
                refusal = ArticleError(name, [Problem("id", str(exc))], article_id=article.id)
                self._quarantine(store, key, name, digest, refusal)
                outcome.quarantined.append(name)
                continue
            if not self.files.move(key, archived):
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

    def _quarantine(self, store: Store, key: str, name: str, digest: str, exc: ArticleError) -> None:
        stored = _free_name(self.files, QUARANTINE, name, digest)
        report_key = stored + ".report.json"
        problems = [{"field": p.field, "reason": p.reason} for p in exc.problems or [Problem("file", "unreadable")]]
        report = {
            "file": name,
            "stored_as": stored.rpartition("/")[2],
            "article_id": exc.article_id,
            "sha256": digest,
            "quarantined_at": utcnow().astimezone(self.config.site.tz).isoformat(timespec="seconds"),
            "field": problems[0]["field"],
            "reason": problems[0]["reason"],
            "problems": problems,
        }
        self.files.put(report_key, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        if not self.files.move(key, stored):
            log.info("%s was quarantined by a concurrent run", name)
            return
        store.articles.record_quarantine(
            file=name,
            stored_path=self.files.location(stored),
            report_path=self.files.location(report_key),
            problems=problems,
            article_id=exc.article_id,
            digest=digest,
        )
        log.warning("Quarantined %s: %s", name, exc)
