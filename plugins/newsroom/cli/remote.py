"""``newsroom file --to URL``: filing through the filing API (:mod:`newsroom.web`) instead of the
state folder, as a CMS does: no access to the inbox or the state database needed.

The token is ``$NEWSROOM_API_TOKEN``, else the password of the connection ``web.token_conn_id``.
``--wait`` follows ``GET /newsroom/articles/{id}`` until the version filed now is live, or refused.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from newsroom.config import NewsroomConfig

TOKEN_ENV = "NEWSROOM_API_TOKEN"


class RemoteError(Exception):
    """One line saying why a call to the filing API failed."""


def connection_password(conn_id: str | None) -> str | None:
    """The password of an Airflow connection (imports Airflow: only when needed), or None."""
    if not conn_id:
        return None
    from airflow.sdk import BaseHook

    try:
        password = BaseHook.get_connection(conn_id).password
    except Exception:  # AirflowNotFoundException, a secrets backend's errors
        return None
    return str(password) if password else None


def _token(config: NewsroomConfig) -> str:
    if token := os.environ.get(TOKEN_ENV) or connection_password(config.web.token_conn_id):
        return token
    raise RemoteError(f"no token for the filing API: set {TOKEN_ENV} or the connection web.token_conn_id")


def _call(url: str, token: str, data: bytes | None = None, content_type: str = "") -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} | ({"Content-Type": content_type} if content_type else {})
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            raise RemoteError(f"{url}: HTTP {exc.code}, not the filing API's answer") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RemoteError(f"{url}: {getattr(exc, 'reason', exc)}") from None


def file_remote(base: str, paths: list[str], config: NewsroomConfig, wait: float) -> int:
    base = base.rstrip("/")
    try:
        token = _token(config)
        expected: dict[str, str] = {}
        code = 0
        for name in paths:
            path = Path(name)
            data = path.read_bytes()
            kind = "application/json" if path.suffix.lower() == ".json" else "text/markdown"
            url = f"{base}/articles?name={urllib.parse.quote(path.name)}"
            status, answer = _call(url, token, data, kind)
            if status in (200, 202):
                print(f"Filed {path} -> {base} (article {answer['id']}: {answer['status']}, by {answer['by']})")
                expected[answer["id"]] = answer["content_hash"]
            elif status == 422:
                problems = "; ".join(f"{p['field']}: {p['reason']}" for p in answer.get("problems", []))
                print(f"newsroom file: {path.name}: will be quarantined: {problems}", file=sys.stderr)
                code = 1
            else:
                raise RemoteError(f"{path.name}: HTTP {status}: {answer.get('error', answer)}")
        if wait and expected and not code:
            return _wait(base, token, expected, wait)
        return code
    except OSError as exc:
        print(f"newsroom file: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except RemoteError as exc:
        print(f"newsroom file: {exc}", file=sys.stderr)
        return 1


def _wait(base: str, token: str, expected: dict[str, str], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    pending = dict(expected)
    while pending and time.monotonic() < deadline:
        for article_id, digest in list(pending.items()):
            status, info = _call(f"{base}/articles/{urllib.parse.quote(article_id)}", token)
            article = info.get("article") or {} if status == 200 else {}
            if article.get("content_hash") == digest and article.get("status") in ("published", "scheduled"):
                print(f"{article['status'].capitalize()}: {article_id}")
                del pending[article_id]
        if pending:
            time.sleep(1)
    if pending:
        print(f"newsroom file: not published after {timeout:.0f}s: {', '.join(sorted(pending))}", file=sys.stderr)
        return 1
    return 0
