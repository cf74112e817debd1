"""Filing an article: ``file`` (into the inbox, a run of the ingest DAG asked for at once), ``preview`` (a page rendered
locally, nothing filed) and ``process`` (the ingest DAG once, inline, without Airflow). Where it is
then: ``newsroom status`` (:mod:`newsroom.cli.records`).

Called by :func:`newsroom.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from newsroom.airflow_api import AirflowApiError, AirflowAuthError, signal_filed
from newsroom.cli.common import fmt_time
from newsroom.cli.remote import connection_password, file_remote
from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox, read_article
from newsroom.ingest.inbox import MAX_NAME_BYTES
from newsroom.models import ArticleError, LockHolder
from newsroom.phases.ingest import process
from newsroom.phases.preview import render_preview
from newsroom.preview_links import link
from newsroom.resources import files_for, make_enricher, open_store
from newsroom.store.articles import content_hash
from newsroom.text import INVISIBLE


def cmd_file(args: argparse.Namespace, config: NewsroomConfig) -> int:
    if args.to:  # over HTTP, as a CMS: no state folder needed
        return file_remote(args.to, args.paths, config, args.wait)

    inbox = Inbox(config, files_for(config))
    filed: list[str] = []
    expected: dict[str, str] = {}  # article id -> the content hash of the version filed now
    refused: list[str] = []
    for name in args.paths:
        path = Path(name)
        if not path.is_file():
            print(f"newsroom file: {path}: no such file", file=sys.stderr)
            return 2
        size = len(path.name.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            print(
                f"newsroom file: {path.name[:40]}…: file name too long ({size} bytes, at most {MAX_NAME_BYTES});"
                " rename it and file it again",
                file=sys.stderr,
            )
            return 2
        if hidden := INVISIBLE.findall(path.name):
            codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(hidden))
            print(
                f"newsroom file: {path.name.encode('unicode_escape').decode('ascii')}: the file name holds "
                f"invisible characters ({codes}: a bidi control shows a name backwards); rename it and file it again",
                file=sys.stderr,
            )
            return 2
        try:
            article = read_article(path.read_bytes(), path.name, config)
            expected[article.id] = content_hash(article)
            note = f"article {article.id}"
        except ArticleError as exc:
            note = f"WILL BE QUARANTINED: {exc}"
            refused.append(str(exc))
        try:
            target = inbox.file(path)
        except OSError as exc:
            where = inbox.files.location("inbox")
            print(f"newsroom file: {path}: cannot copy it into {where}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        filed.append(target.name)
        print(f"Filed {path} -> {inbox.files.location(str(target))} ({note})")
    code = 0
    if not args.no_signal:
        try:
            run = signal_filed(config, filed)
            print(f"Airflow told: run {run.get('dag_run_id')} of {run.get('dag_id')} requested")
        except AirflowAuthError as exc:  # a setup to fix: say so, and fail (without waiting)
            print(f"newsroom file: {exc}; the filing is safe in the inbox, the safety net picks it up", file=sys.stderr)
            code = 1
        except AirflowApiError as exc:
            print(f"Warning: {exc}; the safety-net schedule will pick the filing up.", file=sys.stderr)
    if args.wait and expected and not code:
        code = _wait_published(config, expected, args.wait)
    for reason in refused:  # filed all the same: the original is kept beside its report
        print(f"newsroom file: will be quarantined: {reason}", file=sys.stderr)
    return 1 if refused else code


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _wait_published(config: NewsroomConfig, expected: dict[str, str], timeout: float) -> int:
    """Wait until the version filed now (its content hash) is live; stop at once if it is refused."""
    store = open_store(config)
    since = datetime.now(UTC)
    deadline = time.monotonic() + timeout
    pending = dict(expected)
    scheduled: dict[str, datetime] = {}
    while pending and time.monotonic() < deadline:
        rows = store.articles.records(pending)
        for article_id, digest in list(pending.items()):
            row = rows.get(article_id)
            if row is not None and row.content_hash == digest:
                if row.status == "published":
                    del pending[article_id]
                elif row.status == "scheduled" and row.visible_from is not None:
                    scheduled[article_id] = row.visible_from
                    del pending[article_id]
                continue
            info = store.status.of(article_id)
            refusals = [q for q in (info or {}).get("quarantine", []) if _aware(q["at"]) >= since]
            if refusals:
                problems = "; ".join(f"{p['field']}: {p['reason']}" for p in refusals[-1]["problems"])
                print(f"newsroom file: {article_id} was refused: {problems}", file=sys.stderr)
                return 1
        if pending:
            time.sleep(0.3)
    if pending:
        print(f"newsroom file: not published after {timeout:.0f}s: {', '.join(sorted(pending))}", file=sys.stderr)
        return 1
    for article_id, when in scheduled.items():
        print(f"Scheduled: {article_id} goes live at {fmt_time(when, config)}")
    live = [i for i in expected if i not in scheduled]
    if live:
        print(f"Published: {', '.join(live)}")
    return 0


def cmd_preview(args: argparse.Namespace, config: NewsroomConfig) -> int:
    if args.link:
        return _preview_link(args.path, config, args.hours or config.web.preview_hours)
    path = Path(args.path)
    try:
        article = read_article(path.read_bytes(), path.name, config)
    except ArticleError as exc:
        print(f"newsroom preview: this article would be quarantined:\n  {exc.file}", file=sys.stderr)
        for problem in exc.problems:
            print(f"    {problem.field}: {problem.reason}", file=sys.stderr)
        return 1

    waiting = not args.no_tags and sys.stderr.isatty()  # the language model takes seconds to load: say so
    if waiting:
        print("Tagging with the language model (--no-tags skips it)…", end="", file=sys.stderr, flush=True)
    body = render_preview(config, article, None if args.no_tags else make_enricher(config))
    if waiting:
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)  # the line erased
    out = Path(args.output) if args.output else config.state_dir / "preview" / f"{article.slug}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    for note in article.notes:
        print(f"note: {note}")
    print(f"Preview of {article.id} written to {out}")
    return 0


def _preview_link(article_id: str, config: NewsroomConfig, hours: float) -> int:
    """A signed link to the page of a stored article not yet live, served by the filing API."""
    row = open_store(config).articles.records([article_id]).get(article_id)
    if row is None or row.taken_down_at is not None:
        print(f"newsroom preview: no stored article {article_id!r} (or it was taken down)", file=sys.stderr)
        return 1
    secret = connection_password(config.web.preview_conn_id)
    if secret is None:
        print(
            "newsroom preview: no signing secret: set web.preview_conn_id to a connection with a password",
            file=sys.stderr,
        )
        return 1
    expires = int(time.time() + hours * 3600)
    print(link(config.airflow.url + "/newsroom", secret, article_id, row.version, expires))
    until = fmt_time(datetime.fromtimestamp(expires, UTC), config)
    print(f"version {row.version} ({row.status}), works until {until}; never indexed, never public", file=sys.stderr)
    return 0


def cmd_process(args: argparse.Namespace, config: NewsroomConfig) -> int:

    def waiting(holder: LockHolder | None) -> None:
        who = holder.describe(config.site.tz) if holder else "holder unknown"
        print(f"newsroom process: waiting for another ingest ({who})…", file=sys.stderr, flush=True)

    result = process(config, run_id=f"cli-{time.time_ns()}", on_wait=waiting)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
