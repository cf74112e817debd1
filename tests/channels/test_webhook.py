"""The webhook's signature covers the timestamp, the delivery id and the body; the receiver's check
(:func:`verify_signature`) refuses a bad signature and a stale timestamp and tells a duplicate, and
the fake receiver, which checks the way the README tells a real one to, refuses a captured request
replayed late and acknowledges one replayed early (or our own retry) without acting twice."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import requests

from newsroom.channels import UncertainError
from newsroom.channels.webhook import (
    MemoryReplayStore,
    SignatureRejected,
    sign,
    verify_signature,
)
from tests.support.channels import HANG_TIMEOUT, adapter, make_post, posted
from tests.support.fakes import FakeWebhook

SECRET = "s3cret-key"
BODY = b'{"id":"abc","title":"Budget"}'
NOW = 1_750_000_000


def _headers(*, stamp: int = NOW, delivery: str = "abc", body: bytes = BODY, secret: str = SECRET) -> dict[str, str]:
    return {
        "X-Newsroom-Timestamp": str(stamp),
        "X-Newsroom-Delivery": delivery,
        "X-Newsroom-Signature": sign(secret, body, timestamp=str(stamp), delivery=delivery),
    }


def test_the_signature_is_the_documented_hmac_of_timestamp_delivery_and_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.abc.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, timestamp=str(NOW), delivery="abc") == "v1=" + expected


def test_a_good_delivery_is_accepted_once_then_a_duplicate() -> None:
    seen = MemoryReplayStore(clock=lambda: NOW)
    first = verify_signature(SECRET, BODY, _headers(), now=NOW + 2, seen=seen)
    assert (first.delivery, first.timestamp, first.duplicate) == ("abc", NOW, False)
    seen.add(first.delivery)  # acted on
    # our retry: same id, a new timestamp and signature; or a replay within the window
    for headers in (_headers(stamp=NOW + 60), _headers()):
        assert verify_signature(SECRET, BODY, headers, now=NOW + 61, seen=seen).duplicate
    # header names in any case, as frameworks hand them over
    lower = {k.lower(): v for k, v in _headers().items()}
    assert verify_signature(SECRET, BODY, lower, now=NOW).delivery == "abc"


@pytest.mark.parametrize(
    ("body", "headers", "now", "reason"),
    [
        (BODY.replace(b"Budget", b"Budgey"), _headers(), NOW, "does not match"),
        (BODY, _headers(secret="other-key"), NOW, "does not match"),
        (BODY, {**_headers(), "X-Newsroom-Timestamp": str(NOW + 1)}, NOW, "does not match"),  # re-dated
        (BODY, {**_headers(), "X-Newsroom-Delivery": "abd"}, NOW, "does not match"),  # another id
        (BODY, {**_headers(), "X-Newsroom-Signature": "sha256=" + "0" * 64}, NOW, "does not match"),
        (BODY, {k: v for k, v in _headers().items() if k != "X-Newsroom-Signature"}, NOW, "missing"),
        (BODY, {k: v for k, v in _headers().items() if k != "X-Newsroom-Timestamp"}, NOW, "missing"),
        (BODY, _headers(), NOW + 301, "old"),  # a captured request replayed after five minutes
        (BODY, _headers(), NOW - 301, "future"),
        (BODY, {**_headers(), "X-Newsroom-Timestamp": "²"}, NOW, "Unix seconds"),
    ],
    ids=["body", "secret", "timestamp", "delivery", "old-scheme", "no-signature", "no-timestamp", "stale", "future",
         "not-a-number"],
)  # fmt: skip
def test_refused(body: bytes, headers: dict[str, str], now: int, reason: str) -> None:
    with pytest.raises(SignatureRejected, match=reason):
        verify_signature(SECRET, body, headers, now=now, seen=MemoryReplayStore())


def test_the_memory_store_forgets_after_its_time() -> None:
    clock = [float(NOW)]
    seen = MemoryReplayStore(keep=600, clock=lambda: clock[0])
    seen.add("abc")
    assert "abc" in seen and "abd" not in seen
    clock[0] += 601
    assert "abc" not in seen


def test_a_captured_delivery_replayed_is_acknowledged_once_or_refused_when_stale(webhook_fake: FakeWebhook) -> None:
    post = make_post("webhook")
    adapter(webhook_fake).send(post)
    captured = posted(webhook_fake)[0]
    assert verify_signature(webhook_fake.secret, captured.body, captured.headers).delivery == post.idempotency_key
    replay = {k: v for k, v in captured.headers.items() if k.startswith("x-newsroom") or k == "content-type"}

    again = requests.post(webhook_fake.hook_url, data=captured.body, headers=replay, timeout=5)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert len(webhook_fake.posts) == 1, "a replay was acted on"

    webhook_fake.clock_offset = 301  # the same request, five minutes later
    late = requests.post(webhook_fake.hook_url, data=captured.body, headers=replay, timeout=5)
    assert late.status_code == 401 and webhook_fake.refused == ["timestamp outside the five-minute window"]

    webhook_fake.clock_offset = 0  # re-dated by someone without the secret
    redated = {**replay, "x-newsroom-timestamp": str(int(replay["x-newsroom-timestamp"]) + 1)}
    assert requests.post(webhook_fake.hook_url, data=captured.body, headers=redated, timeout=5).status_code == 401
    assert len(webhook_fake.posts) == 1


def test_a_retry_after_a_timeout_is_a_duplicate_not_an_attack(webhook_fake: FakeWebhook) -> None:
    """The receiver acted, its answer never came: our resend (new timestamp, same id) is acknowledged."""
    post = make_post("webhook")
    webhook_fake.fail_next("hang", seconds=HANG_TIMEOUT * 4)
    with pytest.raises(UncertainError):
        adapter(webhook_fake, timeout=HANG_TIMEOUT).send(post)
    sent = adapter(webhook_fake).send(post)
    assert sent.remote_id == post.idempotency_key
    first, retry = posted(webhook_fake)
    assert first.header("X-Newsroom-Delivery") == retry.header("X-Newsroom-Delivery")
    assert webhook_fake.refused == [] and len(webhook_fake.posts) == 1
    assert json.loads(retry.body)["id"] == post.idempotency_key
