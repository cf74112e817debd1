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
Each class reads its own fields (``from_connection``); this module is the
table of classes, :data:`CHANNEL_CLASSES`, keyed by their ``type``, and the
lookup of the connection. Called by ``newsroom.resources`` (the adapters for sending), the
takedown (retracting), and, for the classes' declared limits and lookups, by
``newsroom.distribute.posts`` and ``newsroom.distribute.sender``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from newsroom.channels.base import Bucket, Channel, ChannelBase
from newsroom.channels.bluesky import BlueskyChannel
from newsroom.channels.connection import ConnectionProblem
from newsroom.channels.facebook import FacebookChannel
from newsroom.channels.mastodon import MastodonChannel
from newsroom.channels.outbox import OutboxChannel
from newsroom.channels.telegram import TelegramChannel
from newsroom.channels.webhook import WebhookChannel
from newsroom.channels.x import XChannel

if TYPE_CHECKING:
    from newsroom.config import ChannelConfig

log = logging.getLogger(__name__)

#: every channel class by its ``type`` (in the order ``newsroom.config.CHANNEL_TYPES`` lists them;
#: tests/channels/test_registry.py checks the two agree)
CHANNEL_CLASSES: dict[str, type[ChannelBase]] = {
    cls.type: cls
    for cls in (
        OutboxChannel,
        FacebookChannel,
        XChannel,
        TelegramChannel,
        MastodonChannel,
        BlueskyChannel,
        WebhookChannel,
    )
}


def channel_class(channel_type: str) -> type[ChannelBase]:
    """The class of a configured channel type (the configuration only admits known types)."""
    try:
        return CHANNEL_CLASSES[channel_type]
    except KeyError:
        raise ConnectionProblem(f"unknown channel type {channel_type!r}") from None


def get_connection(conn_id: str) -> Any:
    """The Airflow connection, or None when it is not defined anywhere."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def make_channel(channel: ChannelConfig, bucket_factory: Callable[[], Bucket]) -> Channel | None:
    """The adapter for one configured channel, or None (with one warning) when it cannot be used."""
    if not channel.enabled:
        log.info("channel %s disabled in the configuration", channel.name)
        return None
    cls = CHANNEL_CLASSES.get(channel.type)
    conn: Any = None
    if cls is None or cls.needs_connection:
        if not channel.conn_id:
            log.warning("channel %s disabled: no conn_id in its configuration", channel.name)
            return None
        conn = get_connection(channel.conn_id)
        if conn is None:
            log.warning("channel %s disabled: no Airflow connection '%s'", channel.name, channel.conn_id)
            return None
    try:
        return channel_class(channel.type).from_connection(channel, conn, bucket_factory)
    except ConnectionProblem as exc:
        log.warning("channel %s disabled: %s", channel.name, exc)
        return None
