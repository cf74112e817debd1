"""Check the labelled evaluation set: eval/dataset.yaml against eval/articles/ and the taxonomy.

Run from anywhere: ``.venv/bin/python eval/check_dataset.py`` (exit status 1 on any error).

Errors (the set is broken):
  - a file is missing, or does not parse with ``newsroom.ingest.read_article``;
  - an article has a ``tags:`` field (tags must come from the text);
  - the dataset id differs from the article's id, or an id is repeated;
  - an expected tag is not a slug of the taxonomy, or is listed twice;
  - expected_topics is not 1-3 top-level IPTC Media Topic codes;
  - a related id does not exist, is the article itself, is not in the same story
    group, or is not published earlier; or an earlier article of the same story
    is missing from ``related``;
  - fewer than 64 articles or 8 story groups, no "english" or "foreign" article.

Notes (printed, not errors):
  - an expected tag whose name, slug or aliases never occur in the article's text
    (expected for the English and foreign-language articles);
  - with ``--mentions``: per article, the taxonomy entries the text names that are
    NOT expected (the passing mentions a precise enricher should leave out).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

EVAL = Path(__file__).resolve().parent
REPO = EVAL.parent
sys.path.insert(0, str(REPO / "plugins"))

from newsroom.config import load_config  # noqa: E402
from newsroom.ingest import read_article  # noqa: E402
from newsroom.models import ArticleError  # noqa: E402
from newsroom.taxonomy import load_taxonomy  # noqa: E402
from newsroom.text import fold  # noqa: E402

IPTC_TOP = {f"medtop:{n:02d}000000" for n in range(1, 18)}
MIN_ARTICLES = 64
MIN_STORIES = 8


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def occurs(needle: str, haystack: str) -> int:
    """How often the folded needle occurs in the folded haystack, on word boundaries."""
    key = fold(needle)
    if not key:
        return 0
    return len(re.findall(r"(?<![\w])" + re.escape(key) + r"(?![\w])", haystack))


def mentions(taxonomy: Any, text: str) -> Counter[str]:
    """Taxonomy entries named in folded text, longest match first, non-overlapping.

    A rough stand-in for an entity matcher, only to help review the labels:
    "Abomey-Calavi" is not also a mention of Abomey, nor "Alliance des États
    du Sahel" one of the Sahel.
    """
    spans = []
    for entry in taxonomy.entries.values():
        for key in {fold(x) for x in (entry.name, *entry.aliases)}:
            if not key:
                continue
            for m in re.finditer(r"(?<![\w])" + re.escape(key) + r"(?![\w])", text):
                spans.append((m.start(), m.end(), entry.slug))
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: list[tuple[int, int]] = []
    counts: Counter[str] = Counter()
    for start, end, slug in spans:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        counts[slug] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=EVAL / "dataset.yaml")
    parser.add_argument("--config", type=Path, default=REPO / "include" / "newsroom.yaml")
    parser.add_argument("--mentions", action="store_true", help="list unexpected taxonomy mentions per article")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    taxonomy = load_taxonomy(config.taxonomy_path)
    data: Any = yaml.safe_load(args.dataset.read_text(encoding="utf-8"))
    items = data.get("articles") if isinstance(data, dict) else None
    errors: list[str] = []
    notes: list[str] = []
    if not isinstance(items, list):
        print(f"{args.dataset}: expected a top-level 'articles:' list")
        return 1

    articles: dict[str, Any] = {}
    texts: dict[str, str] = {}
    entries: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(items):
        where = f"articles[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        unknown = set(item) - {"file", "id", "expected_tags", "expected_topics", "story", "related"}
        if unknown:
            errors.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        aid = item.get("id")
        where = f"{where} ({aid})"
        if not isinstance(aid, str):
            errors.append(f"{where}: 'id' is required")
            continue
        if aid in entries:
            errors.append(f"{where}: duplicate id")
            continue
        entries[aid] = item
        path = EVAL / str(item.get("file", ""))
        if not item.get("file") or not path.is_file():
            errors.append(f"{where}: file {item.get('file')!r} not found")
            continue
        try:
            article = read_article(path.read_bytes(), path.name, config)
        except ArticleError as exc:
            errors.append(f"{where}: does not parse: {exc}")
            continue
        if article.id != aid:
            errors.append(f"{where}: the file's id is {article.id!r}")
        if article.tags:
            errors.append(f"{where}: the file has a tags: field ({article.tags}); tags must come from the text")
        if article.published is None:
            errors.append(f"{where}: no published date")
        articles[aid] = article
        texts[aid] = fold(" ".join([article.title, article.summary, plain_text(article.body_html)]))

        tags = item.get("expected_tags")
        if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
            errors.append(f"{where}: 'expected_tags' must be a non-empty list of slugs")
            tags = []
        for slug, count in Counter(tags).items():
            if count > 1:
                errors.append(f"{where}: expected tag {slug!r} listed {count} times")
        for slug in tags:
            entry = taxonomy.entries.get(slug)
            if entry is None:
                errors.append(f"{where}: expected tag {slug!r} is not in the taxonomy")
                continue
            if not any(occurs(a, texts[aid]) for a in (entry.name, entry.slug, *entry.aliases)):
                notes.append(f"{aid}: expected tag {slug!r} is never named in the text")

        topics = item.get("expected_topics")
        if not isinstance(topics, list) or not 1 <= len(topics) <= 3:
            errors.append(f"{where}: 'expected_topics' must list 1 to 3 IPTC codes")
        else:
            for code in topics:
                if code not in IPTC_TOP:
                    errors.append(f"{where}: {code!r} is not a top-level IPTC Media Topic code")
            if len(set(topics)) != len(topics):
                errors.append(f"{where}: repeated IPTC code")

        story = item.get("story")
        if story is not None and (not isinstance(story, str) or not story):
            errors.append(f"{where}: 'story' must be a name or null")
        if not isinstance(item.get("related"), list):
            errors.append(f"{where}: 'related' must be a list (possibly empty)")

    # related links: exist, same story, earlier, and complete
    by_story: dict[str, list[str]] = defaultdict(list)
    for aid, item in entries.items():
        if item.get("story") and aid in articles:
            by_story[item["story"]].append(aid)
    for aid, item in entries.items():
        if aid not in articles:
            continue
        mine = articles[aid]
        related = item.get("related") or []
        for other in related:
            if other == aid:
                errors.append(f"{aid}: related lists the article itself")
            elif other not in entries:
                errors.append(f"{aid}: related id {other!r} does not exist")
            elif other in articles:
                if entries[other].get("story") != item.get("story") or not item.get("story"):
                    errors.append(f"{aid}: related {other!r} is not in the same story group")
                if not articles[other].published < mine.published:
                    errors.append(f"{aid}: related {other!r} is not published earlier")
        if item.get("story"):
            earlier = {o for o in by_story[item["story"]] if o != aid and articles[o].published < mine.published}
            missing = earlier - set(related)
            if missing:
                errors.append(
                    f"{aid}: earlier articles of story {item['story']!r} missing from related: {sorted(missing)}"
                )
        elif related:
            errors.append(f"{aid}: related links but no story group")

    # the set as a whole
    groups = {s: ids for s, ids in by_story.items()}
    if len(entries) < MIN_ARTICLES:
        errors.append(f"only {len(entries)} articles (at least {MIN_ARTICLES})")
    if len(groups) < MIN_STORIES:
        errors.append(f"only {len(groups)} story groups (at least {MIN_STORIES})")
    for story, ids in groups.items():
        if not 2 <= len(ids) <= 4:
            errors.append(f"story {story!r} has {len(ids)} articles (2 to 4)")
    if not any("english" in a for a in entries):
        errors.append("no article id contains 'english'")
    if not any("foreign" in a for a in entries):
        errors.append("no article id contains 'foreign'")
    on_disk = {p.name for p in (EVAL / "articles").glob("*.md")}
    listed = {Path(str(i.get("file", ""))).name for i in entries.values()}
    for name in sorted(on_disk - listed):
        errors.append(f"articles/{name} is not in the dataset")

    if args.mentions:
        for aid, text in texts.items():
            expected = set(entries[aid].get("expected_tags") or [])
            counts = mentions(taxonomy, text)
            seen = [f"{slug}x{n}" for slug, n in counts.items() if slug not in expected]
            if seen:
                print(f"{aid}: unexpected mentions: {', '.join(seen)}")

    words = [len(plain_text(a.body_html).split()) for a in articles.values()]
    typographic = sum(1 for p in (EVAL / "articles").glob("*.md") if "\u2019" in p.read_text(encoding="utf-8"))
    for note in notes:
        print(f"note: {note}")
    for error in errors:
        print(f"ERROR: {error}")
    print(
        f"{len(entries)} articles, {len(groups)} story groups, {len(taxonomy.entries)} taxonomy entries; "
        f"body {min(words, default=0)}-{max(words, default=0)} words; "
        f"{typographic} files with typographic apostrophes; {len(errors)} error(s), {len(notes)} note(s)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
