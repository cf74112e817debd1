"""``newsroom import-archive``: legacy material (saved HTML pages, WordPress exports, ninjs JSON) into day partitions.

Called by the CLI (``newsroom.cli.archive``), the tests and the archive bench,
through :func:`import_archive`; its report is :mod:`newsroom.archive.report`. The run is explicit phases:

1. walk PATH (a file or a folder, recursively; hidden files are ignored);
2. read each file into candidates: ``archive.html`` (.html/.htm),
   ``archive.wxr`` (.xml), ``ingest.ninjs`` (.json); every candidate becomes an
   Article through ``ingest.reader.build_article``, the rules filed articles
   follow, with a stable id ``<yyyymmdd>-<slug>`` (publication day in the site's
   zone; the WordPress slug, else the title's) so that re-imports and the same
   article from two sources collide;
3. recognise duplicates (same id, same canonical URL, or the same folded title
   on the same day), among the files read and the articles already stored on
   their days and the days either side, and keep the richest: longest body
   text, then with an image, then with an author, then the first in path order;
4. write each kept article with ``archive.partitions.write_article`` into
   the newsroom's files the caller gives (the state folder or the private
   bucket; idempotent: a second import reports everything "unchanged").

Nothing read from one file stops the others: every item not imported is in the
:class:`ImportReport` with its file, item, field and reason.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from lxml import etree
from tqdm import tqdm

from newsroom.archive import partitions
from newsroom.archive.html import NotAnArticle, read_page
from newsroom.archive.report import Entry, Imported, ImportReport
from newsroom.archive.wxr import NotWxrError, read_items
from newsroom.config import NewsroomConfig
from newsroom.files import Files
from newsroom.ingest.markdown import ProblemError
from newsroom.ingest.ninjs import parse_ninjs
from newsroom.ingest.reader import build_article, decode, parse_datetime
from newsroom.models import Article, ArticleError, Problem
from newsroom.text import fold, slugify

FORMATS = {".html": "html", ".htm": "html", ".xml": "wxr", ".json": "ninjs"}
SLUG_LENGTH = 100  # "yyyymmdd-" + slug stays a safe id (at most 128 characters)
MAX_FILE_BYTES = 50_000_000  # one page or ninjs file; WordPress exports are streamed and not limited
PARALLEL_MIN_FILES = 200  # below this, starting worker processes costs more than it saves
BUCKET_WRITERS = 8  # partitions written at once into a private bucket
NEIGHBOUR_DAYS = (-1, 0, 1)  # stored stories a later import compares with: its candidates' days and either side


@dataclass(frozen=True)
class _Candidate:
    """An article read from one source, before duplicates are settled."""

    article: Article
    file: str
    item: str | None
    format: str
    url: str | None
    sha256: str
    stored: bool = False  # already in the partitions (from an earlier import)

    @property
    def richness(self) -> tuple[int, bool, bool]:
        text = re.sub(r"<[^>]+>", " ", self.article.body_html)
        return len(" ".join(text.split())), self.article.image is not None, bool(self.article.authors)

    @property
    def where(self) -> str:
        return f"{self.file} item {self.item}" if self.item else self.file

    def source(self) -> dict[str, Any]:
        return {"file": self.file, "format": self.format, "sha256": self.sha256, "url": self.url, "item": self.item}

    def same_source(self, other: _Candidate) -> bool:
        """Read from the same file (or the same bytes) and item: a re-import, not another source."""
        return (self.format, self.item) == (other.format, other.item) and (
            self.file == other.file or self.sha256 == other.sha256
        )

    def renamed(self, like: Article) -> _Candidate:
        """This version under an already stored id and slug (its page may be live already)."""
        if (self.article.id, self.article.slug) == (like.id, like.slug):
            return self
        return replace(self, article=self.article.model_copy(update={"id": like.id, "slug": like.slug}))


Read = _Candidate | Entry


def _section(names: list[str], config: NewsroomConfig) -> str | None:
    """The most specific known section among the source's category names or slugs (accents and case folded).

    None known: the first name, so that build_article reports it as an unknown section.
    """
    known: dict[str, str] = {}
    for section in config.sections:
        for key in (section.slug, section.name):
            known[fold(key)] = known[slugify(key)] = section.slug
    found = [slug for name in names if (slug := known.get(fold(name)) or known.get(slugify(name)))]
    if not found:
        return names[0] if names else None

    def depth(slug: str) -> int:
        parent, level = config.section(slug).parent, 0
        while parent is not None and level < len(config.sections):
            parent, level = config.section(parent).parent, level + 1
        return level

    return max(found, key=lambda slug: (depth(slug), -found.index(slug)))


def _url_key(url: str | None) -> str | None:
    """A canonical URL compared loosely: no scheme, no 'www.', no query, fragment or trailing slash."""
    if not url:
        return None
    key = re.sub(r"^[a-z]+://(www\.)?", "", url.strip().lower())
    return re.split(r"[?#]", key)[0].rstrip("/") or None


def to_article(fields: dict[str, Any], sections: list[str], file: str, fmt: str, config: NewsroomConfig) -> Article:
    """Fields read from any source -> an archive Article with its stable id, or ArticleError."""
    data = {k: v for k, v in fields.items() if k not in ("publish_at", "embargo_until", "id")}  # archives are live
    data["source_format"] = fmt
    if (section := _section(sections, config)) is not None:
        data["section"] = section
    if not data.get("published"):
        raise ArticleError(
            file, [Problem("published", "missing: no publication date found, and an archive article needs one")]
        )
    try:
        published, _ = parse_datetime(data["published"], config.site.tz)
    except ValueError as exc:
        raise ArticleError(file, [Problem("published", str(exc))]) from None
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    slug = slugify(str(data.get("slug") or ""), SLUG_LENGTH) or slugify(title or "", SLUG_LENGTH) or "article"
    day = published.astimezone(config.site.tz)
    data["slug"] = slug
    data["id"] = f"{day:%Y%m%d}-{slug}"
    return build_article(data, file, config, stem=data["id"])


def _candidate(
    fields: dict[str, Any],
    sections: list[str],
    origin: tuple[str, str | None, str],
    url: str | None,
    sha: str,
    config: NewsroomConfig,
) -> Read:
    """A candidate article, or the entry saying why the item is unreadable; origin is (file, item, format)."""
    file, item, fmt = origin
    try:
        article = to_article(fields, sections, file, fmt, config)
    except ArticleError as exc:
        return _unreadable(exc, item, fmt)
    except Exception as exc:  # one odd item must not lose the rest of its export
        return Entry("unreadable", file, item, fmt, "item", f"could not read: {type(exc).__name__}: {exc}")
    return _Candidate(article, file, item, fmt, url, sha)


def _unreadable(exc: ArticleError, item: str | None, fmt: str) -> Entry:
    """The entry for a refused item: its first problem's field; the reason lists every problem."""
    others = "".join(f"; {p.field}: {p.reason}" for p in exc.problems[1:])
    return Entry("unreadable", exc.file, item, fmt, exc.field, exc.reason + others)


