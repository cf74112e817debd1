"""A synthetic, deterministic archive of French West African news articles.

Two separate steps, so other writers (Hugo, Pelican, a backfill) can reuse the data:

* :func:`generate_articles` gives :class:`GeneratedArticle` values (plain data:
  title, section, tags, dates with time zones, a body as :class:`Block` values);
* :func:`to_markdown` / :func:`write_markdown_archive` write them as the
  Markdown with YAML front matter that ``newsroom.ingest.read_article`` reads.

Article ``i`` of seed ``s`` is always the same, whatever the count: each one
draws from its own ``random.Random(f"{s}:{i}")``, so an archive can be grown
later with ``start=`` without changing what was already generated.

Command line::

    python -m bench.generate --count 5000 --out /tmp/archive --seed 7 [--check]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from bench import corpus
from newsroom.files import Files
from newsroom.text import fold, slugify

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TAXONOMY = REPO_ROOT / "include" / "taxonomy.yaml"
DEFAULT_SINCE = datetime(2019, 1, 1, tzinfo=UTC)
DEFAULT_UNTIL = datetime(2025, 6, 30, tzinfo=UTC)
DEFAULT_SEED = 2025

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")  # fmt: skip


# -- the data ------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One block of a body: a paragraph, a bullet list, a quotation or a subheading."""

    kind: Literal["p", "ul", "quote", "h2"]
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Image:
    url: str
    alt: str
    caption: str
    credit: str


@dataclass(frozen=True)
class GeneratedArticle:
    index: int
    id: str
    slug: str
    title: str
    section: str
    authors: tuple[str, ...]
    published: datetime  # aware, in the local offset of the country
    updated: datetime | None
    summary: str
    tags: tuple[str, ...]  # as a journalist writes them (taxonomy names, aliases, free topics)
    body: tuple[Block, ...]
    image: Image | None = None
    correction: str | None = None
    country: str = ""
    town: str = ""

    @property
    def filename(self) -> str:
        return f"{self.id}.md"

    def with_published(self, published: datetime) -> GeneratedArticle:
        """The same article dated ``published`` (e.g. now, for a fresh filing); ``updated`` is dropped."""
        return replace(self, published=published, updated=None, correction=None)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _de(name: str) -> str:
    """'de Cotonou', 'd’Abomey-Calavi'."""
    return f"d’{name}" if fold(name)[:1] in "aeiouyh" else f"de {name}"


def _article(role: str, feminine: bool) -> str:
    """'le ministre', 'la ministre', 'l’entraîneur'."""
    if fold(role)[:1] in "aeiouyh":
        return f"l’{role}"
    return f"la {role}" if feminine else f"le {role}"


def _of(noun_phrase: str) -> str:
    """'de' before a noun phrase with its article: 'du ministre', 'de la ministre', 'de l’entraîneur'."""
    return "du " + noun_phrase[3:] if noun_phrase.startswith("le ") else f"de {noun_phrase}"


def _french_day(day: date) -> str:
    return f"{_DAYS[day.weekday()]} {day.day}{'er' if day.day == 1 else ''} {_MONTHS[day.month - 1]}"


@dataclass(frozen=True)
class Spellings:
    """The taxonomy as journalists write it: slug -> (name, *aliases), and any spelling -> slug."""

    variants: Mapping[str, tuple[str, ...]]
    canonical: Mapping[str, str]

    @classmethod
    def of(cls, variants: Mapping[str, tuple[str, ...]]) -> Spellings:
        canonical: dict[str, str] = {}
        for slug, names in variants.items():
            for name in names:
                canonical.setdefault(fold(name), slug)
        return cls(dict(variants), canonical)


