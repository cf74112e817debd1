"""Build a channel adapter from its configuration and its Airflow connection.

Each channel of ``channels:`` in the newsroom file names an Airflow connection
(``conn_id``); the secrets live there, never in the file. A channel whose
connection is missing is disabled with one warning and the others go on. In
tests and containers connections come from ``AIRFLOW_CONN_<CONN_ID>``
variables, in the JSON form, e.g.::

    AIRFLOW_CONN_NEWSROOM_X='{"conn_type": "http", "password": "<token>", "extra": {"user_id": "42"}}'

What each field of the connection holds, per channel type (``host`` may be
left empty for the platform's public API; a host without a scheme gets
``https://``, or the connection's ``schema`` when that is ``http``/``https``,
and the connection's ``port`` is added when set):

============  ============================  ==============================  =========================================
type          host (default)                login / password                extra
============  ============================  ==============================  =========================================
facebook      https://graph.facebook.com    password: Page access token     ``page_id`` (required),
                                            (pages_manage_posts)            ``api_version`` (default v23.0)
x             https://api.x.com             password: OAuth 2.0 user        ``user_id`` (numeric; needed by find),
                                            access token (tweet.write)      ``username`` (for post links)
telegram      https://api.telegram.org      password: bot token             ``chat_id`` (required: ``@channel`` or
                                            (123456:ABC...)                 ``-100...``; the bot must be an admin)
mastodon      (required) the instance,      password: access token          ``visibility`` (default public)
              e.g. https://mastodon.social  (write:statuses)
bluesky       https://bsky.social (the      login: handle or DID;           (none)
              account's PDS)                password: an app password
webhook       (required) the full URL       password: HMAC-SHA256 signing   (none)
              to POST to                    secret (optional, advised)
outbox        no connection: writes to the site bucket under ``_outbox/``
============  ============================  ==============================  =========================================

Every adapter uses the channel's ``timeout_seconds`` for each HTTP request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from newsroom.channels.base import Channel
from newsroom.channels.bluesky import DEFAULT_HOST as BLUESKY_HOST
from newsroom.channels.bluesky import BlueskyChannel
from newsroom.channels.facebook import DEFAULT_HOST as FACEBOOK_HOST
from newsroom.channels.facebook import DEFAULT_VERSION as FACEBOOK_VERSION
from newsroom.channels.facebook import FacebookChannel
from newsroom.channels.mastodon import VISIBILITIES, MastodonChannel
from newsroom.channels.outbox import OutboxChannel
from newsroom.channels.telegram import DEFAULT_HOST as TELEGRAM_HOST
from newsroom.channels.telegram import TelegramChannel
from newsroom.channels.webhook import WebhookChannel
from newsroom.channels.x import DEFAULT_HOST as X_HOST
from newsroom.channels.x import XChannel

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig
    from newsroom.publish.s3 import BucketClient

log = logging.getLogger(__name__)


class ConnectionProblem(ValueError):
    """The connection exists but lacks a field this channel type needs."""


def base_url(conn: Any, default: str | None, *, keep_path: bool = False) -> str | None:
    """The connection's host as an absolute URL (``default`` when it is empty)."""
    host = str(conn.host or "").strip()
    if not host:
        return default
    if "://" not in host:
        scheme = conn.schema if conn.schema in ("http", "https") else "https"
        host = f"{scheme}://{host}"
    parts = urlsplit(host)
    if conn.port and parts.port is None:
        parts = parts._replace(netloc=f"{parts.netloc}:{conn.port}")
    url = urlunsplit(parts)
    return url if keep_path else url.rstrip("/")


def _extra(conn: Any, key: str) -> str | None:
    extra = conn.extra_dejson if isinstance(conn.extra_dejson, dict) else {}
    value = extra.get(key)
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _required(value: str | None, what: str, conn_id: str) -> str:
    if not value:
        raise ConnectionProblem(f"connection '{conn_id}' has no {what}")
    return value


def _build(channel: ChannelConfig, conn: Any) -> Channel:
    conn_id = str(channel.conn_id)
    name, timeout = channel.name, channel.timeout_seconds
    password = conn.password or None
    if channel.type == "facebook":
        return FacebookChannel(
            name,
            page_id=_required(_extra(conn, "page_id"), "page_id in its extra", conn_id),
            token=_required(password, "password (the Page access token)", conn_id),
            host=base_url(conn, FACEBOOK_HOST) or FACEBOOK_HOST,
            api_version=_extra(conn, "api_version") or FACEBOOK_VERSION,
            timeout=timeout,
        )
    if channel.type == "x":
        return XChannel(
            name,
            token=_required(password, "password (the user access token)", conn_id),
            user_id=_extra(conn, "user_id"),
            username=_extra(conn, "username"),
            host=base_url(conn, X_HOST) or X_HOST,
            timeout=timeout,
        )
    if channel.type == "telegram":
        return TelegramChannel(
            name,
            token=_required(password, "password (the bot token)", conn_id),
            chat_id=_required(_extra(conn, "chat_id"), "chat_id in its extra", conn_id),
            host=base_url(conn, TELEGRAM_HOST) or TELEGRAM_HOST,
            timeout=timeout,
        )
    if channel.type == "mastodon":
        host = _required(base_url(conn, None), "host (the instance URL)", conn_id)
        token = _required(password, "password (the access token)", conn_id)
        visibility = _extra(conn, "visibility") or "public"
        if visibility not in VISIBILITIES:
            raise ConnectionProblem(f"connection '{conn_id}' has visibility {visibility!r}, not one of {VISIBILITIES}")
        return MastodonChannel(name, host=host, token=token, visibility=visibility, timeout=timeout)
    if channel.type == "bluesky":
        return BlueskyChannel(
            name,
            identifier=_required(conn.login or None, "login (the handle or DID)", conn_id),
            password=_required(password, "password (an app password)", conn_id),
            host=base_url(conn, BLUESKY_HOST) or BLUESKY_HOST,
            timeout=timeout,
        )
    if channel.type == "webhook":
        return WebhookChannel(
            name,
            url=_required(base_url(conn, None, keep_path=True), "host (the URL to POST to)", conn_id),
            secret=password,
            timeout=timeout,
        )
    raise ConnectionProblem(f"unknown channel type {channel.type!r}")


def get_connection(conn_id: str) -> Any:
    """The Airflow connection, or None when it is not defined anywhere."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def make_channel(channel: ChannelConfig, bucket_factory: Callable[[], BucketClient]) -> Channel | None:
    """The adapter for one configured channel, or None (with one warning) when it cannot be used."""
    if not channel.enabled:
        log.info("channel %s disabled in the configuration", channel.name)
        return None
    if channel.type == "outbox":
        return OutboxChannel(channel.name, bucket_factory)
    if not channel.conn_id:
        log.warning("channel %s disabled: no conn_id in its configuration", channel.name)
        return None
    conn = get_connection(channel.conn_id)
    if conn is None:
        log.warning("channel %s disabled: no Airflow connection '%s'", channel.name, channel.conn_id)
        return None
    try:
        return _build(channel, conn)
    except ConnectionProblem as exc:
        log.warning("channel %s disabled: %s", channel.name, exc)
        return None