def _read_wxr(path: Path, file: str, config: NewsroomConfig) -> Iterator[Read]:
    try:
        for item in read_items(path):
            label = item.guid or f"#{item.index}"
            if item.error:
                yield Entry("unreadable", file, label, "wxr", "xml", f"not well-formed XML: {item.error}")
            elif item.skipped:
                yield Entry("skipped", file, label, "wxr", "wp:post_type", item.skipped)
            else:
                yield _candidate(item.fields, item.sections, (file, label, "wxr"), item.url, item.sha256, config)
    except NotWxrError as exc:
        yield Entry("skipped", file, None, "wxr", "file", str(exc))
    except etree.XMLSyntaxError as exc:
        yield Entry("unreadable", file, None, "wxr", "xml", f"not well-formed XML: {exc}")


def _read_file(args: tuple[Path, str, NewsroomConfig]) -> list[Read]:
    """Everything one file yields. Runs in worker processes too, so it never raises."""
    path, file, config = args
    fmt = FORMATS.get(path.suffix.lower())
    try:
        if fmt is None:
            reason = f"unsupported file type {path.suffix or '(no extension)'}: expected .html, .htm, .xml or .json"
            return [Entry("skipped", file, None, "other", "file", reason)]
        if fmt == "wxr":
            return list(_read_wxr(path, file, config))
        if path.stat().st_size > MAX_FILE_BYTES:
            return [Entry("unreadable", file, None, fmt, "file", f"over {MAX_FILE_BYTES // 1_000_000} MB")]
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if fmt == "html":
            try:
                page = read_page(data)
            except NotAnArticle as exc:
                return [Entry("not_article", file, None, fmt, "page", exc.reason)]
            return [_candidate(page.fields, page.sections, (file, None, fmt), page.url, sha, config)]
        try:
            fields = parse_ninjs(decode(data, file))
        except ProblemError as exc:
            return [_unreadable(ArticleError(file, exc.problems), None, fmt)]
        except ArticleError as exc:
            return [_unreadable(exc, None, fmt)]
        section = fields.pop("section", None)
        if section is not None and not isinstance(section, str):
            fields["section"] = section  # not a name: build_article says so
        names = [section] if isinstance(section, str) and section else []
        return [_candidate(fields, names, (file, None, fmt), None, sha, config)]
    except Exception as exc:  # one broken file must never stop the import
        return [Entry("unreadable", file, None, fmt or "other", "file", f"could not read: {type(exc).__name__}: {exc}")]


