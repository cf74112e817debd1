"""The newsroom's own files behave the same in a folder and in a private bucket (a real SeaweedFS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsroom.config import NewsroomConfig
from newsroom.files import BucketFiles, Files, LocalFiles
from newsroom.resources import files_for


@pytest.fixture(params=["folder", "bucket"])
def files(request: pytest.FixtureRequest, tmp_path: Path) -> Files:
    if request.param == "folder":
        return LocalFiles(tmp_path / "state")
    config: NewsroomConfig = request.getfixturevalue("diskless_config")
    found = files_for(config)
    assert isinstance(found, BucketFiles) and found.remote
    return found


def test_put_get_keys_move_delete(files: Files) -> None:
    files.put("inbox/002--b.md", b"b")
    files.put("inbox/001--a.md", "é".encode())
    files.put("inbox/.hidden", b"x")
    files.put("partitions/2025/06/01/x.json", b"{}")
    assert files.keys("inbox/") == ["inbox/001--a.md", "inbox/002--b.md"]
    assert files.keys("partitions/") == ["partitions/2025/06/01/x.json"]
    assert files.keys("nothing/") == []
    assert files.get("inbox/001--a.md") == "é".encode()
    assert files.exists("inbox/002--b.md") and not files.exists("inbox/003--c.md")

    assert files.move("inbox/002--b.md", "archive/2025-06-01/b.md")
    assert not files.move("inbox/002--b.md", "archive/2025-06-01/b.md"), "a second mover finds it gone"
    assert files.get("archive/2025-06-01/b.md") == b"b"
    assert files.keys("inbox/") == ["inbox/001--a.md"]

    files.put("inbox/001--a.md", b"replaced")  # whole or nothing: the new bytes
    assert files.get("inbox/001--a.md") == b"replaced"
    files.delete("inbox/001--a.md")
    files.delete("inbox/001--a.md")  # gone already: nothing
    with pytest.raises(FileNotFoundError):
        files.get("inbox/001--a.md")

    where = files.location("quarantine/a.md")
    assert files.key_of(where) == "quarantine/a.md"
    assert where.startswith("s3://" if files.remote else "/")


def test_keys_never_leave_the_folder(tmp_path: Path) -> None:
    files = LocalFiles(tmp_path)
    for bad in ("../x", "/etc/passwd", "inbox/../../x"):
        with pytest.raises(ValueError):
            files.put(bad, b"")


def test_the_site_bucket_is_never_the_private_one(config_data: dict[str, Any], tmp_path: Path) -> None:
    from newsroom.config import ConfigError, parse_config
    from tests.support.paths import CONFIG_FILE

    config_data["storage"]["files_bucket"] = config_data["storage"]["bucket"]
    with pytest.raises(ConfigError) as refused:
        parse_config(config_data, CONFIG_FILE, state_dir=tmp_path)
    assert "storage.files_bucket" in str(refused.value) and "public" in str(refused.value)


def test_the_partitions_setting_is_a_key_prefix(config_data: dict[str, Any], tmp_path: Path) -> None:
    from newsroom.config import ConfigError, parse_config
    from tests.support.paths import CONFIG_FILE

    for bad in ("/var/archive", "../partitions", ""):
        config_data["archive"]["partitions"] = bad
        with pytest.raises(ConfigError) as refused:
            parse_config(config_data, CONFIG_FILE, state_dir=tmp_path)
        assert "archive.partitions" in str(refused.value) and "key prefix" in str(refused.value)
    config_data["archive"]["partitions"] = "archive/parts/"
    assert parse_config(config_data, CONFIG_FILE, state_dir=tmp_path).archive.partitions == "archive/parts"
