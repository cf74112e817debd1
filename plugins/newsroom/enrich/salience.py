"""Which entities an article is about: mentions grouped into entities, with the evidence an editor accepts.

Mentions of one entity are grouped first: the taxonomy's by slug; the others
by name, then a person's surname alone (*Goïta*, *M. Talon*) joins the full
name the article gives (*Assimi Goïta*, *Patrice Talon*), and an acronym
written after a name in brackets (*Union africaine (UA)*) joins that name.
A mention the gazetteer found and one the model found over the same words
are one mention.

An entity is salient when it is in the title or the standfirst, in the lead
(the first sentence, or the first paragraph when paragraphs are short), or
mentioned often for the article's length: twice in a short article, three
times from 700 words, four from 1,400. A passing mention is not enough.

Pure. Called by ``newsroom.enrich.enricher``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from newsroom.countries import is_country
from newsroom.enrich.document import Document
from newsroom.enrich.entities import Mention
from newsroom.enrich.names import clean, is_acronym, is_common_word, junk_reason, surname, without_article
from newsroom.text import fold

OPEN_KINDS = ("person", "organisation", "place")
LEAD_WORDS = 45  # the lead: the first sentence, or the first paragraph if it is this short
LONG_WORDS = (700, 1400)  # from these lengths an entity needs one more mention
KIND_ORDER = {"person": 0, "organisation": 1, "place": 2, "event": 3, "topic": 4}


@dataclass(frozen=True)
class Layout:
    """Where the title, standfirst and lead end in the analysed text, and the body's length."""

    title_end: int
    summary_end: int
    lead_end: int
    words: int


@dataclass
class Entity:
    """One entity of an article: its mentions' evidence and the forms the article uses."""

    name: str
    kind: str
    slug: str | None = None  # the taxonomy's, when it knows the entity
    variants: list[str] = field(default_factory=list)
    in_title: bool = False
    in_summary: bool = False
    in_lead: bool = False
    kinds: Counter[str] = field(default_factory=Counter)
    starts: list[int] = field(default_factory=list)  # where each mention starts in the analysed text

    @property
    def key(self) -> str:
        return self.slug or fold(self.name)

    @property
    def count(self) -> int:
        return len(self.starts)

    @property
    def first(self) -> int:
        return min(self.starts, default=0)

    def add(self, mention: Mention, name: str, layout: Layout) -> None:
        if name not in self.variants:
            self.variants.append(name)
        self.starts.append(mention.start)
        self.kinds[mention.kind] += 1
        self.in_title |= mention.start < layout.title_end
        self.in_summary |= layout.title_end <= mention.start < layout.summary_end
        self.in_lead |= layout.summary_end <= mention.start < layout.lead_end

    def absorb(self, other: Entity) -> None:
        for name in other.variants:
            if name not in self.variants:
                self.variants.append(name)
        self.starts += other.starts
        self.kinds.update(other.kinds)
        self.in_title |= other.in_title
        self.in_summary |= other.in_summary
        self.in_lead |= other.in_lead

    def score(self) -> float:
        return 3.0 * self.in_title + 2.0 * self.in_summary + 1.5 * self.in_lead + min(self.count, 8) * 0.5

    def needed_mentions(self, layout: Layout) -> int:
        return 2 + sum(layout.words >= n for n in LONG_WORDS)

    def salient(self, layout: Layout) -> bool:
        """In the title or standfirst, in the lead, or named often enough for the article's length."""
        return self.in_title or self.in_summary or self.in_lead or self.count >= self.needed_mentions(layout)


def analysed_text(doc: Document) -> tuple[str, Layout]:
    """The text given to the model (title, standfirst, body) and where its parts end."""
    title_end = len(doc.title)
    summary_end = title_end + 2 + len(doc.summary)
    lead = _lead(doc)
    lead_end = summary_end + 2 + len(lead)
    words = len(doc.body.split())
    return f"{doc.title}\n\n{doc.summary}\n\n{doc.body}", Layout(title_end, summary_end, lead_end, words)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ«\"])")


def _lead(doc: Document) -> str:
    first = doc.paragraphs[0] if doc.paragraphs else ""
    if len(first.split()) <= LEAD_WORDS and len(doc.paragraphs) > 1:
        return first
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0]
    words = sentence.split()
    return sentence if len(words) <= LEAD_WORDS * 2 else " ".join(words[:LEAD_WORDS])


_BRACKETED = re.compile(r"([A-ZÀ-ÖØ-Þ][^()\n]{2,80}?)\s*\(\s*([A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ0-9-]{1,11})\s*\)")


