"""Backfill fixtures: a small generated archive written into day partitions, and a bucket spy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from newsroom.config import NewsroomConfig
from newsroom.publish.s3 import BucketClient


@pytest.fixture
def backfill_config(s3_config: NewsroomConfig) -> NewsroomConfig:
    """The shipped config on a fresh test bucket, in batches of 10."""
    return s3_config.model_copy(update={"archive": s3_config.archive.model_copy(update={"batch_size": 10})})


@pytest.fixture
def puts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Counter[str]]]:
    """Every key uploaded from now on, counted; call the fixture's value to read and reset."""
    seen: Counter[str] = Counter()
    real = BucketClient.put

    def put(self: BucketClient, key: str, *args: Any, **kwargs: Any) -> None:
        seen[key] += 1
        real(self, key, *args, **kwargs)

    monkeypatch.setattr(BucketClient, "put", put)

    def read() -> Counter[str]:
        out = Counter(seen)
        seen.clear()
        return out

    yield read
