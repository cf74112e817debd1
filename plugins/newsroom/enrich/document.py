"""What enrichment reads of an article: plain text, normalised, with a bounded length.

Typographic apostrophes and quotes become ASCII before any parsing (the
small French model otherwise tags *d’* and *s’* as places). The body is cut
at ``max_chars`` on a paragraph boundary so a huge filing costs no more than
a long article.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3

from newsroom.models import Article
from newsroom.text import normalize_quotes

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|td|th|tr|pre)>", re.IGNORECASE)


def html_to_text(fragment: str) -> str:
    """Paragraphs of plain text from sanitised HTML (blank line between blocks)."""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n\n", fragment)
    text = html.unescape(nh3.clean(marked, tags=set()))
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    summary: str
    body: str
    section: str
    language: str
    manual_tags: tuple[str, ...] = ()
    blocked_tags: tuple[str, ...] = ()
    truncated: bool = False
    paragraphs: tuple[str, ...] = field(default=(), repr=False)

    @property
    def lead(self) -> str:
        return self.paragraphs[0] if self.paragraphs else ""

    @property
    def full_text(self) -> str:
        return "\n\n".join(part for part in (self.title, self.summary, self.body) if part)


def make_document(article: Article, max_chars: int = 30_000) -> Document:
    body = normalize_quotes(html_to_text(article.body_html))
    truncated = len(body) > max_chars
    if truncated:
        cut = body.rfind("\n\n", 0, max_chars)
        body = body[: cut if cut > max_chars // 2 else max_chars]
    return Document(
        id=article.id,
        title=normalize_quotes(article.title),
        summary=normalize_quotes(article.summary),
        body=body,
        section=article.section,
        language=article.language,
        manual_tags=tuple(article.tags),
        blocked_tags=tuple(article.blocked_tags),
        truncated=truncated,
        paragraphs=tuple(p for p in body.split("\n\n") if p),
    )
