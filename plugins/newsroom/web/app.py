"""The filing API a CMS calls, mounted by Airflow's api-server under ``/newsroom``.

- ``POST /newsroom/articles[?name=slug.md]``: Markdown with front matter (``text/markdown``) or ninjs
  JSON (``application/json``). 202 with the id and its status URL; 200 "unchanged" when that very
  version is already stored; 422 with the quarantine's file/field/reason report when it will be
  refused (the filing is kept all the same: it lands in quarantine beside its report, as
  ``newsroom file`` does).
- ``GET /newsroom/articles/{id}``: what ``newsroom status`` knows of it.
- ``POST /newsroom/articles/{id}/takedown`` (``{"reason": ...}``) and ``.../restore``: the same
  functions as the CLI, recorded under the caller's name.
- ``POST /newsroom/superdesk``: Superdesk's HTTP push (a ninjs body), signed
  ``x-superdesk-signature: sha1=<HMAC-SHA1 of the body>`` with the password of ``web.superdesk_conn_id``.

Every call but Superdesk's needs a bearer token (:mod:`newsroom.web.guard`); bodies are capped at
``web.max_request_bytes``; callers are rate-limited. Handlers are plain functions (FastAPI runs them
on its thread pool), so asking Airflow for a run through its own REST API never blocks the server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response

from newsroom.config import ConfigError, NewsroomConfig, get_config
from newsroom.ingest.filing import check_name, file_bytes
from newsroom.models import SchemaError
from newsroom.phases.preview import render_stored
from newsroom.phases.takedown import takedown
from newsroom.preview_links import refusal
from newsroom.resources import files_for, open_store
from newsroom.store import utcnow
from newsroom.web import desk
from newsroom.web.guard import RateLimiter, Refused, all_admins, bearer, connection_token, token_matches

log = logging.getLogger(__name__)

MARKDOWN_TYPES = ("text/markdown", "text/x-markdown", "text/plain")
UNNAMED = "untitled"
AIRFLOW_COOKIE = "_token"  # where Airflow's UI keeps its JWT (airflow.api_fastapi.auth.managers.base_auth_manager)


def _error(status: int, reason: str, *, retry_after: int | None = None, **extra: Any) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse({"error": reason, **extra}, status_code=status, headers=headers)


def _settings(request: Request) -> NewsroomConfig:
    config: NewsroomConfig = request.app.state.config()
    return config


Settings = Annotated[NewsroomConfig, Depends(_settings)]


def _limit(request: Request, cfg: NewsroomConfig, who: str) -> None:
    per_minute = cfg.web.requests_per_minute
    limiters: dict[int, RateLimiter] = request.app.state.limiters
    limiters.setdefault(per_minute, RateLimiter(per_minute)).take(who)


async def _caller(request: Request, cfg: Settings) -> str:
    """The caller's name, or :class:`Refused`."""
    token = bearer(request.headers.get("authorization")) or request.cookies.get(AIRFLOW_COOKIE)  # the UI's login
    if token is None:
        if not request.app.state.local_all_admins():
            raise Refused(401, "authentication required: send Authorization: Bearer <token>")
        who = "local admin"
    else:
        service = connection_token(cfg.web.token_conn_id) if cfg.web.token_conn_id else None
        if token_matches(token, service):
            assert service is not None
            who = service.who
        else:
            who = await _airflow_user(token)
    _limit(request, cfg, who)
    return who


Caller = Annotated[str, Depends(_caller)]


async def _body(request: Request, cfg: Settings) -> bytes:
    cap = cfg.web.max_request_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise Refused(413, f"request too large: {declared} bytes, at most {cap}")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > cap:
            raise Refused(413, f"request too large: over {cap} bytes")
    return bytes(data)


Body = Annotated[bytes, Depends(_body)]


