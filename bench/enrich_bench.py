"""Enrichment throughput per core: the gazetteer path (no NER, the backfill's) and the NER path.

Each corpus is filed into a fresh SQLite state and ingested (not timed), the
enricher is made (model load not timed), then ``enrich_articles`` runs over
every article exactly as the pipeline does (tags, topics, keywords, the
search index, related links, all store writes) and is timed in CPU seconds
of this process (articles/s per core, which a loaded machine disturbs less
than wall time) and in wall seconds. Forms: the gazetteer path as a backfill runs
it (no NER, related links from shared tags) and as the live path would (text
match), and the NER path as the live path runs it. Corpora:

- **generated**: ``--articles`` articles of the synthetic archive
  (``bench.generate``, fixed seed);
- **eval**: the 169 articles of ``eval/`` (our own set and the real Wikinews set).

Each (corpus, path, form) is run ``--repeat`` times in a fresh state; the best run
is reported. To compare two trees in the same run, run this module with the
other tree's ``plugins/`` first on ``PYTHONPATH``, interleaved with this one::

    python -m bench.enrich_bench --articles 300
    PYTHONPATH=/path/to/other/plugins python -m bench.enrich_bench --articles 300
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

import newsroom
from bench.generate import DEFAULT_SEED, generate_articles, write_markdown_archive
from bench.util import log
from newsroom.config import DEFAULT_CONFIG, parse_config
from newsroom.enrich import enrich_articles
from newsroom.ingest import Inbox
from newsroom.resources import files_for, make_enricher
from newsroom.store import Store, utcnow

REPO = Path(__file__).resolve().parents[1]
EVAL_FILES = (REPO / "eval" / "articles", REPO / "eval" / "real" / "articles")


def _eval_files() -> list[Path]:
    return sorted(p for folder in EVAL_FILES for p in folder.glob("*.md"))


FORMS = (  # (path, NER, backfill: related links by shared tags, as a backfill asks)
    ("gazetteer", False, True),
    ("gazetteer", False, False),
    ("NER", True, False),
)


def run_once(files: Sequence[Path], *, ner: bool, backfill: bool = False) -> dict[str, Any]:
    """File, ingest, then time the enrichment of ``files`` in a fresh state (``backfill``: as a
    backfill enriches, related links from shared tags, ``related_before`` set)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
        config = parse_config(data, DEFAULT_CONFIG, state_dir=Path(tmp))
        store = Store.from_url(config.database_url())
        inbox = Inbox(config, files_for(config))
        for path in files:
            inbox.file(path)
        ids = inbox.process(store).changed_ids
        enricher = make_enricher(config, ner=ner)
        now = utcnow()
        before = now if backfill else None
        cpu, wall = time.process_time(), time.perf_counter()
        enrich_articles(store, enricher, ids, now, batch_size=config.enrich.batch_size * 2, related_before=before)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"articles": len(ids), "cpu_s": round(cpu, 3), "wall_s": round(wall, 3)}


def run(articles: int, repeat: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    results: dict[str, Any] = {"code": str(Path(newsroom.__file__).parent), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        generated = write_markdown_archive(generate_articles(articles, seed), Path(tmp))
        for corpus, files in (("generated", generated), ("eval", _eval_files())):
            for path, ner, backfill in FORMS:
                runs = [run_once(files, ner=ner, backfill=backfill) for _ in range(repeat)]
                best = min(runs, key=lambda r: r["cpu_s"])
                row = {
                    "corpus": corpus,
                    "path": path,
                    "form": "backfill" if backfill else "live",
                    **best,
                    "per_core_per_s": round(best["articles"] / best["cpu_s"], 1),
                    "ms_per_article": round(1000 * best["cpu_s"] / best["articles"], 2),
                    "loadavg": os.getloadavg()[0],
                }
                log(f"enrich: {corpus} {path} {row['form']}: {row['per_core_per_s']}/s per core")
                results["runs"].append(row)
    return results


def format_enrich(r: dict[str, Any]) -> list[str]:
    lines = [f"Enrichment per core (enrich_articles, CPU time; code: {r.get('code', '?')})"]
    if "error" in r:
        lines.append(f"  FAILED: {r['error']}")
    for row in r.get("runs", []):
        lines.append(
            f"  {row['corpus']:<9} {row['path']:<9} {row['form']:<8} {row['articles']:>4} articles   "
            f"{row['per_core_per_s']:7.1f}/s per core ({row['ms_per_article']:6.2f} ms each)   "
            f"wall {row['wall_s']:6.2f} s   load {row['loadavg']:.1f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="generated articles")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each corpus and path; the best is kept")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    results = run(args.articles, args.repeat, args.seed)
    print("\n".join(format_enrich(results)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
