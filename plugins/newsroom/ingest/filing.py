"""One filing received as bytes (the HTTP API of :mod:`newsroom.web`): checked, kept, announced.

The same steps as ``newsroom file``: the name is checked, the content read as the ingest will read
it, the bytes written into the inbox (a filing the ingest will refuse too: it lands in quarantine
beside its report, so nothing is lost), and a run of the ingest DAG asked for at once. A version
already stored (same content hash) is not filed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsroom.airflow_api import AirflowApiError, signal_filed
from newsroom.config import NewsroomConfig
from newsroom.files import Files
from newsroom.ingest.inbox import MAX_NAME_BYTES, Inbox
from newsroom.ingest.reader import SUPPORTED_SUFFIXES, read_article
from newsroom.models import ArticleError
from newsroom.store import Store
from newsroom.store.articles import content_hash
from newsroom.text import INVISIBLE


@dataclass(frozen=True)
class Filed:
    article_id: str | None
    file: str | None  # its name in the inbox; None when it was not filed
    content_hash: str | None = None  # of the version filed, to wait for it
    problems: list[dict[str, Any]] | None = None  # the quarantine's report, when it will be refused
    unchanged: bool = False  # this very version is already stored
    run: str | None = None  # the ingest run asked for
    note: str = ""


def check_name(name: str) -> str | None:
    """Why ``name`` cannot be a filing's file name, or None."""
    if not name or name != name.strip() or "/" in name or "\\" in name or name in (".", "..") or "\0" in name:
        return f"{name!r} is not a plain file name"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"file name too long ({len(name.encode('utf-8'))} bytes, at most {MAX_NAME_BYTES})"
    if hidden := INVISIBLE.findall(name):
        codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(hidden))
        return f"the file name holds invisible characters ({codes})"
    if not name.lower().endswith(tuple(SUPPORTED_SUFFIXES)):
        return "unsupported format: file Markdown (.md) or ninjs JSON (.json)"
    return None


def file_bytes(
    config: NewsroomConfig, store: Store, files: Files, data: bytes, name: str, *, anonymous_id: str | None = None
) -> Filed:
    """File ``data`` as ``name``; an article whose id would be ``anonymous_id`` (the stem of a made-up
    name) is refused before anything is written: it would be published under that made-up id."""
    article_id: str | None = None
    digest: str | None = None
    problems: list[dict[str, Any]] | None = None
    try:
        article = read_article(data, name, config)
    except ArticleError as exc:
        problems = [{"field": p.field, "reason": p.reason} for p in exc.problems]
    else:
        article_id, digest = article.id, content_hash(article)
        if anonymous_id is not None and article.id == anonymous_id:
            return Filed(None, None, None, [{"field": "id", "reason": "missing"}], note="no id and no file name")
        stored = store.articles.records([article.id]).get(article.id)
        if stored is not None and stored.content_hash == digest:  # stored: the pipeline has it
            return Filed(article.id, None, digest, unchanged=True)
    target = Inbox(config, files).receive(name, data)
    note = "kept: the ingest puts it in quarantine beside its report" if problems is not None else ""
    try:  # a refused filing too: its report is written by the run
        run = signal_filed(config, [target.name])
    except AirflowApiError as exc:
        return Filed(article_id, target.name, digest, problems, note=f"{exc}; the safety-net schedule picks it up")
    return Filed(article_id, target.name, digest, problems, run=str(run.get("dag_run_id") or "") or None, note=note)
