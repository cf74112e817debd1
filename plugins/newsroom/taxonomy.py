"""The newsroom's taxonomy: canonical tags, their kinds and aliases.

Loaded from YAML the newsroom edits (``include/taxonomy.yaml``). Every
alias, and the name and slug themselves, fold (case, accents, apostrophes)
to one canonical tag: *Poutine* and *Vladimir Poutine* are one tag. A
duplicate alias or slug is an error naming both entries. A top-level
``blocked:`` list names what must never become a tag, whatever the text
says (the publication's sister titles, a word the model keeps taking for a
name).

Beside the configuration it belongs to (``newsroom.config`` checks the file when
it loads); used by ``newsroom.enrich`` (re-exported there), the tag review and
the dev stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsroom.models import Tag
from newsroom.text import fold, is_slug, slugify
from newsroom.yamltext import YamlProblem
from newsroom.yamltext import load as load_yaml

KINDS = ("person", "place", "organisation", "topic", "event")


class TaxonomyError(ValueError):
    """The taxonomy file is not valid; the message names the file and the entries."""


@dataclass(frozen=True)
class Entry:
    slug: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    iptc: str | None = None


class Taxonomy:
    def __init__(self, entries: list[Entry], blocked: Sequence[str] = ()) -> None:
        self.entries = {e.slug: e for e in entries}
        self.blocked = frozenset(fold(b) for b in blocked)
        self._by_key: dict[str, Entry] = {}
        for entry in entries:
            for alias in (entry.name, entry.slug, *entry.aliases):
                self._by_key.setdefault(fold(alias), entry)

    def is_blocked(self, name: str) -> bool:
        return fold(name) in self.blocked or fold(slugify(name)) in self.blocked

    def lookup(self, text: str) -> Entry | None:
        return self._by_key.get(fold(text)) or self._by_key.get(fold(slugify(text)))

    def normalise(self, raw_tags: list[str]) -> list[Tag]:
        """Manual tags to canonical ones; unknown tags are kept (the journalist wins)."""
        tags: dict[str, Tag] = {}
        for raw in raw_tags:
            entry = self.lookup(raw)
            if entry is not None:
                tags.setdefault(entry.slug, Tag(entry.slug, entry.name, entry.kind))
            elif slug := slugify(raw):
                tags.setdefault(slug, Tag(slug, " ".join(raw.split()), "topic"))
        return list(tags.values())


def parse_taxonomy(data: Any, source: str) -> Taxonomy:
    if data is None:
        return Taxonomy([])
    items = data.get("tags") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise TaxonomyError(f"{source}: expected a top-level 'tags:' list")
    unknown_top = set(data) - {"tags", "blocked"}
    if unknown_top:
        raise TaxonomyError(f"{source}: unknown top-level key(s) {', '.join(sorted(map(str, unknown_top)))}")
    blocked = data.get("blocked") or []
    if not isinstance(blocked, list) or not all(isinstance(b, str) and b.strip() for b in blocked):
        raise TaxonomyError(f"{source}: 'blocked' must be a list of names")
    entries: list[Entry] = []
    owner: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"{source}: tags[{index}]"
        if not isinstance(item, dict):
            raise TaxonomyError(f"{where}: expected a mapping with slug, name, type, aliases")
        unknown = set(item) - {"slug", "name", "type", "aliases", "iptc"}
        if unknown:
            raise TaxonomyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise TaxonomyError(f"{where}: 'name' is required")
        slug = str(item.get("slug") or slugify(name))
        if not is_slug(slug):
            raise TaxonomyError(f"{where} ({name}): slug {slug!r} is not a lowercase slug")
        kind = str(item.get("type", "topic"))
        if kind not in KINDS:
            raise TaxonomyError(f"{where} ({name}): type {kind!r} is not one of {', '.join(KINDS)}")
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise TaxonomyError(f"{where} ({name}): 'aliases' must be a list of strings")
        if slug in {e.slug for e in entries}:
            raise TaxonomyError(f"{where}: duplicate slug {slug!r} (also {owner['slug:' + slug]})")
        owner["slug:" + slug] = f"tags[{index}] {name}"
        for alias in {fold(a) for a in (name, *aliases)}:
            if alias in owner and owner[alias] != f"tags[{index}] {name}":
                raise TaxonomyError(f"{where} ({name}): alias {alias!r} is already used by {owner[alias]}")
            owner[alias] = f"tags[{index}] {name}"
        iptc = item.get("iptc")
        entries.append(Entry(slug, name.strip(), kind, tuple(aliases), str(iptc) if iptc else None))
    return Taxonomy(entries, blocked)


_LOADED: dict[tuple[str, int, int], Taxonomy] = {}


def load_taxonomy(path: Path) -> Taxonomy:
    """The taxonomy in ``path``, parsed once per process while the file is unchanged (a
    backfill's batches each build an enricher; the file has thousands of entries)."""
    if not path.exists():
        raise TaxonomyError(f"{path}: taxonomy file not found")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _LOADED:
        return _LOADED[key]
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlProblem as exc:
        raise TaxonomyError(f"{path}: not valid YAML: {exc}") from None
    taxonomy = parse_taxonomy(data, str(path))
    _LOADED.clear()
    _LOADED[key] = taxonomy
    return taxonomy
