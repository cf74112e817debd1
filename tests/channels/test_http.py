"""The shared HTTP helper of the adapters: wait formats, and timeouts on reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from newsroom.channels import (
    RetryableError,
)
from newsroom.channels.http import request, seconds_until
from tests.support.channels import (
    HANG_TIMEOUT,
)
from tests.support.fakes import (
    FakeX,
)


# -- the shared HTTP helper ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        ("1000000100", 100.0),  # a Unix time (X, Bluesky)
        ("2001-09-09T01:48:20.000000+00:00", 100.0),  # ISO 8601 (Mastodon)
        ("Sun, 09 Sep 2001 01:48:20 GMT", 100.0),  # HTTP date
        ("soon", None),
        (None, None),
    ],
)
def test_seconds_until_reads_every_wait_format(value: str | None, expected: float | None) -> None:
    assert seconds_until(value, now=1_000_000_000) == expected


def test_a_get_that_times_out_is_retryable_not_uncertain(x_fake: FakeX) -> None:
    slow: Callable[..., Any] = x_fake.respond

    def hang_reads(seen: Any) -> Any:
        reply = slow(seen)
        reply.hang = 5
        return reply

    x_fake.respond = hang_reads  # type: ignore[method-assign]
    with pytest.raises(RetryableError):
        request("GET", x_fake.url + "/2/users/42/tweets", what="x: find", timeout=HANG_TIMEOUT)
