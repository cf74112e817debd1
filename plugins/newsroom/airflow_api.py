"""Tell Airflow an article was filed: one request for a run of the ingest DAG, over REST.

``newsroom file`` asks for a run of ``ingest_articles`` (``POST
/api/v2/dags/ingest_articles/dagRuns``): one round trip with a cached token.
The run is queued at once, and starts as soon as the run before it (if any:
one at a time) is done, so a filing made while a run is in progress is never
left for the next minute (an asset event could be, apache/airflow#56050).
The ingest task asks, the same way, for a run at the exact time a scheduled
article goes live (``run_after``; :func:`request_runs_at`). Called by
``newsroom file``, ``newsroom backfill``, the ingest phase and the dev stacks
(``dev/devstack.py``, ``dev/scalestack.py``).

Authentication: with an Airflow connection named in ``airflow.conn_id``
(login and password) we ask the API for a JWT (``POST /auth/token``). Without
one we ask for the simple auth manager's all-admins token, which only the
local ``make run`` stack hands out; anywhere else that is refused and we say
to set ``airflow.conn_id`` (:class:`AirflowAuthError`). If Airflow does not
answer, or refuses us, the filing is still safe in the inbox and the
every-minute sweep picks it up.

Tokens are kept between commands (:class:`TokenCache`): a file readable by
its owner only (0600) in the state folder, one entry per API URL and user,
used until a minute before the JWT's ``exp`` and dropped when Airflow answers
401 (we log in again once and repeat the call). When the connection comes
from an ``AIRFLOW_CONN_*`` variable, the entry also records which value of it
(a hash), so a filing with a valid token does not import Airflow at all (about
2 s of CPU) to read the connection again.

Waiting: a call that gets no answer (a timeout, a refused or cut connection)
or a 5xx is tried again, with a backoff from 0.5 s doubling up to 5 s, each
attempt waiting ``timeout`` (10 s; a third of ``wait`` when that is shorter)
for its answer, until ``wait`` seconds
(``airflow.wait_seconds``, 90 by default) have passed since the call began:
long enough to ride out the minute-long stalls of a single api-server worker
on a loaded machine. The first failed attempt prints one line on stderr
(``waiting for Airflow at URL (not answering: timed out)…``), then one every
15 s, and one when it answers; in the end, :class:`AirflowApiError` with one
line. Every failure of the call is that exception, never another one. Our
calls are all safe to repeat: a second run only re-reads an inbox the ingest
DAG treats idempotently, and a run asked for a time has an id made of that
time (asked twice: HTTP 409, already there).
"""

from __future__ import annotations

import http.client
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from newsroom.airflow_tokens import TokenCache, connection_source, credentials_source
from newsroom.assets import INGEST_DAG_ID
from newsroom.config import NewsroomConfig

RETRY_STATUSES = frozenset({500, 502, 503, 504})
WAIT_SECONDS = 90.0  # the default of airflow.wait_seconds
TIMEOUT_SECONDS = 10.0  # one attempt's wait for an answer
BACKOFF_SECONDS = 0.5  # the first pause between attempts, doubled each time...
MAX_BACKOFF_SECONDS = 5.0  # ...up to this
PROGRESS_EVERY = 15.0  # seconds between "still waiting" lines
TOKEN_FILE = "airflow-tokens.json"  # in the state folder, mode 0600 (newsroom.airflow_tokens)


class AirflowApiError(RuntimeError):
    """Airflow could not be told: one line for the person at the terminal (``status``: Airflow's answer, if any)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AirflowAuthError(AirflowApiError):
    """Airflow refused our credentials, or wants credentials and we have none."""


class AirflowUnavailable(AirflowApiError):
    """Airflow did not answer (or answered 5xx) for the whole wait."""


class _Transient(Exception):
    """A 5xx answer or no answer: worth another try. ``reason`` is the short form for the waiting line."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _read_connection(conn_id: str, default_url: str) -> tuple[str, str, str]:
    """The API URL, login and password of an Airflow connection (imports Airflow: about 2 s of CPU)."""
    from airflow.sdk import BaseHook  # Airflow only when a connection must be read

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:  # AirflowNotFoundException, a secrets backend's own errors
        raise AirflowAuthError(
            f"no credentials: the Airflow connection {conn_id!r} (airflow.conn_id) cannot be read"
            f" ({type(exc).__name__}: {exc}); define it, e.g. AIRFLOW_CONN_{conn_id.upper()}"
        ) from None
    if not conn.login or not conn.password:
        raise AirflowAuthError(
            f"no credentials: the Airflow connection {conn_id!r} (airflow.conn_id) has no login or no password"
        )
    url = default_url
    if conn.host:
        url = f"{conn.schema or 'http'}://{conn.host}" + (f":{conn.port}" if conn.port else "")
    return url.rstrip("/"), str(conn.login), str(conn.password)


