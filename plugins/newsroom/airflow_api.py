"""Tell Airflow an article was filed: one asset event on the inbox asset, over REST.

The ingest DAG is scheduled on that asset, so the event starts a run within
about a second. Called by ``newsroom file``. Authentication: with an Airflow
connection named in ``airflow.conn_id`` (login and password) we ask the API
for a JWT; without one we use the simple auth manager's all-admins token,
which the embedded default enables. If Airflow does not answer, the filing
is still safe in the inbox and the safety-net schedule picks it up.

Every call is retried a few times, with backoff, when the api-server answers
5xx or does not answer: under load its metadata database can be busy for a
moment (seen on a 2-core CI machine as an HTTP 500 on the asset event). Our
calls are all safe to repeat: a second asset event or a second run only
re-reads an inbox the ingest DAG treats idempotently.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from newsroom.config import NewsroomConfig

log = logging.getLogger(__name__)


class AirflowApiError(RuntimeError):
    pass


class _Transient(Exception):
    """A 5xx answer or no answer: worth another try."""


RETRY_STATUSES = frozenset({500, 502, 503, 504})


class AirflowApi:
    def __init__(
        self, base_url: str, token: str | None = None, timeout: float = 10.0, *, attempts: int = 4, backoff: float = 0.5
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff

    @classmethod
    def from_config(cls, config: NewsroomConfig) -> AirflowApi:
        url = config.airflow.url
        if config.airflow.conn_id:
            from airflow.sdk import BaseHook

            conn = BaseHook.get_connection(config.airflow.conn_id)
            if conn.host:
                scheme = conn.schema or "http"
                url = f"{scheme}://{conn.host}" + (f":{conn.port}" if conn.port else "")
            api = cls(url)
            api.token = api._login(conn.login or "", conn.password or "")
            return api
        api = cls(url)
        try:
            api.token = api._request("GET", "/auth/token")["access_token"]
        except AirflowApiError:
            api.token = None  # not in all-admins mode; calls will say so
        return api

    def _login(self, username: str, password: str) -> str:
        return str(self._request("POST", "/auth/token", {"username": username, "password": password})["access_token"])

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                return self._request_once(method, path, body)
            except _Transient as exc:
                if attempt == self.attempts:
                    raise AirflowApiError(f"{exc} (after {attempt} attempts)") from None
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning("%s; retrying in %.1f s", exc, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _request_once(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            message = f"{method} {path}: HTTP {exc.code}: {detail}"
            if exc.code in RETRY_STATUSES:
                raise _Transient(message) from None
            raise AirflowApiError(message) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise _Transient(f"{method} {path}: Airflow at {self.base_url} did not answer ({exc})") from None

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

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> dict[str, Any]:
        """A manual run now (its data interval is the last complete one)."""
        body = {"logical_date": None, "conf": conf or {}}
        return dict(self._request("POST", f"/api/v2/dags/{dag_id}/dagRuns", body))

    def create_backfill(
        self,
        dag_id: str,
        from_date: str,
        to_date: str,
        *,
        reprocess_behavior: str = "none",
        max_active_runs: int = 10,
    ) -> dict[str, Any]:
        """Airflow's own backfill (as ``airflow backfill create``): one run per schedule interval in the range."""
        body = {
            "dag_id": dag_id,
            "from_date": from_date,
            "to_date": to_date,
            "reprocess_behavior": reprocess_behavior,
            "max_active_runs": max_active_runs,
        }
        return dict(self._request("POST", "/api/v2/backfills", body))

    def backfill(self, backfill_id: int) -> dict[str, Any]:
        return dict(self._request("GET", f"/api/v2/backfills/{backfill_id}"))

    def health(self) -> dict[str, Any]:
        return dict(self._request("GET", "/api/v2/monitor/health"))

    def unpause(self, dag_id: str) -> None:
        self._request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})


def signal_filed(config: NewsroomConfig, files: list[str]) -> dict[str, Any]:
    """Create the inbox asset event; raises AirflowApiError if Airflow cannot be reached."""
    api = AirflowApi.from_config(config)
    return api.create_asset_event(config.airflow.inbox_asset, {"files": files})
