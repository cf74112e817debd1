"""Workers starting at once on a new bucket: each makes sure it exists, none fails."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from newsroom.devstack import SeaweedServer
from newsroom.publish.s3 import BucketClient


def test_concurrent_ensure_bucket_creates_it_once_and_never_fails(
    seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    name = f"race-{os.getpid()}"
    clients = [BucketClient.from_connection("newsroom_s3", name) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda c: c.ensure_bucket(), clients))  # raises if any of them failed
    clients[0].put("probe.txt", b"ok", "444bcb3a3fcf8389296c49467f27e1d6", "static")
    assert set(clients[1].listing()) == {"probe.txt"}
