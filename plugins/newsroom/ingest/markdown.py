"""Markdown with YAML front matter: what a journalist writes.

Returns the raw fields as a dict (source names) and the body as HTML; the
shared rules (dates, ids, sections) are applied by ``reader.build_article``.
"""

from __future__ import annotations

from typing import Any

from newsroom.bodies import markdown_to_html
from newsroom.models import Problem
from newsroom.yamltext import YamlProblem, load

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


MAX_FRONT_MATTER_BYTES = 65_536  # an article's fields take a few hundred bytes; this bounds the YAML's cost
MAX_LINKS = 20_000  # '[' in one body: a link-heavy article has hundreds; each costs a look-ahead to render


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def check_body(body: str, max_bytes: int) -> None:
    """Refuse a body whose rendering would be unbounded, before rendering it (linear, a few ms)."""
    size = len(body.encode("utf-8"))
    if size > max_bytes:
        raise ProblemError(
            Problem(
                "body",
                f"{megabytes(size)} of Markdown is over the limit of {megabytes(max_bytes)} (site.max_markdown_bytes)",
            )
        )
    links = body.count("[")
    if links > MAX_LINKS:
        raise ProblemError(
            Problem("body", f"{links:,} '[' characters: more than {MAX_LINKS:,} links or images is not an article")
        )


def parse_markdown(text: str, *, max_body_bytes: int = 300_000) -> tuple[dict[str, Any], str]:
    head, body = split_front_matter(text)
    if (size := len(head.encode("utf-8"))) > MAX_FRONT_MATTER_BYTES:
        limit = f"{MAX_FRONT_MATTER_BYTES // 1024} KB"
        reason = f"{size:,} bytes is over the limit of {limit} (the article's text goes after the second '---')"
        raise ProblemError(Problem("front matter", reason))
    try:  # line 1 of the file is the opening '---'
        meta = load(head, first_line=2, aliases=False) if head.strip() else {}
    except YamlProblem as exc:
        raise ProblemError(Problem("front matter", f"not valid YAML: {exc}")) from None
    if not isinstance(meta, dict):
        raise ProblemError(Problem("front matter", f"expected key: value pairs, got {type(meta).__name__}"))
    if odd := [key for key in meta if not isinstance(key, str)]:
        raise ProblemError(Problem("front matter", f"a key is a {type(odd[0]).__name__}: keys are field names"))
    fields: dict[str, Any] = dict(meta)
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
    try:
        check_body(body, max_body_bytes)
    except ProblemError as exc:
        exc.fields = fields
        raise
    fields["body_html"] = markdown_to_html(body) if body.strip() else ""
    fields["source_format"] = "markdown"
    return fields, body
