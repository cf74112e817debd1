"""The delivery ledger on real databases: planned once, claimed once, even by racing workers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from newsroom.store import Store
from newsroom.store.ledger import PENDING, SENDING, SENT, SKIPPED

NOW = datetime(2025, 6, 23, 12, 0, tzinfo=UTC)


def test_plan_is_idempotent_and_corrections_are_skipped(any_store: Store) -> None:
    ledger = any_store.deliveries
    assert ledger.plan("a", 1, "x", "k1", NOW) == PENDING
    assert ledger.plan("a", 1, "x", "k1", NOW) == PENDING  # a rerun plans nothing new
    assert len(ledger.rows("a")) == 1
    assert ledger.plan("a", 2, "x", "k2", NOW) == SKIPPED  # a correction is not re-posted
    assert "correction" in ledger.rows("a")[1].reason
    assert ledger.plan("a", 3, "x", "k3", NOW, repost=True) == PENDING  # unless it asks
    assert ledger.plan("b", 1, "x", "k4", NOW, skip_reason="archival") == SKIPPED


def test_claims_are_exclusive_across_threads(any_store: Store) -> None:
    ledger = any_store.deliveries
    for i in range(20):
        ledger.plan(f"a{i}", 1, "x", f"k{i}", NOW)
    taken: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for claim in any_store.deliveries.claim("x", NOW, 20):
            with lock:
                taken.append(claim.article_id)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(f"a{i}" for i in range(20))  # each row claimed exactly once


def test_only_the_claimant_records_and_stale_claims_are_recovered(any_store: Store) -> None:
    ledger = any_store.deliveries
    ledger.plan("a", 1, "x", "k", NOW)
    (claim,) = ledger.claim("x", NOW, 5)
    assert ledger.claim("x", NOW, 5) == []  # in flight
    assert ledger.rows("a")[0].state == SENDING
    assert ledger.claim_stale("x", NOW + timedelta(minutes=5), timedelta(minutes=10)) == []
    (stale,) = ledger.claim_stale("x", NOW + timedelta(minutes=11), timedelta(minutes=10))
    assert stale.stale and stale.attempts == 2
    assert not ledger.sent(claim, "late-worker", None, NOW)  # the vanished worker's claim is void
    assert ledger.sent(stale, "p1", "https://p/1", NOW)
    row = ledger.rows("a")[0]
    assert (row.state, row.remote_id) == (SENT, "p1")
    assert ledger.sent_since("x", NOW - timedelta(minutes=1)) == [NOW]


def test_retry_waits_until_due(any_store: Store) -> None:
    ledger = any_store.deliveries
    ledger.plan("a", 1, "x", "k", NOW)
    (claim,) = ledger.claim("x", NOW, 1)
    ledger.retry(claim, "HTTP 429", NOW + timedelta(seconds=30))
    assert ledger.claim("x", NOW + timedelta(seconds=10), 1) == []
    (again,) = ledger.claim("x", NOW + timedelta(seconds=31), 1)
    assert again.attempts == 2 and again.reason == "HTTP 429"
