"""The day partitions of imported archive articles: keys ``partitions/YYYY/MM/DD/<id>.json`` in the newsroom's files.

``newsroom import-archive`` writes one canonical article per key, under the
prefix of its publication day (the site's time zone); the ``backfill_archive``
DAG's run for a day lists that prefix once and reads its keys. The keys live in
a :class:`~newsroom.files.Files` handle the caller gives: the state folder
(where the keys are the files' paths under it, as earlier releases wrote them)
or the private bucket ``storage.files_bucket``, which workers that share no
disk all reach. A key holds::

    {"article": <Article as JSON>, "source": {"file": ..., "format": ..., "sha256": ..., "url": ...}}

Writing is whole or nothing (the handle's put) and idempotent: the same
article imported again leaves the key's bytes untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

from newsroom.config import NewsroomConfig
from newsroom.files import Files
from newsroom.models import Article, ArticleError, Problem
from newsroom.text import SURROGATE, TOO_DEEP, lone_surrogate

Written = Literal["new", "updated", "unchanged"]


def root(config: NewsroomConfig) -> str:
    """The partitions' prefix (``archive.partitions``, ``partitions`` by default), without a slash."""
    return config.archive.partitions.strip("/")


def day_of(config: NewsroomConfig, article: Article) -> date:
    if article.published is None:
        raise ArticleError(article.id, [Problem("published", "an archive article needs its publication date")])
    return article.published.astimezone(config.site.tz).date()


def day_prefix(config: NewsroomConfig, day: date) -> str:
    return f"{root(config)}/{day:%Y/%m/%d}/"


def key_of(config: NewsroomConfig, article: Article) -> str:
    return f"{day_prefix(config, day_of(config, article))}{article.id}.json"


def as_key(config: NewsroomConfig, name: str) -> str:
    """A partition's key from a key, or from its name under the prefix (``2025/06/01/<id>.json``),
    which is how a day planned by an earlier release names its files in the batch's XCom."""
    return name if name.startswith(root(config) + "/") else f"{root(config)}/{name}"


def relative(config: NewsroomConfig, key: str) -> str:
    """``2025/06/01/<id>.json``: the key under the partitions' prefix (the import report's and quarantine's name)."""
    return key.removeprefix(root(config) + "/")


def encode(article: Article, source: dict[str, Any]) -> bytes:
    record = {"article": article.model_dump(mode="json", exclude_defaults=True), "source": source}
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def stored_bytes(files: Files, key: str) -> bytes | None:
    """The bytes of a partition key, or None when there is none."""
    try:
        return files.get(key)
    except FileNotFoundError:
        return None


def outcome(old: bytes | None, data: bytes) -> Written:
    return "new" if old is None else "unchanged" if old == data else "updated"


def write_article(
    files: Files, config: NewsroomConfig, article: Article, source: dict[str, Any]
) -> tuple[str, Written]:
    """Write the article under its day's prefix: (its key, ``unchanged`` if the key already holds these bytes)."""
    key = key_of(config, article)
    data = encode(article, source)
    written = outcome(stored_bytes(files, key), data)
    if written != "unchanged":
        files.put(key, data)
    return key, written


def day_keys(files: Files, config: NewsroomConfig, day: date) -> list[str]:
    """The day's article keys, in name order (empty if nothing was imported for that day): one listing."""
    prefix = day_prefix(config, day)
    return [k for k in files.keys(prefix) if k.endswith(".json") and "/" not in k[len(prefix) :]]


def all_days(files: Files, config: NewsroomConfig) -> list[date]:
    """Every day with a partition, oldest first (a listing of every partition key: tests and benchmarks)."""
    days = set()
    for key in files.keys(root(config) + "/"):
        parts = relative(config, key).split("/")
        if len(parts) == 4 and all(p.isdigit() for p in parts[:3]):
            try:
                days.add(date(int(parts[0]), int(parts[1]), int(parts[2])))
            except ValueError:
                continue
    return sorted(days)


def fetch(files: Files, keys: Sequence[str], workers: int = 8) -> Iterator[tuple[str, bytes | None]]:
    """(key, bytes or None when gone) for each key, in order; a bucket's keys are read ``workers`` at a time."""
    if not files.remote or len(keys) < 2:
        yield from ((key, stored_bytes(files, key)) for key in keys)
        return
    with ThreadPoolExecutor(max(1, min(workers, len(keys)))) as pool:
        yield from zip(keys, pool.map(lambda key: stored_bytes(files, key), keys), strict=True)


def slug_of(data: bytes | None) -> str | None:
    """The slug a partition's article asks for, read without validating it (None: unreadable)."""
    try:
        slug = json.loads(data or b"")["article"]["slug"]
    except (ValueError, RecursionError, KeyError, TypeError):
        return None
    return slug if isinstance(slug, str) else None


def read(files: Files, key: str) -> tuple[Article, dict[str, Any]]:
    """(article, source) from a partition key, or ArticleError naming it and the field."""
    return parse(stored_bytes(files, key), files.location(key))


def parse(data: bytes | None, name: str) -> tuple[Article, dict[str, Any]]:
    """(article, source) from a partition's bytes (None: the key is gone), or ArticleError naming ``name``."""
    if data is None:
        raise ArticleError(name, [Problem("file", "not a partition file: no such key")])
    try:
        record = json.loads(data)
    except ValueError as exc:
        raise ArticleError(name, [Problem("file", f"not a partition file: {exc}")]) from None
    except RecursionError:
        raise ArticleError(name, [Problem("file", f"not a partition file: nested too deeply: {TOO_DEEP}")]) from None
    if (where := lone_surrogate(record)) is not None:
        raise ArticleError(name, [Problem(where, SURROGATE)])
    if not isinstance(record, dict) or not isinstance(record.get("article"), dict):
        raise ArticleError(name, [Problem("article", "missing: expected {'article': {...}, 'source': {...}}")])
    try:
        article = Article.model_validate(record["article"])
    except ValidationError as exc:
        problems = [Problem(".".join(str(p) for p in e["loc"]) or "article", e["msg"]) for e in exc.errors()]
        raise ArticleError(name, problems, article_id=record["article"].get("id")) from None
    source = record.get("source")
    return article, source if isinstance(source, dict) else {}