class AirflowApi:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
        *,
        wait: float = WAIT_SECONDS,
        attempts: int | None = None,
        backoff: float = BACKOFF_SECONDS,
        notify: Callable[[str], None] = _stderr,
        who: str = "no credentials (airflow.conn_id is not set)",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.wait = wait
        self.attempts = attempts  # at most this many tries, when set (else only ``wait`` bounds them)
        self.backoff = backoff
        self.notify = notify
        self.who = who  # whose credentials, for the refusal's message
        self._renew: Callable[[], str] | None = None  # logs in again (and caches the token): from_config sets it

    @classmethod
    def from_config(cls, config: NewsroomConfig, **options: Any) -> AirflowApi:
        """A client logged in as ``airflow.conn_id``'s user, or holding the all-admins token of ``make run``;
        with the token cached in the state folder when it is still valid (no login)."""
        settings = config.airflow
        options.setdefault("wait", settings.wait_seconds)
        tokens = TokenCache(config.state_dir / TOKEN_FILE)
        if not settings.conn_id:
            api = cls(settings.url, **options)
            api._renew = lambda: api._all_admins_token(tokens)
            hit = tokens.get(api.base_url, "")
            api.token = hit.token if hit else api._renew()
            return api
        conn_id = settings.conn_id
        source = connection_source(conn_id)
        hit = tokens.by_source(source)  # a valid token got through this very connection value: no Airflow import
        if hit is not None:
            api = cls(hit.url, hit.token, who=f"connection {conn_id!r} (user {hit.user!r})", **options)
        else:
            url, login, password = _read_connection(conn_id, settings.url)
            api = cls(url, who=f"connection {conn_id!r} (user {login!r})", **options)
            # a token is reused only for the credentials it was got with (a changed password logs in again)
            source = source or credentials_source(conn_id, api.base_url, login, password)
            hit = tokens.by_source(source)
        api._renew = lambda: api._login(*_read_connection(conn_id, settings.url)[1:], tokens=tokens, source=source)
        api.token = hit.token if hit else api._renew()
        return api

    def _all_admins_token(self, tokens: TokenCache) -> str:
        try:
            token = str(self._call("GET", "/auth/token")["access_token"])
        except AirflowUnavailable:
            raise
        except (AirflowApiError, TypeError, KeyError) as exc:  # 403; a 404/405 from FAB or Keycloak
            answer = f"HTTP {exc.status}" if isinstance(exc, AirflowApiError) and exc.status else "no token"
            raise AirflowAuthError(
                f"no credentials: Airflow at {self.base_url} is not the all-admins local stack and wants a user"
                f" (GET /auth/token: {answer}); set airflow.conn_id to an Airflow connection with its login"
                " and password"
            ) from None
        tokens.put(self.base_url, "", token)
        return token

    def _login(self, username: str, password: str, *, tokens: TokenCache | None = None, source: str = "") -> str:
        """A token for this user (kept in ``tokens`` when given)."""
        answer = self._call("POST", "/auth/token", {"username": username, "password": password})
        try:
            token = str(answer["access_token"])
        except (TypeError, KeyError):
            raise AirflowApiError(f"POST /auth/token: Airflow at {self.base_url} answered no token") from None
        if tokens is not None:
            tokens.put(self.base_url, username, token, source)
        return token

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """:meth:`_call`; a token refused with 401 (expired, or signed with another secret) is renewed once."""
        try:
            return self._call(method, path, body)
        except AirflowAuthError as exc:
            if exc.status != 401 or self._renew is None or path.startswith("/auth/"):
                raise
            self.token = self._renew()
            return self._call(method, path, body)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One call, tried again while Airflow does not answer (or answers 5xx) until ``wait`` has passed."""
        started = time.monotonic()
        deadline = started + self.wait
        attempt = 0
        shown: float | None = None  # when the last waiting line was printed
        while True:
            attempt += 1
            # at least three attempts within a short wait; never past the deadline
            timeout = max(0.5, min(self.timeout, self.wait / 3, deadline - time.monotonic()))
            try:
                result = self._request_once(method, path, body, timeout)
            except _Transient as exc:
                now = time.monotonic()
                elapsed = now - started
                if now >= deadline or (self.attempts is not None and attempt >= self.attempts):
                    raise AirflowUnavailable(f"{exc} (gave up after {attempt} attempts in {elapsed:.0f} s)") from None
                if shown is None:
                    self.notify(f"waiting for Airflow at {self.base_url} (not answering: {exc.reason})…")
                    shown = now
                elif now - shown >= PROGRESS_EVERY:
                    self.notify(
                        f"still waiting for Airflow: {elapsed:.0f} s of at most {self.wait:.0f} s ({exc.reason})"
                    )
                    shown = now
                delay = min(MAX_BACKOFF_SECONDS, self.backoff * 2 ** (attempt - 1), max(0.0, deadline - now))
                time.sleep(delay)
                continue
            if shown is not None:
                self.notify(f"Airflow answered after {time.monotonic() - started:.0f} s")
            return result

    def _request_once(self, method: str, path: str, body: dict[str, Any] | None, timeout: float) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        where = f"Airflow at {self.base_url}"
        try:
            request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        except ValueError as exc:
            raise AirflowApiError(f"{where}: not a URL ({exc}); check airflow.url") from None
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            try:
                detail = _one_line(exc.read().decode("utf-8", "replace"))
            except (OSError, http.client.HTTPException):
                detail = ""
            message = f"{method} {path}: HTTP {exc.code}: {detail}"
            if exc.code in (401, 403):
                what = "refused the credentials of" if path == "/auth/token" and method == "POST" else "refused"
                raise AirflowAuthError(f"{where} {what} {self.who}: {message}", exc.code) from None
            if exc.code in RETRY_STATUSES:
                raise _Transient(message, f"HTTP {exc.code}") from None
            raise AirflowApiError(message, exc.code) from None
        except (OSError, http.client.HTTPException) as exc:
            # URLError (refused, DNS, a connect timeout), TimeoutError (no answer), ConnectionResetError,
            # RemoteDisconnected, IncompleteRead, BadStatusLine: nothing usable came back
            reason = _one_line(str(getattr(exc, "reason", None) or exc), 120) or type(exc).__name__
            raise _Transient(f"{method} {path}: {where} did not answer ({reason})", reason) from None
        try:
            return json.loads(raw or b"null")
        except ValueError:
            raise AirflowApiError(f"{method} {path}: {where} answered something not JSON: {raw[:100]!r}") from None

    def asset_id(self, uri: str) -> int:
        query = urllib.parse.urlencode({"uri_pattern": uri, "limit": 100})
        assets = self._request("GET", f"/api/v2/assets?{query}")["assets"]
        wanted = uri.rstrip("/")
        for asset in assets:
            if asset["uri"].rstrip("/") == wanted:
                return int(asset["id"])
        raise AirflowApiError(f"no asset {uri!r} is known to Airflow yet (has the ingest DAG been parsed?)")

    def create_asset_event(self, uri: str, extra: dict[str, Any]) -> dict[str, Any]:
        event = self._request("POST", "/api/v2/assets/events", {"asset_id": self.asset_id(uri), "extra": extra})
        return dict(event)

    def dag_runs(self, dag_id: str, **params: Any) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode(params)
        return list(self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns?{query}")["dag_runs"])

    def trigger(
        self,
        dag_id: str,
        conf: dict[str, Any] | None = None,
        *,
        run_id: str | None = None,
        run_after: datetime | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """A manual run, queued now; it starts once ``run_after`` (default: now) has passed and the DAG's
        ``max_active_runs`` allows. ``run_id`` already taken: :class:`AirflowApiError` with status 409."""
        body: dict[str, Any] = {"logical_date": None, "conf": conf or {}}
        if run_id is not None:
            body["dag_run_id"] = run_id
        if run_after is not None:
            body["run_after"] = run_after.astimezone(UTC).isoformat()
        if note is not None:
            body["note"] = note
        return dict(self._request("POST", f"/api/v2/dags/{dag_id}/dagRuns", body))

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self._request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": paused})

    def create_backfill(
        self,
        dag_id: str,
        from_date: str,
        to_date: str,
        *,
        reprocess_behavior: str = "none",
        max_active_runs: int = 10,
        dag_run_conf: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Airflow's own backfill (as ``airflow backfill create``): one run per schedule interval in the range,
        each with ``dag_run_conf``."""
        body: dict[str, Any] = {
            "dag_id": dag_id,
            "from_date": from_date,
            "to_date": to_date,
            "reprocess_behavior": reprocess_behavior,
            "max_active_runs": max_active_runs,
        }
        if dag_run_conf is not None:
            body["dag_run_conf"] = dag_run_conf
        return dict(self._request("POST", "/api/v2/backfills", body))

    def backfill(self, backfill_id: int) -> dict[str, Any]:
        return dict(self._request("GET", f"/api/v2/backfills/{backfill_id}"))

    def health(self) -> dict[str, Any]:
        return dict(self._request("GET", "/api/v2/monitor/health"))

    def unpause(self, dag_id: str) -> None:
        self.set_paused(dag_id, False)


