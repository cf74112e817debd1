"""CDN invalidation through boto3's CloudFront client, against a loopback server speaking its REST API."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from newsroom.config import NewsroomConfig
from newsroom.publish.cdn import cdn_paths, invalidate
from tests.support.loopback import serving

NS = "{http://cloudfront.amazonaws.com/doc/2020-05-31/}"


class FakeCloudFront(ThreadingHTTPServer):
    """CreateInvalidation: POST /2020-05-31/distribution/{id}/invalidation; same CallerReference, same answer."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.batches: dict[str, list[str]] = {}  # caller reference -> paths
        self.distributions: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeCloudFront

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        parts = self.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "2020-05-31" or parts[1] != "distribution" or parts[3] != "invalidation":
            self.send_error(404)
            return
        if "AWS4-HMAC-SHA256" not in (self.headers.get("Authorization") or ""):
            self.send_error(403)
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        root = ET.fromstring(body)
        caller = root.findtext(f"{NS}CallerReference") or ""
        paths = [e.text or "" for e in root.iter(f"{NS}Path")]
        quantity = int(root.findtext(f"{NS}Paths/{NS}Quantity") or -1)
        if quantity != len(paths) or not caller:
            self.send_error(400)
            return
        self.server.batches.setdefault(caller, paths)
        self.server.distributions.append(parts[2])
        ident = f"I{abs(hash(caller)) % 10**10:010d}"
        items = "".join(f"<Path>{p}</Path>" for p in paths)
        answer = (
            f'<?xml version="1.0"?><Invalidation xmlns="{NS[1:-1]}"><Id>{ident}</Id><Status>InProgress</Status>'
            f"<CreateTime>2025-07-01T12:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>{len(paths)}"
            f"</Quantity><Items>{items}</Items></Paths><CallerReference>{caller}</CallerReference>"
            "</InvalidationBatch></Invalidation>"
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Location", f"{self.server.url}{self.path}/{ident}")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def cloudfront() -> Iterator[FakeCloudFront]:
    with serving(FakeCloudFront()) as server:
        yield server


def _client(url: str) -> Any:
    import boto3

    return boto3.client(
        "cloudfront", endpoint_url=url, aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    )


def test_exact_paths_are_invalidated_once_per_publish(make_config: Any, cloudfront: FakeCloudFront) -> None:
    config: NewsroomConfig = make_config({"cdn": {"distribution_id": "E2NEWSROOM"}, "storage": {"prefix": "site"}})
    keys = ["2025/06/23/mali.html", "diplomatie/index.html", "index.html", "feed.xml"]
    ids = invalidate(config, keys, reference="run-1", client=_client(cloudfront.url))
    assert len(ids) == 1 and cloudfront.distributions == ["E2NEWSROOM"]
    (paths,) = cloudfront.batches.values()
    assert paths == sorted(
        ["/site/2025/06/23/mali.html", "/site/diplomatie/index.html", "/site/diplomatie/", "/site/index.html",
         "/site/", "/site/feed.xml"]
    )  # fmt: skip
    # a retried task (same publish run) reuses its caller reference: no second invalidation batch
    invalidate(config, keys, reference="run-1", client=_client(cloudfront.url))
    assert len(cloudfront.batches) == 1


def test_no_cdn_configured_or_nothing_changed_calls_nothing(make_config: Any) -> None:
    assert invalidate(make_config(), ["index.html"], reference="r") == []
    with_cdn = make_config({"cdn": {"distribution_id": "E2"}})
    assert invalidate(with_cdn, [], reference="r", client=object()) == []
    assert cdn_paths(with_cdn, ["a/index.html"]) == ["/a/", "/a/index.html"]
