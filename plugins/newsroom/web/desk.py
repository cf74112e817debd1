"""The ops console (``/newsroom/desk``), a page of Airflow's UI (the plugin's ``external_views``).

What goes live and when, quarantine with each report and a "refile" action, social deliveries a
person must check (release), takedown and restore with a reason, created tags waiting for review.
Behind Airflow's login (the UI's JWT cookie, checked by the api-server's auth manager). Every action
calls the same function as the CLI and is recorded under the user's name; each form carries a token
derived from the caller's credential, so another site cannot post on their behalf.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from newsroom.airflow_api import AirflowApiError, signal_filed
from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.phases.tags import review_tag
from newsroom.phases.takedown import takedown
from newsroom.resources import files_for, open_store
from newsroom.store import utcnow
from newsroom.store.tag_registry import ReviewError

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(default=True), auto_reload=False
)
UPCOMING_DAYS = 14


def form_token(request: Request) -> str:
    """A token only the holder of this request's credential can compute (the forms' CSRF guard)."""
    credential = request.headers.get("authorization") or request.cookies.get("_token") or "local all-admins"
    return hmac.new(b"newsroom-desk", credential.encode(), hashlib.sha256).hexdigest()


def page(request: Request, cfg: NewsroomConfig, who: str, done: str = "", error: str = "") -> HTMLResponse:
    store = open_store(cfg)
    now = utcnow()
    tz = cfg.site.tz
    context: dict[str, Any] = {
        "who": who,
        "done": done,
        "error": error,
        "token": form_token(request),
        "upcoming": [
            {"id": r.id, "title": r.title, "when": r.visible_from.astimezone(tz) if r.visible_from else None}
            for r in store.articles.upcoming(now, now + timedelta(days=UPCOMING_DAYS))
        ],
        "days": UPCOMING_DAYS,
        "quarantine": store.status.quarantined(),
        "deliveries": store.status.deliveries_to_check(),
        "tags": store.registry.listing(("pending",), limit=50),
        "zone": cfg.site.timezone,
        "tz": tz,
    }
    html = TEMPLATES.get_template("desk.html").render(context)
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Frame-Options": "SAMEORIGIN"})


def act(cfg: NewsroomConfig, who: str, action: str, form: dict[str, str]) -> str:
    """Run one desk action; returns what was done (one line), raises ValueError with the reason."""
    if action == "takedown":
        article_id, reason = form.get("id", "").strip(), form.get("reason", "").strip()
        if not article_id or not reason:
            raise ValueError("a takedown needs the article id and a reason")
        try:
            result = takedown(article_id, reason=reason, by=who, config=cfg)
        except KeyError:
            raise ValueError(f"no article {article_id!r}") from None
        return f"{article_id} taken down by {who}: removed {len(result['removed'])} object(s)"
    if action == "restore":
        article_id = form.get("id", "").strip()
        try:
            restored = open_store(cfg).takedowns.restore(article_id, by=who, now=utcnow())
        except KeyError:
            raise ValueError(f"no article {article_id!r}") from None
        if not restored:
            raise ValueError(f"{article_id} is not taken down")
        return f"{article_id} restored by {who}: it goes live again with the next run"
    if action == "release":
        row_id = int(form.get("delivery", "0") or 0)
        if not open_store(cfg).deliveries.release(row_id, f"released by {who} from the desk", utcnow()):
            raise ValueError(f"no failed or unknown delivery #{row_id}")
        return f"delivery #{row_id} released by {who}: the next distribute run sends it"
    if action == "refile":
        return _refile(cfg, who, int(form.get("quarantine", "0") or 0))
    if action in ("approve", "block"):
        slug = form.get("tag", "").strip()
        try:
            review_tag(action, slug, by=who, config=cfg)
        except ReviewError as exc:
            raise ValueError(str(exc)) from None
        return f"tag {slug} {action}d by {who}"
    raise ValueError(f"unknown action {action!r}")


def _refile(cfg: NewsroomConfig, who: str, row_id: int) -> str:
    """The kept original of a refused filing, into the inbox again (after its source was fixed upstream,
    or the configuration that refused it)."""
    row = open_store(cfg).status.quarantine_row(row_id)
    files = files_for(cfg)
    try:
        data = files.get(files.key_of(row.stored_path)) if row is not None else None
    except (FileNotFoundError, ValueError):
        data = None
    if row is None or data is None:
        raise ValueError(f"no kept original for quarantine #{row_id}")
    filed = Inbox(cfg, files).receive(row.file, data)
    with contextlib.suppress(AirflowApiError):  # else the every-minute sweep picks it up
        signal_filed(cfg, [filed.name])
    return f"{row.file} refiled by {who}"


def parse_form(data: bytes) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(data.decode("utf-8", "replace")).items()}


def after(action_done: str = "", error: str = "") -> Response:
    query = urllib.parse.urlencode({"done": action_done} if action_done else {"error": error})
    return RedirectResponse(f"../desk?{query}", status_code=303)