def signal_filed(config: NewsroomConfig, files: list[str]) -> dict[str, Any]:
    """Ask for a run of the ingest DAG now (the run's ``conf`` names the files, for the UI); returns the run.

    Raises AirflowApiError (AirflowAuthError: refused) if Airflow cannot be told.
    """
    api = AirflowApi.from_config(config)
    return api.trigger(INGEST_DAG_ID, {"files": files}, note=f"newsroom file: {len(files)} file(s)")


def run_id_at(when: datetime) -> str:
    """The id of the ingest run asked for ``when``: one per instant, however many articles go live then."""
    return "at__" + when.astimezone(UTC).isoformat()


def request_runs_at(api: AirflowApi, times: Iterable[datetime]) -> dict[str, str]:
    """Ask for an ingest run at each of ``times`` (``run_after``); returns run id -> "requested" or
    "already requested" (asked before: 409). Other failures raise :class:`AirflowApiError`."""
    outcome: dict[str, str] = {}
    for when in sorted(set(times)):
        run_id = run_id_at(when)
        try:
            api.trigger(INGEST_DAG_ID, run_id=run_id, run_after=when, note="a scheduled article goes live")
            outcome[run_id] = "requested"
        except AirflowApiError as exc:
            if exc.status != 409:
                raise
            outcome[run_id] = "already requested"
    return outcome