def _files(root: Path) -> list[tuple[Path, str]]:
    """[(path, path relative to PATH)] in a stable order; hidden files and folders are ignored."""
    if root.is_file():
        return [(root, root.name)]
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found.append((path, relative.as_posix()))
    return sorted(found, key=lambda pair: pair[1])


def _read_all(
    files: list[tuple[Path, str]], config: NewsroomConfig, progress: bool, workers: int
) -> Iterator[list[Read]]:
    jobs = [(path, file, config) for path, file in files]
    bar = tqdm(total=len(jobs), desc="Reading", unit="file", file=sys.stderr, disable=not progress)
    with bar:
        if workers > 1 and len(jobs) >= PARALLEL_MIN_FILES:
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                for results in pool.map(_read_file, jobs, chunksize=16):
                    bar.update()
                    yield results
        else:
            for job in jobs:
                results = _read_file(job)
                bar.update()
                yield results


def _stored(config: NewsroomConfig, files: Files, candidates: list[_Candidate]) -> list[_Candidate]:
    """The articles already in the partitions of the candidates' days and the days either side.

    Two sources may date one story a day apart (a page shows local time, an export UTC): the
    neighbours let a later import recognise it by its canonical URL. Unreadable ones are ignored.
    """
    days = sorted(
        {partitions.day_of(config, c.article) + timedelta(days=shift) for c in candidates for shift in NEIGHBOUR_DAYS}
    )
    stored = []
    keys = [key for day in days for key in partitions.day_keys(files, config, day)]
    for key, data in partitions.fetch(files, keys):
        try:
            article, source = partitions.parse(data, key)
        except ArticleError:
            continue
        item = source.get("item")
        stored.append(
            _Candidate(
                article,
                str(source.get("file") or key.rpartition("/")[2]),
                None if item is None else str(item),
                str(source.get("format") or article.source_format),
                source.get("url"),
                str(source.get("sha256") or ""),
                stored=True,
            )
        )
    return stored


