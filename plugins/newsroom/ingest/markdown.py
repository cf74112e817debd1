"""Markdown with YAML front matter: what a journalist writes.

Returns the raw fields as a dict (source names) and the body as HTML; the
shared rules (dates, ids, sections) are applied by ``reader.build_article``.
"""

from __future__ import annotations

from typing import Any

import yaml

from newsroom.bodies import markdown_to_html
from newsroom.models import Problem

# libyaml's safe loader where it is built in (several times faster), else the pure-Python one: both are safe.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FIELDS = {
    "id", "title", "slug", "section", "author", "authors", "date", "published", "updated",
    "publish_at", "embargo_until", "summary", "description", "image", "image_alt", "image_caption",
    "image_credit", "tags", "blocked_tags", "repost", "language", "lang", "correction",
}  # fmt: skip


def split_front_matter(text: str) -> tuple[str, str]:
    """('yaml text', 'body') from a document that starts with a '---' line."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ProblemError(
            Problem("front matter", "missing: the file must start with a line '---', then YAML, then '---'")
        )
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise ProblemError(Problem("front matter", "not closed: no second '---' line after the YAML"))


class ProblemError(Exception):
    """One problem found while reading a source format."""

    def __init__(self, *problems: Problem, fields: dict[str, Any] | None = None) -> None:
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))
        self.problems = list(problems)
        self.fields = fields or {}


def parse_markdown(text: str) -> tuple[dict[str, Any], str]:
    head, body = split_front_matter(text)
    try:
        meta = yaml.load(head, Loader=SAFE_LOADER) if head.strip() else {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date such as 2025-13-45
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProblemError(Problem("front matter", f"not valid YAML{where}: {problem}")) from None
    if not isinstance(meta, dict):
        raise ProblemError(Problem("front matter", f"expected key: value pairs, got {type(meta).__name__}"))
    fields: dict[str, Any] = {str(k): v for k, v in meta.items()}
    if "author" in fields and "authors" not in fields:
        fields["authors"] = fields.pop("author")
    if "date" in fields and "published" not in fields:
        fields["published"] = fields.pop("date")
    if "description" in fields and "summary" not in fields:
        fields["summary"] = fields.pop("description")
    if "lang" in fields and "language" not in fields:
        fields["language"] = fields.pop("lang")
    if isinstance(fields.get("image"), str):
        fields["image"] = {
            "url": fields["image"],
            "alt": fields.pop("image_alt", ""),
            "caption": fields.pop("image_caption", ""),
            "credit": fields.pop("image_credit", ""),
        }
    fields["body_html"] = markdown_to_html(body) if body.strip() else ""
    fields["source_format"] = "markdown"
    return fields, body
