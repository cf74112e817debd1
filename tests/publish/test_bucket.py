"""The bucket from several workers at once (each makes sure it exists, none fails), and the per-process client cache."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from dev.devstack import SeaweedServer
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


def test_a_process_keeps_one_client_per_connection_and_drops_those_it_supersedes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsroom.publish import s3

    monkeypatch.setattr(s3, "_CLIENTS", {})
    uri = "aws://key:secret@/?region_name=eu-west-3&endpoint_url=http%3A%2F%2F127.0.0.1%3A{}"
    monkeypatch.setenv("AIRFLOW_CONN_SITE_A", uri.format(1))
    monkeypatch.setenv("AIRFLOW_CONN_SITE_B", uri.format(2))
    first = s3._client("site_a")
    other = s3._client("site_b")
    assert s3._client("site_a") is first and first is not other
    s3._CLIENTS[(-1, "site_a", "a parent's")] = (0.0, object())  # made before a fork

    monkeypatch.setenv("AIRFLOW_CONN_SITE_A", uri.format(3))  # rotated: a new client, the old one dropped
    rotated = s3._client("site_a")
    assert rotated is not first and rotated.meta.endpoint_url == "http://127.0.0.1:3"
    assert sorted(k[1:] for k in s3._CLIENTS) == [("site_a", uri.format(3)), ("site_b", uri.format(2))]
