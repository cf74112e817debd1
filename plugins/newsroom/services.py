"""The settings of the services around the newsroom: Airflow's REST API (``airflow:``) and the
filing API our plugin serves inside Airflow (``web:``). Part of :mod:`newsroom.config`'s model.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from newsroom.assets import INBOX_URI


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AirflowApi(_Strict):
    url: str = "http://localhost:8080"
    conn_id: str | None = None
    # the asset ingest_sweep listens to, for filings that arrive as asset events (newsroom file asks for a run)
    inbox_asset: str = INBOX_URI
    # how long a command waits for an api-server that does not answer, retrying (newsroom.airflow_api)
    wait_seconds: float = Field(default=90, ge=0, le=3600)


class Web(_Strict):
    """The filing API under /newsroom (newsroom.web): connections whose password is a CMS's bearer token
    (the login names the caller), Superdesk's push secret (None: pushes refused) and the preview links'
    signing secret (newsroom.preview_links; None: no previews)."""

    token_conn_id: str | None = "newsroom_cms"
    superdesk_conn_id: str | None = None
    preview_conn_id: str | None = "newsroom_preview"
    preview_hours: float = Field(default=48, gt=0, le=24 * 90)  # how long a printed link works
    max_request_bytes: int = Field(default=2_000_000, ge=1_024, le=100_000_000)
    requests_per_minute: int = Field(default=120, ge=1, le=100_000)


class Alerts(_Strict):
    """Who the watchdog tells (newsroom.phases.watchdog) and through which SMTP connection; no one: no mail."""

    to: list[str] = []
    sender: str = "newsroom-alerts@localhost"
    conn_id: str = "newsroom_smtp"
    due_grace_minutes: float = Field(default=2, gt=0, le=1440)  # "due more than N minutes ago and not live"
    digest_by: str = Field(default="06:15", pattern=r"^\d\d:\d\d$")  # in the digest's zone