def _groups(pool: list[_Candidate], config: NewsroomConfig) -> tuple[list[list[int]], list[dict[str, tuple[str, ...]]]]:
    """Indexes of the pool grouped by a shared id, canonical URL or (folded title, day); and each one's keys."""
    parent = list(range(len(pool)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owners: dict[tuple[str, ...], int] = {}
    keys: list[dict[str, tuple[str, ...]]] = []
    for index, candidate in enumerate(pool):
        article = candidate.article
        day = partitions.day_of(config, article).isoformat()
        own = {"id": ("id", article.id), "title": ("title", fold(article.title), day)}
        if url := _url_key(candidate.url):
            own["canonical URL"] = ("url", url)
        keys.append(own)
        for key in own.values():
            if key in owners:
                parent[find(index)] = find(owners[key])
            else:
                owners[key] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(pool)):
        groups.setdefault(find(index), []).append(index)
    return list(groups.values()), keys


def _deduplicate(
    candidates: list[_Candidate], stored: list[_Candidate], config: NewsroomConfig
) -> tuple[list[_Candidate], list[Entry]]:
    """One version per story: the richest new one, unless the partitions already hold a story at least as rich.

    A stored story keeps its id (its page may be live); a re-read of its own source, or a strictly
    richer source of the same day, replaces its content under that id.
    """
    pool = stored + candidates  # stored first: they win ties
    groups, keys = _groups(pool, config)
    kept, duplicates = [], []
    for members in groups:
        news = [i for i in members if not pool[i].stored]
        if not news:
            continue
        best = max(news, key=lambda i: (pool[i].richness, -i))
        winner, version = best, pool[best]
        olds = [i for i in members if pool[i].stored]
        if olds:
            anchor = max(olds, key=lambda i: (pool[i].richness, -i))
            held = pool[anchor]
            replaces = any(pool[i].same_source(held) for i in news) or version.richness > held.richness
            if replaces and partitions.day_of(config, version.article) == partitions.day_of(config, held.article):
                version = version.renamed(held.article)
            else:  # kept as stored (moving a story to another day's folder would leave its old file behind)
                winner, version = anchor, held
        if not version.stored:
            kept.append(version)
        where = f"already imported from {version.where}" if version.stored else f"from {version.where}"
        for i in news:
            if i == winner:
                continue
            same = next((name for name, key in keys[i].items() if keys[winner].get(name) == key), "story")
            reason = f"duplicate of {version.article.id} ({where}): same {same}"
            duplicates.append(Entry("duplicate", pool[i].file, pool[i].item, pool[i].format, "id", reason))
    return kept, duplicates


def _outcome(
    files: Files, config: NewsroomConfig, candidate: _Candidate, dry_run: bool
) -> tuple[str, partitions.Written]:
    if not dry_run:
        return partitions.write_article(files, config, candidate.article, candidate.source())
    key = partitions.key_of(config, candidate.article)
    data = partitions.encode(candidate.article, candidate.source())
    return key, partitions.outcome(partitions.stored_bytes(files, key), data)


def import_archive(
    path: Path,
    config: NewsroomConfig,
    files: Files,
    *,
    progress: bool = False,
    dry_run: bool = False,
    workers: int = 1,
) -> ImportReport:
    """Import every article found under ``path`` into the day partitions in ``files``; the report says what
    happened to each item.

    ``dry_run`` reads and reports without writing; ``workers`` > 1 reads files in that many processes
    (for archives of at least PARALLEL_MIN_FILES files; they are spawned, so a script calling this
    with workers > 1 needs the ``if __name__ == "__main__":`` guard, as the ``newsroom`` command has).
    """
    sources = _files(path)
    report = ImportReport(path=str(path), dry_run=dry_run)
    candidates: list[_Candidate] = []
    for results in _read_all(sources, config, progress, workers):
        for result in results:
            if isinstance(result, _Candidate):
                candidates.append(result)
            else:
                report.entries.append(result)
    kept, duplicates = _deduplicate(candidates, _stored(config, files, candidates), config)
    report.entries.extend(duplicates)
    kept.sort(key=lambda c: (c.article.published or datetime.min.replace(tzinfo=UTC), c.article.id))

    def write(candidate: _Candidate) -> tuple[str, partitions.Written]:
        return _outcome(files, config, candidate, dry_run)

    with ThreadPoolExecutor(BUCKET_WRITERS) as pool:  # a bucket's round trips overlap; a folder's writes need not
        written = pool.map(write, kept) if files.remote else map(write, kept)
        bar = tqdm(written, total=len(kept), desc="Writing", unit="article", file=sys.stderr, disable=not progress)
        for candidate, (key, outcome) in zip(kept, bar, strict=True):
            report.imported.append(
                Imported(
                    candidate.article.id,
                    candidate.file,
                    candidate.item,
                    candidate.format,
                    partitions.relative(config, key),
                    outcome,
                )
            )
    return report
