"""Distribution channels: one small adapter per platform behind :class:`Channel`.

``make_channel(config, bucket_factory)`` builds the adapter for a configured
channel from its Airflow connection (see :mod:`newsroom.channels.registry`
for which connection field holds what); ``send(post)`` publishes and raises
:class:`RetryableError`, :class:`UncertainError` or :class:`PermanentError`.
Each adapter class declares what it can do (:class:`ChannelBase`: its
``type``, ``limit``, ``can_find``, ``can_retract``); :data:`CHANNEL_CLASSES`
lists them by type. Used by ``newsroom.distribute`` and the takedown; this
package imports nothing from distribute, store, publish or the pipeline.
"""

from __future__ import annotations

from newsroom.channels.base import (
    Bucket,
    Channel,
    ChannelBase,
    ChannelError,
    PermanentError,
    Post,
    RetryableError,
    SentPost,
    UncertainError,
    classify_http,
)
from newsroom.channels.limits import Limit
from newsroom.channels.registry import CHANNEL_CLASSES, channel_class, make_channel

__all__ = [
    "CHANNEL_CLASSES",
    "Bucket",
    "Channel",
    "ChannelBase",
    "ChannelError",
    "Limit",
    "PermanentError",
    "Post",
    "RetryableError",
    "SentPost",
    "UncertainError",
    "channel_class",
    "classify_http",
    "make_channel",
]
