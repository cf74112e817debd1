"""Read one filed article from bytes: detect the format, apply the shared rules.

Pure: no file system, no database. ``read_article`` returns an
:class:`~newsroom.models.Article` or raises :class:`~newsroom.models.ArticleError`
naming the file, each failing field and why. Called by ``ingest.inbox`` and by
``newsroom preview``.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from newsroom.bodies import sanitize_html
from newsroom.config import NewsroomConfig
from newsroom.ingest.markdown import FIELDS as MARKDOWN_FIELDS
from newsroom.ingest.markdown import ProblemError, megabytes, parse_markdown
from newsroom.ingest.ninjs import parse_ninjs
from newsroom.models import Article, ArticleError, Problem, in_range
from newsroom.text import slugify

MARKDOWN_SUFFIXES = {".md", ".markdown"}
JSON_SUFFIXES = {".json"}
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | JSON_SUFFIXES
DATE_FIELDS = ("published", "updated", "publish_at", "embargo_until")


def decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            file,
            [
                Problem(
                    "file",
                    f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} (save the file as UTF-8)",
                )
            ],
        ) from None


def parse_datetime(value: Any, tz: ZoneInfo) -> tuple[datetime, bool]:
    """(aware datetime, True if the zone was assumed) from YAML/JSON values.

    Accepts ISO 8601 strings ('2025-06-23T10:30:00+01:00', '...Z', a plain
    date) and YAML's own date/datetime values. A value without a zone is read
    in the site's zone and flagged so the status can say so. ValueError for a
    value that is not a date or outside the years an article may carry.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0, 0))
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
        except ValueError:
            raise ValueError(
                f"could not read {value!r} as a date: expected ISO 8601 such as 2025-06-23T10:30:00+01:00"
            ) from None
    else:
        raise ValueError(f"expected a date, got {type(value).__name__} {value!r}")
    if parsed.tzinfo is None:
        return in_range(parsed.replace(tzinfo=tz)), True
    return in_range(parsed), False


def _as_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        try:
            return [str(v).strip() for v in value if str(v).strip()]
        except ValueError:  # str() refuses an integer of over 4,300 digits
            raise ValueError("a number thousands of digits long is not a name") from None
    raise ValueError(f"expected a list of names or a comma-separated string, got {type(value).__name__}")


def build_article(fields: dict[str, Any], file: str, config: NewsroomConfig, *, stem: str) -> Article:
    """Apply the rules every format shares, then validate with the Article model."""
    problems: list[Problem] = []
    notes: list[str] = []
    data: dict[str, Any] = dict(fields)
    tz = config.site.tz

    data.setdefault("id", stem)
    for name in DATE_FIELDS:
        if data.get(name) is None:
            data.pop(name, None)
            continue
        try:
            data[name], assumed = parse_datetime(data[name], tz)
        except ValueError as exc:
            problems.append(Problem(name, str(exc)))
            data.pop(name)
            continue
        if assumed:
            notes.append(f"{name}: no time zone given, read as {config.site.timezone}")
    if data.get("publish_at") and data.get("embargo_until") and data["embargo_until"] < data["publish_at"]:
        problems.append(
            Problem(
                "embargo_until",
                f"{data['embargo_until'].isoformat()} is earlier than publish_at {data['publish_at'].isoformat()}: "
                "an embargo must not lift before the scheduled publication (remove one of them)",
            )
        )
    for name in ("authors", "tags", "blocked_tags"):
        try:
            data[name] = _as_list(data.get(name), name)
        except ValueError as exc:
            problems.append(Problem(name, str(exc)))
            data.pop(name, None)

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem("title", "missing or empty"))
        data.setdefault("slug", "article")
    elif "slug" not in data:
        data["slug"] = slugify(title) or "article"

    section = data.get("section")
    if section is None:
        problems.append(Problem("section", f"missing: expected one of {', '.join(config.section_slugs)}"))
    elif not isinstance(section, str):
        expected = f"expected one of {', '.join(config.section_slugs)}"
        problems.append(Problem("section", f"expected a section's name, got {type(section).__name__}: {expected}"))
    elif section not in config.section_slugs:
        by_name = {s.name.casefold(): s.slug for s in config.sections}
        if section.casefold() in by_name:
            data["section"] = by_name[section.casefold()]
        else:
            problems.append(
                Problem("section", f"unknown section {section!r}: expected one of {', '.join(config.section_slugs)}")
            )

    body = data.get("body_html") or ""
    size = len(body.encode("utf-8"))
    if size > config.site.max_body_bytes:
        problems.append(
            Problem(
                "body",
                f"{megabytes(size)} is over the limit of {megabytes(config.site.max_body_bytes)} (site.max_body_bytes)",
            )
        )
        data["body_html"] = "<p>(trop long)</p>"
    else:
        data["body_html"] = sanitize_html(body)
        if not data["body_html"]:
            problems.append(Problem("body", "missing or empty"))
            data["body_html"] = "<p>(vide)</p>"

    data["notes"] = notes
    try:
        article = Article.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            name = ".".join(str(part) for part in err["loc"]) or "article"
            reason = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                reason = "unknown field"
            if not any(p.field == name for p in problems):
                problems.append(Problem(name, reason))
        raise ArticleError(file, problems, article_id=_guess_id(data)) from None
    if problems:
        raise ArticleError(file, problems, article_id=article.id)
    return article


def _guess_id(data: dict[str, Any]) -> str | None:
    value = data.get("id")
    return value if isinstance(value, str) else None


def read_article(data: bytes, file: str, config: NewsroomConfig) -> Article:
    """Bytes of one filed file -> a valid Article, or ArticleError(file, field, reason)."""
    name = file.rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    stem = stem or name
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleError(
            file,
            [
                Problem(
                    "file",
                    f"unsupported format {suffix or '(no extension)'}: file Markdown (.md) or ninjs JSON (.json)",
                )
            ],
        )
    limit = config.site.max_body_bytes * 2 + 65_536
    if len(data) > limit:
        raise ArticleError(
            file, [Problem("file", f"{megabytes(len(data))} is over the limit of {megabytes(limit)} for one article")]
        )
    text = decode(data, file)
    try:
        if suffix in MARKDOWN_SUFFIXES:
            fields, _ = parse_markdown(text, max_body_bytes=config.site.max_markdown_bytes)
            unknown = sorted(set(fields) - MARKDOWN_FIELDS - {"body_html", "source_format", "image"})
            if unknown:
                problems = []
                for key in unknown:
                    close = difflib.get_close_matches(key, sorted(MARKDOWN_FIELDS), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    problems.append(Problem(key, f"unknown front matter field{hint}"))
                guess = fields.get("id")
                raise ArticleError(file, problems, article_id=guess if isinstance(guess, str) else None)
        else:
            fields = parse_ninjs(text)
    except ProblemError as exc:
        guess = exc.fields.get("id")
        raise ArticleError(file, exc.problems, article_id=guess if isinstance(guess, str) else None) from None
    return build_article(fields, file, config, stem=stem)
