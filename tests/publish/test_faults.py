"""SeaweedFS killed mid-publish: the rerun loses nothing, doubles nothing, and sends again only what was in flight.

Publish records each object as it lands (``RECORD_EVERY`` per transaction, and
everything that landed when a group fails), so after a real SeaweedFS is
SIGKILLed with a third of the objects up and restarted on its data folder, the
retried publish uploads the rest: at most the uploads that were in flight
(``workers``) go twice, where recording a group only when all of it was done sent
the whole group again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.faults import seaweed_killed_mid_publish

pytestmark = pytest.mark.e2e


def test_seaweedfs_killed_mid_publish_costs_at_most_the_uploads_in_flight(tmp_path: Path) -> None:
    workers = 8
    cost = seaweed_killed_mid_publish(tmp_path, objects=300, kill_after=100, workers=workers)

    detail = cost.detail
    assert detail["first_run_error"], "the first publish failed when the server died"
    assert detail["in_bucket_after_restart"] >= detail["landed_when_killed"], detail
    assert cost.lost == 0, cost
    assert cost.duplicated == 0, cost
    assert cost.reuploaded is not None and cost.reuploaded <= workers, cost
    assert detail["recorded_before_rerun"] >= detail["landed_when_killed"], detail
