"""Codemod for the Store facade split (issue 14, branch h-store): old Store calls -> sub-repositories.

Idempotent regex rewrites, safe to re-run after a merge:

    python tools/store_codemod.py            # every .py under plugins/ tests/ bench/ eval/ dags/ dev/
    python tools/store_codemod.py FILE...    # just these
    ruff check --fix --select F401,I001 . && ruff format .   # then: imports left unused, their order

Only calls on a store-like receiver are rewritten (a name ending in ``store``:
``store``, ``self.store``, ``any_store``, ``small_site.store``; ``open_store(...)``,
``pipeline.open_store(...)``, ``resources.open_store(...)``, ``Store.from_url(...)``; ``reopened``), so
``bucket.listing()`` or ``ledger.rows()`` are left alone. Delete this file
once the integration is done.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOTS = ("plugins", "tests", "bench", "eval", "dags", "dev")

# old Store method -> new "subrepository.method"
METHODS = {
    "record_version": "articles.record_version",
    "record_quarantine": "articles.record_quarantine",
    "article": "articles.get",
    "rows": "articles.records",
    "all_ids": "articles.all_ids",
    "live_ids": "articles.live_ids",
    "upcoming": "articles.upcoming",
    "recently_live": "articles.recently_live",
    "due": "articles.due",
    "mark": "articles.mark",
    "mark_backfilled": "articles.mark_backfilled",
    "take_down": "takedowns.take_down",
    "record_removed": "takedowns.record_removed",
    "restore": "takedowns.restore",
    "takedown_of": "takedowns.active",
    "listing": "listings.items",
    "listing_ids": "listings.ids",
    "listed": "listings.listed",
    "newest_by_path_prefix": "listings.newest_by_path_prefix",
    "tag_first_page_lastmod": "listings.tag_first_page_lastmod",
    "count_live_before": "listings.count_live_before",
    "latest_before": "listings.latest_before",
    "save_enrichment": "enrichments.save",
    "enrichment_of": "enrichments.of",
    "unenriched": "enrichments.unenriched",
    "tags_of": "enrichments.tags_of",
    "tag_names": "enrichments.tag_names",
    "tags_in_use": "enrichments.tags_in_use",
    "tag_slugs": "enrichments.tag_slugs",
    "set_related": "related.replace",
    "related_of": "related.of",
    "sidebar_of": "related.sidebar_of",
    "newer_relating": "related.newer_relating",
    "articles_relating_to": "related.relating_to",
    "objects": "objects.get",
    "object_keys": "objects.keys_with_prefix",
    "record_uploads": "objects.record",
    "forget_objects": "objects.forget",
    "backfilled_with": "backfills.fingerprint_of",
    "record_backfilled": "backfills.record_day",
    "add_backfill_pending": "backfills.add_pending",
    "backfill_pending": "backfills.pending",
    "clear_backfill_pending": "backfills.clear_pending",
    "status": "status.of",
    "counts": "status.counts",
}

# a store-like receiver (see the module docstring)
RECEIVER = (
    r"(?P<recv>(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Za-z_]*store"
    r"|(?<![\w.])(?:[A-Za-z_]\w*\.)*open_store\([^()]*\)"
    r"|(?<![\w.])Store\.from_url\([^()]*\)"
    r"|(?<![\w.])reopened)"
)
METHOD_CALL = re.compile(RECEIVER + r"\.(?P<method>" + "|".join(sorted(METHODS, key=len, reverse=True)) + r")\(")

# names that left newsroom.store for newsroom.models
MODEL_NAMES = {"Tag", "Listed", "StoredObject", "Filed", "TakenDownError", "ArticleRecord"}
STORE_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from newsroom\.store import (?P<names>[^(\n#]+?)(?P<tail>[ \t]*#.*)?$", re.M
)

ENGINE_ARG = r"(?P<x>(?<![\w.])[A-Za-z_][\w.]*(?:\([^()]*\))?)\.engine"

SUBSTITUTIONS: list[tuple[re.Pattern[str], str]] = [
    # ledgers are reached through the store
    (re.compile(r"(?<![\w.])Ledger\(" + ENGINE_ARG + r"\)"), r"\g<x>.deliveries"),
    (re.compile(r"(?<![\w.])DigestLedger\(" + ENGINE_ARG + r"\)"), r"\g<x>.digests"),
    # no engine handed out for a URL or a dispose
    (re.compile(r"str\((?P<x>[\w.]+)\.engine\.url\.render_as_string\(hide_password=False\)\)"), r"\g<x>.url"),
    (re.compile(r"(?P<x>(?<![\w.])[\w.]*store)\.engine\.url\.render_as_string\(hide_password=False\)"), r"\g<x>.url"),
    (re.compile(r"(?P<x>(?<![\w.])(?:[\w.]*store|open_store\([^()]*\)))\.engine\.dispose\(\)"), r"\g<x>.close()"),
    # modules that moved
    (re.compile(r"from newsroom\.store\.repository import _engine\b"), "from newsroom.store.engine import engine_for"),
    (re.compile(r"(?<![\w.])_engine\.cache_clear\(\)"), "engine_for.cache_clear()"),
    (re.compile(r"from newsroom\.store\.repository import BACKFILL\b"), "from newsroom.store.articles import BACKFILL"),
    (re.compile(r"from newsroom\.store\.db import make_engine\b"), "from newsroom.store.engine import make_engine"),
    (re.compile(r"\bnewsroom\.store\.db\b"), "newsroom.store.tables"),
    (re.compile(r"\bnewsroom\.digest\.ledger\b"), "newsroom.store.digests"),
    # records, not rows: the article of a record, not its JSON
    (re.compile(r"Article\.model_validate\((?P<r>\w+)\.data\)"), r"\g<r>.article"),
    (re.compile(r"\b(?P<r>row|r)\.data\.get\([\"'](?P<k>\w+)[\"'](?:, *[\"'][\"'])?\)"), r"\g<r>.article.\g<k>"),
    (re.compile(r"\brow\.data\[\"(?P<k>\w+)\"\]"), r"row.article.\g<k>"),
    # render/site.py split: a record's listing entry, the shared page context
    (re.compile(r"(from newsroom\.render\.site import [^\n]*?), _listed\b"), r"\1"),
    (re.compile(r"(?<![\w.])_listed\((?P<x>[\w.]+(?:\[\w+\])?)\)"), r"\g<x>.listed"),
    (re.compile(r"\brenderer\._base\("), "renderer.base_context("),
    # render: "live, and waiting" written once (newsroom.store.live), pipeline.py's render task
    (
        re.compile(
            r"(?P<i>[ \t]*)live = (?P<s>\w+)\.(?:articles\.)?live_ids\((?P<ids>\w+), (?P<now>\w+)\)\n"
            r"[ \t]*rows = (?P=s)\.(?:articles\.records|rows)\((?P=ids)\)\n"
            r"[ \t]*waiting = sorted\(i for i in set\((?P=ids)\) - live "
            r"if i in rows and rows\[i\]\.taken_down_at is None\)"
        ),
        r"\g<i>live = \g<s>.articles.live_ids(\g<ids>, \g<now>)\n"
        r"\g<i>waiting = \g<s>.articles.waiting_ids(\g<ids>, \g<now>)",
    ),
    # digest/build.py: a day's live articles through the store, not a query of its own
    (
        re.compile(
            r"(?s)(?P<head>def articles_of\(self, day: date\) -> )list\[ArticleRow\]:\n"
            r"(?P<doc>[ \t]*\"\"\".*?\"\"\"\n)"
            r"(?P<i>[ \t]*)start, end = day_bounds\(day, self\.tz\)\n"
            r"[ \t]*query = \(\n.*?\n[ \t]*\)\n"
            r"[ \t]*with self\.store\.session\(\) as session:\n"
            r"[ \t]*return list\(session\.scalars\(query\)\)\n"
        ),
        r"\g<head>list[ArticleRecord]:\n\g<doc>\g<i>start, end = day_bounds(day, self.tz)\n"
        r"\g<i>return self.store.articles.went_live_between(start, end, self.now)\n",
    ),
]


def _split_store_import(match: re.Match[str]) -> str:
    names = [n.strip() for n in match["names"].split(",") if n.strip()]
    models = [n for n in names if n in MODEL_NAMES]
    if not models:
        return match[0]
    store = [n for n in names if n not in MODEL_NAMES]
    indent, tail = match["indent"], match["tail"] or ""
    lines = [f"{indent}from newsroom.models import {', '.join(models)}{tail}"]
    if store:
        lines.append(f"{indent}from newsroom.store import {', '.join(store)}{tail}")
    return "\n".join(lines)


def _drop_unused(text: str, name: str) -> str:
    """Remove ``name`` from single-line ``from ... import`` statements when nothing else uses it."""
    if len(re.findall(rf"(?<![\w.]){name}\b", text)) != 1:
        return text
    pattern = re.compile(
        rf"^(?P<indent>[ \t]*)from (?P<mod>[\w.]+) import (?P<names>[^(\n#]*\b{name}\b[^(\n#]*)$", re.M
    )
    match = pattern.search(text)
    if match is None:
        return text
    rest = [n.strip() for n in match["names"].split(",") if n.strip() and n.strip() != name]
    line = f"{match['indent']}from {match['mod']} import {', '.join(rest)}" if rest else ""
    start, end = match.span()
    if not rest and end < len(text) and text[end] == "\n":
        end += 1
    return text[:start] + line + text[end:]


def rewrite(text: str) -> str:
    for pattern, replacement in SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    text = METHOD_CALL.sub(lambda m: f"{m['recv']}.{METHODS[m['method']]}(", text)
    text = STORE_IMPORT.sub(_split_store_import, text)
    if "list[ArticleRecord]" in text and not re.search(r"import[^\n]*\bArticleRecord\b", text):
        if re.search(r"^from newsroom\.models import ", text, flags=re.M):
            text = re.sub(
                r"^from newsroom\.models import ",
                "from newsroom.models import ArticleRecord, ",
                text,
                count=1,
                flags=re.M,
            )
        else:  # ruff's isort (see the module docstring) puts it in its place
            text = re.sub(
                r"^(from newsroom\.\S+ import .*)$",
                r"\1\nfrom newsroom.models import ArticleRecord",
                text,
                count=1,
                flags=re.M,
            )
    for name in ("Ledger", "DigestLedger", "ArticleRow", "or_", "_engine"):
        text = _drop_unused(text, name)
    return text


def files(args: list[str]) -> list[Path]:
    if args:
        return [Path(a) for a in args]
    here = Path(__file__).resolve().parent.parent
    return sorted(p for root in ROOTS for p in (here / root).rglob("*.py") if ".venv" not in p.parts)


def main(args: list[str]) -> int:
    changed = 0
    for path in files(args):
        if path.name == "store_codemod.py" or "newsroom/store/" in path.as_posix():
            continue  # the store itself is written by hand
        before = path.read_text(encoding="utf-8")
        after = rewrite(before)
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed += 1
            print(f"rewrote {path}")
    print(f"{changed} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
