"""The day partitions of imported archive articles: ``partitions/YYYY/MM/DD/<id>.json``.

``newsroom import-archive`` writes one canonical article per file, in the
folder of its publication day (the site's time zone); the ``backfill_archive``
DAG's run for a day reads that folder. A file holds::

    {"article": <Article as JSON>, "source": {"file": ..., "format": ..., "sha256": ..., "url": ...}}

Writing is atomic (temp file, then rename) and idempotent: the same article
imported again leaves the file's bytes untouched.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from newsroom.config import NewsroomConfig
from newsroom.models import Article, ArticleError, Problem
from newsroom.text import SURROGATE, TOO_DEEP, lone_surrogate

Written = Literal["new", "updated", "unchanged"]


def day_of(config: NewsroomConfig, article: Article) -> date:
    if article.published is None:
        raise ArticleError(article.id, [Problem("published", "an archive article needs its publication date")])
    return article.published.astimezone(config.site.tz).date()


def day_dir(config: NewsroomConfig, day: date) -> Path:
    return config.partitions_dir / f"{day:%Y/%m/%d}"


def partition_path(config: NewsroomConfig, article: Article) -> Path:
    return day_dir(config, day_of(config, article)) / f"{article.id}.json"


def encode(article: Article, source: dict[str, Any]) -> bytes:
    record = {"article": article.model_dump(mode="json", exclude_defaults=True), "source": source}
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def write_article(config: NewsroomConfig, article: Article, source: dict[str, Any]) -> tuple[Path, Written]:
    """Write the article into its day's partition; ``unchanged`` if the file already holds these bytes."""
    path = partition_path(config, article)
    data = encode(article, source)
    existed = path.exists()
    if existed and path.read_bytes() == data:
        return path, "unchanged"
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.part")
    temp.write_bytes(data)
    os.replace(temp, path)
    return path, "updated" if existed else "new"


def day_files(config: NewsroomConfig, day: date) -> list[Path]:
    """The day's article files, in name order (empty if nothing was imported for that day)."""
    folder = day_dir(config, day)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))


def all_days(config: NewsroomConfig) -> list[date]:
    """Every day with a partition folder, oldest first."""
    root = config.partitions_dir
    days = []
    for folder in root.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]"):
        try:
            days.append(date(int(folder.parent.parent.name), int(folder.parent.name), int(folder.name)))
        except ValueError:
            continue
    return sorted(days)


def slug_of(path: Path) -> str | None:
    """The slug a partition file's article asks for, read without validating it (None: unreadable)."""
    try:
        slug = json.loads(path.read_bytes())["article"]["slug"]
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        return None
    return slug if isinstance(slug, str) else None


def read_file(path: Path) -> tuple[Article, dict[str, Any]]:
    """(article, source) from a partition file, or ArticleError naming the file and field."""
    name = str(path)
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
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
