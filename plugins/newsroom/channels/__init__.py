"""Distribution channels: one small adapter per platform behind :class:`Channel`.

``make_channel(config, bucket_factory)`` builds the adapter for a configured
channel from its Airflow connection (see :mod:`newsroom.channels.registry`
for which connection field holds what); ``send(post)`` publishes and raises
:class:`RetryableError`, :class:`UncertainError` or :class:`PermanentError`.
"""

from __future__ import annotations

from newsroom.channels.base import (
    Channel,
    ChannelError,
    PermanentError,
    Post,
    RetryableError,
    SentPost,
    UncertainError,
    classify_http,
)
from newsroom.channels.registry import make_channel

__all__ = [
    "Channel",
    "ChannelError",
    "PermanentError",
    "Post",
    "RetryableError",
    "SentPost",
    "UncertainError",
    "classify_http",
    "make_channel",
]
