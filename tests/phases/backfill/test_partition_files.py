"""The archive's partitions in either store of the newsroom's files: the state folder, or the private bucket.

``newsroom import-archive`` writes the partitions as keys (``partitions/YYYY/MM/DD/<id>.json``) and the
backfill reads them by key, so a day imported on one machine is backfilled by a worker on another that
shares no folder with it (``storage.files_bucket``). Both stores give the same published site, quarantine
an unreadable partition with its report the same way (the original kept), and upload nothing the second time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from newsroom.archive import partitions
from newsroom.archive.importer import import_archive
from newsroom.config import NewsroomConfig
from newsroom.files import BucketFiles, Files, LocalFiles
from newsroom.phases import backfill
from newsroom.resources import files_for, open_store
from newsroom.store.tables import VersionRow
from tests.support.archive import FIXTURES, SEED_ID, TOUADERA_ID
from tests.support.backfill import bucket_objects

DAY = date(2025, 6, 23)  # two of the fixtures' six articles


@pytest.fixture(params=["folder", "bucket"])
def files_config(request: pytest.FixtureRequest) -> NewsroomConfig:
    """The shipped config on a fresh site bucket; its own files in the state folder, or in a private bucket."""
    config: NewsroomConfig = request.getfixturevalue("s3_config" if request.param == "folder" else "diskless_config")
    return config


def _files(config: NewsroomConfig) -> Files:
    files = files_for(config)
    assert isinstance(files, BucketFiles if config.storage.files_bucket else LocalFiles)
    return files


def test_an_imported_day_is_backfilled_from_the_files(
    files_config: NewsroomConfig, puts: Callable[[], Counter[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = files_config
    files = _files(config)
    report = import_archive(FIXTURES, config, files)
    assert report.outcomes == {"new": 6, "updated": 0, "unchanged": 0}
    keys = partitions.day_keys(files, config, DAY)
    assert keys == sorted(f"partitions/2025/06/23/{i}.json" for i in (SEED_ID, TOUADERA_ID))
    assert len(partitions.all_days(files, config)) == 5
    if files.remote:  # nothing of it on this machine's disk
        assert not (config.state_dir / "partitions").exists()
    assert import_archive(FIXTURES, config, files).outcomes == {"new": 0, "updated": 0, "unchanged": 6}

    listings: list[str] = []
    real_keys = type(files).keys

    def listing(self: Files, prefix: str) -> list[str]:
        listings.append(prefix)
        return real_keys(self, prefix)

    monkeypatch.setattr(type(files), "keys", listing)
    result = backfill.run_day(DAY, config)
    assert listings == ["partitions/2025/06/23/"], "a day is listed once, its batches read by key"

    assert sorted(b for run in result["batches"] for b in run["ids"]) == sorted([SEED_ID, TOUADERA_ID])
    store = open_store(config)
    rows = store.articles.records([SEED_ID, TOUADERA_ID])
    assert {r.status for r in rows.values()} == {"published"}
    assert {r.path for r in rows.values()} <= set(bucket_objects(config))
    with store.session() as session:
        versions = session.execute(select(VersionRow.source_file, VersionRow.archived_path)).all()
    assert sorted(versions) == sorted((key, files.location(key)) for key in keys)
    assert puts(), "the day's pages were uploaded"

    again = backfill.run_day(DAY, config)
    assert puts() == Counter(), "a second backfill uploads nothing"
    assert all(b["skipped"] and not b["changed"] for b in again["batches"])


def test_an_unreadable_partition_is_quarantined_with_its_report_and_kept(files_config: NewsroomConfig) -> None:
    config = files_config
    files = _files(config)
    import_archive(FIXTURES, config, files)
    bad = "partitions/2025/06/23/broken-article.json"
    files.put(bad, b'{"article": {"id": "broken-article", "title": ""}}')

    result = backfill.run_day(DAY, config)

    assert [q for run in result["batches"] for q in run["quarantined"]] == [bad]
    assert files.get(bad) == b'{"article": {"id": "broken-article", "title": ""}}', "the original is kept"
    report_key = "quarantine/partitions/2025_06_23_broken-article.json.report.json"
    assert files.keys("quarantine/") == [report_key]
    report = json.loads(files.get(report_key))
    assert report["file"] == "2025/06/23/broken-article.json" and report["problems"]
    (row,) = open_store(config).status.of(bad)["quarantine"]  # type: ignore[index]
    assert (row["stored_path"], row["report_path"]) == (files.location(bad), files.location(report_key))
    assert row["stored_path"].startswith("s3://" if files.remote else str(config.state_dir))
    assert sorted(open_store(config).articles.all_ids()) == sorted([SEED_ID, TOUADERA_ID])

    backfill.run_day(DAY, config)  # the same bytes refused again: one report, one row
    assert files.keys("quarantine/") == [report_key]
    assert len(open_store(config).status.of(bad)["quarantine"]) == 1  # type: ignore[index]
    if files.remote:
        assert not (config.state_dir / "quarantine").exists() and not (config.state_dir / "partitions").exists()


def test_a_batch_planned_by_an_earlier_release_names_its_files_under_the_partitions(
    s3_config: NewsroomConfig,
) -> None:
    """Before keys, a plan's XCom held names under the partitions folder: a batch retried after an
    upgrade still finds its files."""
    config = s3_config
    import_archive(FIXTURES, config, files_for(config))
    old_names = [partitions.relative(config, k) for k in partitions.day_keys(files_for(config), config, DAY)]
    assert old_names[0].startswith("2025/06/23/")

    result = backfill.run_batch(old_names, DAY, config=config)

    assert sorted(result["ids"]) == sorted([SEED_ID, TOUADERA_ID]) and result["quarantined"] == []