@lru_cache(maxsize=8)
def load_spellings(path: Path = DEFAULT_TAXONOMY) -> Spellings:
    """The spellings of include/taxonomy.yaml (or none, if the file is missing)."""
    if not path.exists():
        return Spellings.of({})
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    variants: dict[str, tuple[str, ...]] = {}
    for item in data.get("tags", []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            slug = str(item.get("slug") or slugify(item["name"]))
            aliases = tuple(a for a in item.get("aliases") or [] if isinstance(a, str))
            variants[slug] = (item["name"], *aliases)
    return Spellings.of(variants)


def _staff() -> tuple[str, ...]:
    """The newsroom's journalists: the same 36 names for every seed."""
    rng = random.Random("staff")
    names: list[str] = []
    while len(names) < 36:
        first = rng.choice(corpus.FIRST_NAMES_F if rng.random() < 0.45 else corpus.FIRST_NAMES_M)
        name = f"{first} {rng.choice(corpus.LAST_NAMES)}"
        if name not in names:
            names.append(name)
    return tuple(names)


STAFF = _staff()


# -- generation ----------------------------------------------------------------
class _Fill(dict[str, str]):
    """Template fields: the article's own values, plus fresh numbers drawn per template."""

    def __init__(self, fixed: Mapping[str, str], rng: random.Random) -> None:
        super().__init__()
        self.fixed = fixed
        self.rng = rng

    def __missing__(self, key: str) -> str:
        if key in self.fixed:
            return self.fixed[key]
        rng = self.rng
        value: str
        if key == "n":
            value = str(rng.randint(2, 12))
        elif key == "n2":
            value = str(rng.randint(12, 95))
        elif key == "n3":
            value = str(rng.randint(120, 950))
        elif key == "milliards":
            value = str(rng.randint(12, 3800))
        elif key == "pct":
            value = f"{rng.randint(3, 78)},{rng.randint(0, 9)}"
        elif key == "heure":
            value = f"{rng.randint(0, 23)} h {rng.choice(('00', '15', '30', '45'))}"
        elif key == "age":
            value = str(rng.randint(19, 55))
        elif key == "effectif":
            value = str(rng.randint(23, 28))
        elif key == "score":
            winner = rng.randint(1, 4)
            value = f"{winner}-{rng.randint(0, winner - 1)}"
        elif key == "nul":
            goals = rng.randint(0, 2)
            value = f"{goals}-{goals}"
        elif key == "ordinal":
            value = rng.choice(corpus.ORDINALS)
        else:
            raise KeyError(key)
        self[key] = value
        return value


class _Writer:
    """Fills templates for one article and keeps its body from repeating sentences."""

    def __init__(self, rng: random.Random, fixed: dict[str, str], pool: Sequence[str]) -> None:
        self.rng = rng
        self.fixed = fixed
        self.pool = list(pool)
        self.queue: list[str] = []

    def fill(self, template: str) -> str:
        return template.format_map(_Fill(self.fixed, self.rng))

    def sentence(self) -> str:
        if not self.queue:
            self.queue = self.pool[:]
            self.rng.shuffle(self.queue)
        return self.fill(self.queue.pop())

    def sentences(self, count: int) -> str:
        return " ".join(self.sentence() for _ in range(count))


def _weighted(rng: random.Random, weights: Mapping[str, int]) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _person(rng: random.Random) -> tuple[str, bool]:
    feminine = rng.random() < 0.4
    first = rng.choice(corpus.FIRST_NAMES_F if feminine else corpus.FIRST_NAMES_M)
    return f"{first} {rng.choice(corpus.LAST_NAMES)}", feminine


def _published(rng: random.Random, country: corpus.Country, since: datetime, until: datetime) -> datetime:
    span = max(1, int((until - since).total_seconds()))
    instant = since + timedelta(seconds=rng.randrange(span))
    local = instant.astimezone(timezone(timedelta(hours=country.utc_offset_hours)))
    return local.replace(hour=rng.randint(6, 22), minute=rng.randrange(0, 60, 5), second=0, microsecond=0)


def _tags(
    rng: random.Random,
    section: str,
    country: corpus.Country,
    town: str,
    partner: corpus.Partner,
    spellings: Spellings,
) -> tuple[str, ...]:
    tags: list[str] = []
    seen: set[str] = set()

    def spell(slug: str, fallback: str) -> str:
        variants = spellings.variants.get(slug)
        if not variants:
            return fallback
        return variants[0] if len(variants) == 1 or rng.random() < 0.65 else rng.choice(variants[1:])

    def add(text: str) -> None:
        key = spellings.canonical.get(fold(text)) or slugify(text)
        if key and key not in seen:
            seen.add(key)
            tags.append(text)

    add(spell(country.slug, country.name))
    if rng.random() < 0.7:
        add(spell(slugify(town), town))
    for slug, fallback in corpus.SECTION_TAXONOMY[section]:
        if rng.random() < 0.8:
            add(spell(slug, fallback))
    if section in ("politique", "diplomatie") and rng.random() < 0.5:
        add(spell(slugify(country.leader), country.leader))
    if section == "faits-divers" and country.slug == "benin" and rng.random() < 0.6:
        add(spell("police-republicaine", "Police républicaine"))
    if section == "diplomatie":
        for tag in partner.tags[: rng.randint(1, len(partner.tags))]:
            add(spell(slugify(tag), tag))
    target = rng.randint(3, 6)
    for topic in rng.sample(corpus.GENERIC_TOPICS[section], len(corpus.GENERIC_TOPICS[section])):
        if len(tags) >= target:
            break
        add(topic)
    return tuple(tags[:6])


def generate_article(
    index: int,
    seed: int = DEFAULT_SEED,
    *,
    since: datetime = DEFAULT_SINCE,
    until: datetime = DEFAULT_UNTIL,
    spellings: Spellings | None = None,
) -> GeneratedArticle:
    """Article number ``index`` of the archive ``seed``: the same every time."""
    rng = random.Random(f"{seed}:{index}")
    spellings = load_spellings() if spellings is None else spellings
    country = corpus.COUNTRIES[
        rng.choices(range(len(corpus.COUNTRIES)), weights=[c.weight for c in corpus.COUNTRIES])[0]
    ]
    section = _weighted(rng, corpus.SECTION_WEIGHTS)
    town = rng.choice(country.towns)
    other = rng.choice([t for t in country.towns if t != town])
    partner = rng.choice(corpus.PARTNERS)
    published = _published(rng, country, since, until)
    day = published.date() - timedelta(days=rng.choice((0, 0, 0, 1, 1, 2)))

    fixed: dict[str, str] = {
        "pays": country.name, "au_pays": country.au, "du_pays": country.du, "le_pays": country.le,
        "Le_pays": _cap(country.le), "adj_ms": country.adj[0], "adj_fs": country.adj[1], "adj_mp": country.adj[2],
        "adj_fp": country.adj[3], "ville": town, "a_ville": f"à {town}", "de_ville": _de(town), "autre_ville": other,
        "de_autre_ville": _de(other), "capitale": country.capital, "Capitale": country.capital,
        "a_capitale": f"à {country.capital}", "leader": country.leader, "leader_titre": country.leader_title,
        "Leader_titre": _cap(country.leader_title), "partenaire": partner.avec, "partenaire_nom": partner.name,
        "du_partenaire": partner.du, "au_partenaire": partner.au, "des_equipe": country.team,
        "club1": f"l’AS {town}", "Club1": f"L’AS {town}", "club2": f"l’Union sportive {_de(other)}",
        "festival": rng.choice(corpus.FESTIVALS), "artiste": _person(rng)[0],
        "objet_loi": rng.choice(corpus.OBJETS_LOI), "grief": rng.choice(corpus.GRIEFS), "jour": _french_day(day),
    }  # fmt: skip
    name, feminine = _person(rng)
    role = rng.choice(corpus.ROLES[section])[int(feminine)].format_map(fixed)
    expert, expert_feminine = _person(rng)
    expert_role = rng.choice(corpus.EXPERTS[section])[int(expert_feminine)]
    fixed.update(
        nom=name, Nom=name, fonction=role, la_fonction=_article(role, feminine),
        La_fonction_cap=_cap(_article(role, feminine)), de_la_fonction=_of(_article(role, feminine)),
        Il="Elle" if feminine else "Il",
    )  # fmt: skip
    writer = _Writer(rng, fixed, (*corpus.SENTENCES[section], *corpus.SHARED_SENTENCES))

    title = _cap(writer.fill(rng.choice(corpus.TITLES[section])))
    slug = slugify(title) or "article"
    summary = writer.sentence()
    body = _body(rng, writer, section, town, (name, role), (expert, expert_role))

    roll = rng.random()
    if roll < 0.06:
        authors: tuple[str, ...] = (rng.choice(corpus.HOUSE_BYLINES),)
    elif roll < 0.16:
        authors = tuple(rng.sample(STAFF, 2))
    else:
        authors = (rng.choice(STAFF),)

    image = None
    if rng.random() < 0.4:
        image = Image(
            url=f"https://img.echo-du-golfe.example/{published:%Y/%m}/{slug[:60]}.jpg",
            alt=writer.fill(rng.choice(("Vue {de_ville}", "Une rue {de_ville}", "Illustration: {pays}"))),
            caption=writer.fill(rng.choice(corpus.IMAGE_CAPTIONS)),
            credit=rng.choice(corpus.IMAGE_CREDITS),
        )
    updated = None
    correction = None
    if rng.random() < 0.12:
        updated = published + timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        if rng.random() < 0.2:
            correction = rng.choice(corpus.CORRECTIONS)
    return GeneratedArticle(
        index=index,
        id=f"{slug[:48].rstrip('-')}-s{seed}-{index:06d}",
        slug=slug,
        title=title,
        section=section,
        authors=authors,
        published=published,
        updated=updated,
        summary=summary,
        tags=_tags(rng, section, country, town, partner, spellings),
        body=body,
        image=image,
        correction=correction,
        country=country.name,
        town=town,
    )


def _body(
    rng: random.Random,
    writer: _Writer,
    section: str,
    town: str,
    protagonist: tuple[str, str],
    expert: tuple[str, str],
) -> tuple[Block, ...]:
    paragraphs = rng.randint(4, 10)
    lead = writer.fill(rng.choice(corpus.LEADS[section])) + " " + writer.sentences(rng.randint(1, 2))
    if rng.random() < 0.2:
        lead = f"**{town.upper()}** – {lead}"
    blocks: list[Block] = [Block("p", lead)]
    for _ in range(paragraphs - 1):
        blocks.append(Block("p", writer.sentences(rng.randint(2, 4))))
    if rng.random() < 0.3:
        intro, items = rng.choice(corpus.LISTS[section])
        chosen = rng.sample(items, rng.randint(3, min(5, len(items))))
        at = rng.randint(1, len(blocks))
        blocks[at:at] = [Block("p", intro), Block("ul", items=tuple(chosen))]
    if rng.random() < 0.4:
        speaker = f"{expert[0]}, {expert[1]}" if rng.random() < 0.6 else f"{protagonist[0]}, {protagonist[1]}"
        quote = f"« {rng.choice(corpus.QUOTES[section])} », {rng.choice(corpus.VERBS)} {speaker}."
        at = rng.randint(1, len(blocks))
        blocks.insert(at, Block("quote", quote))
    if paragraphs >= 6 and rng.random() < 0.25:
        at = rng.randint(len(blocks) // 2, len(blocks) - 1)
        if blocks[at - 1].kind == "p" and blocks[at].kind == "p":
            blocks.insert(at, Block("h2", rng.choice(corpus.SUBHEADINGS)))
    return tuple(blocks)


def generate_articles(
    count: int,
    seed: int = DEFAULT_SEED,
    *,
    start: int = 0,
    since: datetime = DEFAULT_SINCE,
    until: datetime = DEFAULT_UNTIL,
    taxonomy: Path = DEFAULT_TAXONOMY,
) -> Iterator[GeneratedArticle]:
    """Articles ``start`` .. ``start + count - 1`` of the archive ``seed``."""
    spellings = load_spellings(taxonomy)
    for index in range(start, start + count):
        yield generate_article(index, seed, since=since, until=until, spellings=spellings)


# -- Markdown with YAML front matter -------------------------------------------
def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _when(value: datetime) -> str:
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def markdown_body(blocks: Iterable[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        if block.kind == "p":
            parts.append(block.text)
        elif block.kind == "h2":
            parts.append(f"## {block.text}")
        elif block.kind == "quote":
            parts.append(f"> {block.text}")
        else:
            items = list(block.items)
            parts.append("\n".join(f"- {item}{' ;' if i < len(items) - 1 else '.'}" for i, item in enumerate(items)))
    return "\n\n".join(parts) + "\n"


def front_matter(article: GeneratedArticle) -> list[str]:
    lines = [
        f"id: {_q(article.id)}",
        f"title: {_q(article.title)}",
        f"section: {article.section}",
        f"authors: [{', '.join(_q(a) for a in article.authors)}]",
        f"published: {_when(article.published)}",
    ]
    if article.updated is not None:
        lines.append(f"updated: {_when(article.updated)}")
    lines.append(f"summary: {_q(article.summary)}")
    lines.append(f"tags: [{', '.join(_q(t) for t in article.tags)}]")
    if article.image is not None:
        lines += [
            f"image: {_q(article.image.url)}",
            f"image_alt: {_q(article.image.alt)}",
            f"image_caption: {_q(article.image.caption)}",
            f"image_credit: {_q(article.image.credit)}",
        ]
    if article.correction:
        lines.append(f"correction: {_q(article.correction)}")
    return lines


def to_markdown(article: GeneratedArticle) -> str:
    """The file a journalist would file: YAML front matter, then the Markdown body."""
    return "---\n" + "\n".join(front_matter(article)) + "\n---\n" + markdown_body(article.body)


def write_markdown(article: GeneratedArticle, folder: Path) -> Path:
    path = folder / article.filename
    path.write_text(to_markdown(article), encoding="utf-8")
    return path


def write_markdown_archive(articles: Iterable[GeneratedArticle], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_markdown(article, folder) for article in articles]


def as_dict(article: GeneratedArticle) -> dict[str, Any]:
    """A JSON-friendly view of an article (for other writers and debugging)."""
    return {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "section": article.section,
        "authors": list(article.authors),
        "published": article.published.isoformat(),
        "updated": article.updated.isoformat() if article.updated else None,
        "summary": article.summary,
        "tags": list(article.tags),
        "image": None if article.image is None else asdict(article.image),
        "correction": article.correction,
        "body_markdown": markdown_body(article.body),
    }


# -- command line --------------------------------------------------------------
def check_files(paths: Sequence[Path]) -> list[str]:
    """Read every file back with the pipeline's own reader; the problems found (none expected)."""
    from newsroom.config import load_config
    from newsroom.ingest import read_article
    from newsroom.models import ArticleError

    config = load_config(REPO_ROOT / "include" / "newsroom.yaml")
    problems: list[str] = []
    for path in paths:
        try:
            article = read_article(path.read_bytes(), path.name, config)
        except ArticleError as exc:
            problems.append(str(exc))
            continue
        if article.notes:
            problems.append(f"{path.name}: notes {article.notes}")
    return problems


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="how many articles")
    parser.add_argument("--out", required=True, help="folder to write the .md files into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=int, default=0, help="index of the first article (to grow an archive)")
    parser.add_argument("--since", type=_day, default=DEFAULT_SINCE, help="earliest publication date (YYYY-MM-DD)")
    parser.add_argument("--until", type=_day, default=DEFAULT_UNTIL, help="latest publication date (YYYY-MM-DD)")
    parser.add_argument("--taxonomy", type=Path, default=DEFAULT_TAXONOMY)
    parser.add_argument("--check", action="store_true", help="read every file back with newsroom's reader")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    articles = generate_articles(
        args.count, args.seed, start=args.start, since=args.since, until=args.until, taxonomy=args.taxonomy
    )
    paths = write_markdown_archive(articles, Path(args.out))
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in paths)
    print(f"Wrote {len(paths)} articles ({size / 1e6:.1f} MB) to {args.out} in {elapsed:.2f}s")
    if args.check:
        problems = check_files(paths)
        for problem in problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        print(f"Checked: {len(paths) - len(problems)} read cleanly, {len(problems)} with problems")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())


def write_partitions(articles: Iterable[GeneratedArticle], config: Any, files: Files | None = None) -> list[str]:
    """Generated articles as an imported archive: one key per article under its day's prefix; the keys.

    Each goes through the filing reader (``read_article``), as ``newsroom import-archive``
    produces canonical articles, then ``newsroom.archive.partitions.write_article`` into
    ``files`` (default: the config's, ``resources.files_for``: the state folder or the private bucket).
    """
    from newsroom.archive.partitions import write_article
    from newsroom.ingest.reader import read_article
    from newsroom.resources import files_for

    files = files or files_for(config)
    keys = []
    for generated in articles:
        data = to_markdown(generated).encode("utf-8")
        article = read_article(data, generated.filename, config)
        key, _ = write_article(files, config, article, {"file": generated.filename, "format": "generated"})
        keys.append(key)
    return keys
