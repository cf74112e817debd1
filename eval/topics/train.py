"""Train the IPTC topic classifier on real labelled French news: ``python -m eval.topics.train``.

Data: ``eval/wikinews/winer-2016-2018.jsonl``, 1,167 French Wikinews articles
of 2016-2018 (CC BY 2.5; see ``eval/topics/README.md``), each labelled blind
with 1-3 top-level IPTC Media Topics, the primary first. The classifier is a
multinomial logistic regression over TF-IDF features of the title (twice),
standfirst and body, using the pipeline's own tokenizer
(:func:`newsroom.enrich.topics.features`), so inference in the pipeline reads
exactly what training read. The regularisation is chosen by 5-fold
cross-validation on this corpus; none of the evaluation sets (eval/real/,
eval/dataset.yaml) is read here.

Writes ``include/models/topics-fr.json.gz``: the classes, intercepts, and for
each kept feature its IDF and weights (features whose largest weight is tiny
are dropped, which keeps the file small and changes no prediction measurably).
Needs scikit-learn (a development dependency: the pipeline itself does not).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "plugins"))

from newsroom.enrich.topics import NAMES, features, model_text  # noqa: E402

CORPUS = REPO / "eval" / "wikinews" / "winer-2016-2018.jsonl"
OUT = REPO / "include" / "models" / "topics-fr.json.gz"
MIN_PER_CLASS = 5  # a class with fewer labelled articles is not learnt (its articles still train the others)
KEEP_WEIGHT = 0.02


def load(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("topics")]


def body_of(row: dict[str, Any]) -> str:
    text = str(row["text"])
    first, _sep, rest = text.partition("\n")
    # the Wikinews dateline ("1er janvier 2016. –") says nothing of the topic
    return rest if len(first) < 40 and any(ch.isdigit() for ch in first) else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)

    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    rows = load(Path(args.corpus))
    texts = [model_text(r["title"], "", body_of(r)) for r in rows]
    primary = [r["topics"][0] for r in rows]
    counts = Counter(primary)
    keep = {c for c, n in counts.items() if n >= MIN_PER_CLASS}
    pairs = [(t, y) for t, y in zip(texts, primary, strict=True) if y in keep]
    texts, labels = [t for t, _y in pairs], [y for _t, y in pairs]

    def build(c: float) -> Any:
        vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=2)
        return make_pipeline(vectorizer, LogisticRegression(C=c, max_iter=3000, class_weight="balanced"))

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=13)
    best_c, best = 1.0, -1.0
    for c in (2.0, 5.0, 10.0, 20.0, 50.0):
        score = float(np.mean(cross_val_score(build(c), texts, labels, cv=folds)))
        print(f"  C={c:<5} 5-fold accuracy on the training corpus {score:.3f}")
        if score > best:
            best_c, best = c, score
    model = build(best_c).fit(texts, labels)
    vectorizer, classifier = model.steps[0][1], model.steps[1][1]
    classes = [str(c) for c in classifier.classes_]
    weights = classifier.coef_
    idf = vectorizer.idf_
    kept: dict[str, Any] = {}
    for feature, column in sorted(vectorizer.vocabulary_.items()):
        ws = weights[:, column]
        if float(np.max(np.abs(ws))) >= KEEP_WEIGHT:
            kept[feature] = [round(float(idf[column]), 4), [round(float(w), 4) for w in ws]]
    data = {
        "about": "IPTC Media Topics (top level) from French news text; trained by eval/topics/train.py",
        "corpus": f"{Path(args.corpus).name}: {len(texts)} French Wikinews articles (CC BY 2.5)",
        "cross_validated_accuracy": round(best, 3),
        "C": best_c,
        "classes": classes,
        "intercept": [round(float(b), 4) for b in classifier.intercept_],
        "features": kept,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    out.write_bytes(gzip.compress(payload, mtime=0))
    print(f"Trained on {len(texts)} articles, {len(classes)} topics, C={best_c}, 5-fold accuracy {best:.3f}")
    print("  per topic: " + ", ".join(f"{NAMES.get(c, c)} {counts[c]}" for c in classes))
    print(
        f"  {len(kept):,} features kept of {len(vectorizer.vocabulary_):,}; wrote {out} ({out.stat().st_size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