def create_app(
    config: Callable[[], NewsroomConfig] = get_config,
    *,
    local_all_admins: Callable[[], bool] = all_admins,
) -> FastAPI:
    """The app; ``config`` read per call (a bad file answers 503 instead of stopping the api-server)."""
    app = FastAPI(title="Newsroom filing API", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    app.state.local_all_admins = local_all_admins
    app.state.limiters = {}
    app.add_exception_handler(Refused, _refused)  # type: ignore[arg-type]
    app.add_exception_handler(ConfigError, _misconfigured)  # type: ignore[arg-type]
    app.add_exception_handler(SchemaError, _schema_behind)  # type: ignore[arg-type]
    app.post("/articles")(file_article)
    app.post("/superdesk")(superdesk)
    app.get("/articles/{article_id}")(status)
    app.post("/articles/{article_id}/takedown")(take_down)
    app.post("/articles/{article_id}/restore")(restore)
    app.get("/preview/{article_id}")(preview)
    app.get("/desk")(desk_page)
    app.post("/desk/{action}")(desk_action)
    return app


def desk_page(request: Request, cfg: Settings, who: Caller, done: str = "", error: str = "") -> Response:
    return desk.page(request, cfg, who, done, error)


def desk_action(action: str, request: Request, cfg: Settings, who: Caller, data: Body) -> Response:
    form = desk.parse_form(data)
    if not hmac.compare_digest(form.get("token", "").encode(), desk.form_token(request).encode()):
        raise Refused(403, "the form's token does not match your login: reload the desk and try again")
    try:
        done = desk.act(cfg, who, action, form)
    except ValueError as exc:
        return desk.after(error=str(exc))
    log.info("Desk: %s", done)
    return desk.after(done)


PRIVATE = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def preview(article_id: str, cfg: Settings, v: int = 0, exp: int = 0, sig: str = "") -> Response:
    """A page not yet live, for whoever holds a signed link (:mod:`newsroom.preview_links`): no bearer
    token (the signature is the proof), never cached, never indexed."""
    secret = connection_token(cfg.web.preview_conn_id) if cfg.web.preview_conn_id else None
    if secret is None:
        raise Refused(403, "previews are off: set web.preview_conn_id to a connection holding the signing secret")
    if (why := refusal(secret.token, article_id, v, exp, sig, time.time())) is not None:
        raise Refused(403, why)
    rendered = render_stored(cfg, article_id)
    if rendered is None:
        return _error(404, f"no article {article_id!r} to preview (or it was taken down)")
    body, version = rendered
    if version != v:
        raise Refused(403, f"the link shows version {v}; the article is at version {version}: ask for a new link")
    return HTMLResponse(body, headers=PRIVATE)


def _refused(request: Request, exc: Refused) -> JSONResponse:
    return _error(exc.status, exc.reason, retry_after=exc.retry_after)


def _misconfigured(request: Request, exc: ConfigError) -> JSONResponse:
    return _error(503, f"the newsroom's configuration cannot be read: {exc}")


def _schema_behind(request: Request, exc: SchemaError) -> JSONResponse:
    return _error(503, str(exc))  # the state database is not at this release's revision: `newsroom db upgrade`


def file_article(request: Request, cfg: Settings, who: Caller, data: Body, name: str | None = None) -> JSONResponse:
    suffix = ".json" if "json" in request.headers.get("content-type", "") else ".md"
    return _file(cfg, data, name or f"{UNNAMED}{suffix}", who, named=name is not None)


def superdesk(request: Request, cfg: Settings, data: Body) -> JSONResponse:
    secret = connection_token(cfg.web.superdesk_conn_id) if cfg.web.superdesk_conn_id else None
    if secret is None:
        raise Refused(403, "Superdesk pushes are not accepted: set web.superdesk_conn_id to a connection")
    expected = "sha1=" + hmac.new(secret.token.encode(), data, hashlib.sha1).hexdigest()
    given = request.headers.get("x-superdesk-signature", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Refused(403, "x-superdesk-signature does not match the body")
    _limit(request, cfg, "superdesk")
    return _file(cfg, data, f"superdesk-{hashlib.sha256(data).hexdigest()[:12]}.json", "superdesk", named=True)


def status(article_id: str, cfg: Settings, who: Caller) -> JSONResponse:
    info = open_store(cfg).status.of(article_id)
    if info is None:
        return _error(404, f"no article or filing {article_id!r}")
    return JSONResponse(jsonable_encoder(info))


def take_down(article_id: str, cfg: Settings, who: Caller, data: Body) -> JSONResponse:
    try:
        reason = json.loads(data or b"{}").get("reason")
    except (ValueError, AttributeError):
        reason = None
    if not isinstance(reason, str) or not reason.strip():
        return _error(422, "a takedown needs a reason", problems=[{"field": "reason", "reason": "missing"}])
    try:
        result = takedown(article_id, reason=reason.strip(), by=who, config=cfg)
    except KeyError:
        return _error(404, f"no article {article_id!r}")
    return JSONResponse(jsonable_encoder({**result, "by": who}))


def restore(article_id: str, cfg: Settings, who: Caller) -> JSONResponse:
    try:
        restored = open_store(cfg).takedowns.restore(article_id, by=who, now=utcnow())
    except KeyError:
        return _error(404, f"no article {article_id!r}")
    if not restored:
        return _error(409, f"{article_id} is not taken down")
    return JSONResponse({"id": article_id, "restored": True, "by": who})


async def _airflow_user(token: str) -> str:
    """The name of the Airflow user this JWT was issued to (inside the api-server), or :class:`Refused`."""
    try:
        from airflow.api_fastapi.app import get_auth_manager

        user = await get_auth_manager().get_user_from_token(token)
    except Exception as exc:  # an invalid or expired JWT, or no auth manager (outside the api-server)
        log.info("Refused a bearer token: %s", type(exc).__name__)
        raise Refused(403, "the bearer token is neither a newsroom service token nor an Airflow token") from None
    return str(user.get_name())


def _file(cfg: NewsroomConfig, data: bytes, name: str, who: str, *, named: bool) -> JSONResponse:
    if (problem := check_name(name)) is not None:
        return _error(422, problem, problems=[{"field": "name", "reason": problem}])
    anonymous = None if named else name.rpartition(".")[0]
    outcome = file_bytes(cfg, open_store(cfg), files_for(cfg), data, name, anonymous_id=anonymous)
    report: dict[str, Any] = {
        "id": outcome.article_id,
        "file": outcome.file,
        "content_hash": outcome.content_hash,
        "by": who,
    }
    if outcome.file is None and outcome.problems is not None:
        return _error(
            422,
            "the article has no id: give it one (front matter `id`, ninjs `uri`) or file it as ?name=<slug>.md",
            problems=outcome.problems,
        )
    if outcome.problems is not None:
        return _error(422, "the article will be quarantined", **report, problems=outcome.problems, note=outcome.note)
    status_url = f"/newsroom/articles/{outcome.article_id}"
    if outcome.unchanged:
        return JSONResponse({**report, "status": "unchanged", "status_url": status_url})
    log.info("Filed %s as %s for %s", outcome.article_id, outcome.file, who)
    return JSONResponse(
        {**report, "status": "filed", "run": outcome.run, "note": outcome.note, "status_url": status_url},
        status_code=202,
    )
