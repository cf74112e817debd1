"""``make eval``: enrichment quality on the labelled evaluation set (eval/dataset.yaml).

Every article of eval/articles/ is filed into a fresh state (temporary
SQLite), enriched in publication order exactly as the pipeline does, then
compared with the editors' labels: tag precision, recall and F1 (micro, and
per kind), IPTC topic accuracy, and related links precision@5 / recall@5.
``--verbose`` lists every wrong and missing tag and link.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "plugins"))

from newsroom.config import DEFAULT_CONFIG, parse_config  # noqa: E402
from newsroom.enrich import enrich_articles, load_taxonomy  # noqa: E402
from newsroom.ingest import Inbox  # noqa: E402
from newsroom.pipeline import make_enricher  # noqa: E402
from newsroom.store import Store, utcnow  # noqa: E402


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def evaluate(dataset_path: Path, verbose: bool = False, *, ner: bool = True) -> dict[str, Any]:
    dataset = yaml.safe_load(dataset_path.read_text(encoding="utf-8"))
    entries = dataset["articles"] if isinstance(dataset, dict) else dataset
    with tempfile.TemporaryDirectory() as tmp:
        data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
        config = parse_config(data, DEFAULT_CONFIG, state_dir=Path(tmp))
        store = Store.from_url(config.database_url())
        inbox = Inbox(config)
        for entry in entries:
            inbox.file(dataset_path.parent / entry["file"])
        outcome = inbox.process(store)
        if outcome.quarantined:
            raise SystemExit(f"eval articles were quarantined: {outcome.quarantined}")
        started = time.perf_counter()
        enricher = make_enricher(config, ner=ner)
        loaded = time.perf_counter()
        enrich_articles(store, enricher, outcome.changed_ids, utcnow())
        elapsed = time.perf_counter() - loaded
        ids = [e["id"] for e in entries]
        tags = store.tags_of(ids)
        enrichment = store.enrichment_of(ids)
        related = store.related_of(ids)
    taxonomy = load_taxonomy(config.taxonomy_path)
    kinds = {slug: e.kind for slug, e in taxonomy.entries.items()}

    totals: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    topic_hits = topic_total = 0
    topic_counts: Counter[str] = Counter()
    p_at5: list[float] = []
    r_at5: list[float] = []
    spurious_related = 0
    no_story = 0
    errors: list[str] = []
    for entry in entries:
        got = {t.slug for t in tags[entry["id"]]}
        want = set(entry.get("expected_tags") or [])
        for slug in got | want:
            kind = kinds.get(slug, "unknown")
            counter = by_kind.setdefault(kind, Counter())
            outcome_key = "tp" if slug in got and slug in want else ("fp" if slug in got else "fn")
            counter[outcome_key] += 1
            totals[outcome_key] += 1
        if got - want:
            errors.append(f"{entry['id']}: wrong tags {sorted(got - want)}")
        if want - got:
            errors.append(f"{entry['id']}: missing tags {sorted(want - got)}")

        topics = enrichment.get(entry["id"], {}).get("topics", [])
        expected_topics = set(entry.get("expected_topics") or [])
        topic_total += 1
        if topics and topics[0] in expected_topics:
            topic_hits += 1
        else:
            errors.append(f"{entry['id']}: primary topic {topics[:1]} not in {sorted(expected_topics)}")
        topic_counts["tp"] += len(set(topics) & expected_topics)
        topic_counts["fp"] += len(set(topics) - expected_topics)
        topic_counts["fn"] += len(expected_topics - set(topics))

        links = related[entry["id"]][:5]
        expected_links = set(entry.get("related") or [])
        if expected_links:
            hits = len(set(links) & expected_links)
            p_at5.append(hits / len(links) if links else 0.0)
            r_at5.append(hits / min(len(expected_links), 5))
            if set(links) != expected_links:
                errors.append(f"{entry['id']}: related {links} expected {sorted(expected_links)}")
        else:
            no_story += 1  # (the first article of a story has nothing earlier to link)
            if links and not entry.get("story"):
                spurious_related += 1

    result = {
        "articles": len(entries),
        "tags": _prf(totals["tp"], totals["fp"], totals["fn"]),
        "tags_by_kind": {k: _prf(c["tp"], c["fp"], c["fn"]) for k, c in sorted(by_kind.items())},
        "topics": {
            "primary_accuracy": round(topic_hits / topic_total, 3) if topic_total else 0.0,
            **_prf(topic_counts["tp"], topic_counts["fp"], topic_counts["fn"]),
        },
        "related": {
            "articles_with_expected_links": len(p_at5),
            "precision_at_5": round(sum(p_at5) / len(p_at5), 3) if p_at5 else 0.0,
            "recall_at_5": round(sum(r_at5) / len(r_at5), 3) if r_at5 else 0.0,
            "standalone_articles_given_links": spurious_related,
        },
        "enrich_seconds": round(elapsed, 2),
        "model_load_seconds": round(loaded - started, 2),
        "errors": errors,
    }
    return result


def report(result: dict[str, Any], verbose: bool) -> str:
    t, topics, rel = result["tags"], result["topics"], result["related"]
    lines = [
        f"Enrichment quality on {result['articles']} labelled articles (eval/dataset.yaml)",
        f"  tags      precision {t['precision']:.3f}  recall {t['recall']:.3f}  F1 {t['f1']:.3f}"
        f"   (tp {t['tp']}, fp {t['fp']}, fn {t['fn']})",
    ]
    for kind, k in result["tags_by_kind"].items():
        lines.append(f"    {kind:<13} precision {k['precision']:.3f}  recall {k['recall']:.3f}  F1 {k['f1']:.3f}")
    lines += [
        f"  topics    primary accuracy {topics['primary_accuracy']:.3f}   precision {topics['precision']:.3f}"
        f"  recall {topics['recall']:.3f}",
        f"  related   precision@5 {rel['precision_at_5']:.3f}  recall@5 {rel['recall_at_5']:.3f}"
        f"   ({rel['articles_with_expected_links']} articles with earlier same-story articles;"
        f" {rel['standalone_articles_given_links']} stand-alone articles given links)",
        f"  time      enrich {result['enrich_seconds']} s (model load {result['model_load_seconds']} s)",
    ]
    if verbose:
        lines += ["", "Errors:", *("  " + e for e in result["errors"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default=str(HERE / "dataset.yaml"))
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--json", default=str(REPO / "bench-out" / "eval.json"))
    parser.add_argument("--no-ner", action="store_true", help="the gazetteer only, as backfills run (archive.ner)")
    args = parser.parse_args(argv)
    result = evaluate(Path(args.dataset), args.verbose, ner=not args.no_ner)
    print(report(result, args.verbose))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