def group(
    text: str,
    layout: Layout,
    mentions: Sequence[Mention],
    *,
    publication: frozenset[str] = frozenset(),
    lexicon: Collection[str] = frozenset(),
) -> tuple[list[Entity], list[tuple[str, str]]]:
    """The article's entities, and the unknown names refused as junk (name, reason)."""
    known: dict[str, Entity] = {}
    unknown: dict[str, Entity] = {}
    refused: list[tuple[str, str]] = []
    for mention in mentions:
        if mention.slug is not None:
            entity = known.setdefault(mention.slug, Entity(mention.text, mention.kind, mention.slug))
            entity.add(mention, mention.text, layout)
            continue
        if mention.kind not in OPEN_KINDS:
            continue
        name = clean(mention.text, mention.kind)
        reason = junk_reason(name, mention.kind, publication=publication)
        if reason is not None:
            refused.append((mention.text, reason))
            continue
        entity = unknown.setdefault(fold(name), Entity(name, mention.kind))
        entity.add(mention, name, layout)
    for key, entity in list(unknown.items()):
        if len(entity.name.split()) != 1 or is_country(entity.name):
            continue
        if _written_lowercase(entity.name, text):
            refused.append((entity.name, "a common noun (also written in lowercase)"))
            del unknown[key]
        elif entity.count == 1 and not entity.in_title and _sentence_start(text, entity.first):
            refused.append((entity.name, "one word, once, at a sentence's start: too weak for a name"))
            del unknown[key]
        elif is_common_word(entity.name, lexicon) and (
            _kind(entity) != "organisation" or all(_sentence_start(text, at) for at in entity.starts)
        ):
            refused.append((entity.name, "a French noun or adjective, not a name"))
            del unknown[key]
    for key, entity in list(unknown.items()):  # "La France" at a sentence's start is France
        bare = fold(without_article(entity.name))
        if bare != key and (bare in unknown or is_country(bare)):
            target = unknown.get(bare)
            if target is None:
                target = unknown[bare] = Entity(without_article(entity.name), entity.kind)
            target.absorb(entity)
            target.variants = [v for v in target.variants if fold(without_article(v)) != bare or fold(v) == bare]
            if not target.variants:
                target.variants = [without_article(entity.name)]
            del unknown[key]
    _join_acronyms(text, unknown)
    _join_surnames(unknown)
    for entity in unknown.values():
        entity.kind = _kind(entity)
        entity.name = _canonical(entity)
    entities = [*known.values(), *unknown.values()]
    entities.sort(key=lambda e: (e.first, e.key))
    return entities, refused


def _kind(entity: Entity) -> str:
    """The kind most mentions were given; a person wins a tie (the model often calls surnames places)."""
    best = max(entity.kinds.values())
    return min((k for k, n in entity.kinds.items() if n == best), key=lambda k: KIND_ORDER.get(k, 9))


def _canonical(entity: Entity) -> str:
    """The fullest form the article gives: most words, then longest, then first written."""
    return max(entity.variants, key=lambda v: (len(v.split()), len(v), -entity.variants.index(v)))


def _join_acronyms(text: str, unknown: dict[str, Entity]) -> None:
    for match in _BRACKETED.finditer(text):
        long_name, acronym = match.group(1).strip(), match.group(2)
        short = unknown.get(fold(acronym))
        if short is None or not is_acronym(acronym):
            continue
        for key, entity in list(unknown.items()):
            if entity is not short and fold(long_name).endswith(key) and len(key.split()) >= 2:
                entity.absorb(short)
                del unknown[fold(acronym)]
                break


_STARTS_SENTENCE = re.compile(r"(?:^|[.!?:»\"]\s+|\n)$")


def _sentence_start(text: str, at: int) -> bool:
    return at == 0 or _STARTS_SENTENCE.search(text[max(0, at - 3) : at]) is not None


def _written_lowercase(word: str, text: str) -> bool:
    """A capitalised word the text also writes in lowercase is a common noun at a sentence's start."""
    lower = word.lower()
    return lower != word and re.search(r"(?<![\w'-])" + re.escape(lower) + r"(?![\w'-])", text) is not None


def _join_surnames(unknown: dict[str, Entity]) -> None:
    """A one-word mention joins the one person whose name ends with it (none if two do)."""
    people = [e for e in unknown.values() if _kind(e) == "person" and len(e.name.split()) >= 2]
    by_surname: dict[str, list[Entity]] = {}
    for person in people:
        for variant in person.variants:
            if len(variant.split()) >= 2:
                by_surname.setdefault(fold(surname(variant)), []).append(person)
    for key, entity in list(unknown.items()):
        if len(entity.name.split()) != 1:
            continue
        owners = list({id(p): p for p in by_surname.get(key, [])}.values())
        if len(owners) == 1 and owners[0] is not entity:
            owners[0].absorb(entity)
            del unknown[key]
