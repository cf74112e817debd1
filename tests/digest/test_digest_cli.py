"""``newsroom digest`` after SMTP died mid-send: the unknown recipient is shown, released by hand, then mailed
once; with the server down the command says so in one line."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from dev.devsmtp import DevSmtpServer
from dev.devstack import SeaweedServer
from newsroom.cli import build_parser
from newsroom.cli.desk import cmd_digest
from newsroom.config import NewsroomConfig
from newsroom.resources import open_store
from newsroom.store.digests import Recipient, new_token
from tests.digest.conftest import DAY_STORIES, EXPECTED_RECIPIENTS, NOW, file_stories, write_subscribers

DATE = "2025-06-23"


@pytest.fixture
def cli_config(
    make_config: Callable[..., NewsroomConfig],
    seaweed: SeaweedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    smtp_server: DevSmtpServer,
) -> NewsroomConfig:
    """Batches of 1, the subscribers of the digest tests, pages to a fresh bucket on the test SeaweedFS."""
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_S3", seaweed.connection_uri())
    bucket = "t-digest-cli-" + re.sub(r"[^a-z0-9]+", "-", tmp_path.name.lower())[:30].strip("-") + f"-{os.getpid()}"
    csv_path = write_subscribers(tmp_path / "abonnes.csv")
    return make_config(
        {
            "site": {"base_url": f"{seaweed.endpoint}/{bucket}/"},
            "storage": {"bucket": bucket},
            "digest": {"lists": [{"name": "quotidien", "subscribers": str(csv_path)}], "batch_size": 1},
        }
    )


def digest(config: NewsroomConfig, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cmd_digest(build_parser().parse_args(["digest", "--date", DATE, *argv]), config)
    out, err = capsys.readouterr()
    return code, out, err


def test_an_unknown_recipient_is_shown_released_and_mailed_once(
    cli_config: NewsroomConfig, smtp_server: DevSmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = cli_config
    file_stories(config, DAY_STORIES, NOW)
    ledger = open_store(config).digests
    ledger.register(DATE, "quotidien", [Recipient(e) for e in EXPECTED_RECIPIENTS])
    dead = new_token()  # an attempt killed while its message was with the SMTP server
    claimed = ledger.claim_batch(DATE, "quotidien", "daily_digest/killed/send", dead, 1, NOW)
    assert ledger.start_sending(DATE, "quotidien", claimed[0].email, dead, NOW)
    lost = claimed[0].email

    code, out, err = digest(config, capsys, "--send", "--force")
    assert code == 0, err
    assert "unknown 1" in out and f"unknown      {lost}" in out and "--release EMAIL" in out
    assert lost not in recipients_of(smtp_server)

    code, out, err = digest(config, capsys, "--release", lost.upper())
    assert code == 0 and "Released 1 recipient" in out
    code, out, err = digest(config, capsys, "--release", lost)
    assert code == 1 and len(err.strip().splitlines()) == 1  # nothing unknown any more

    code, out, err = digest(config, capsys, "--send", "--force")
    assert code == 0, err
    assert recipients_of(smtp_server) == Counter(EXPECTED_RECIPIENTS)  # everyone once, the released one too
    assert "ledger quotidien sent 5" in out and "    unknown " not in out


def test_the_mail_server_down_is_one_line_not_a_traceback(
    cli_config: NewsroomConfig, smtp_server: DevSmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = cli_config
    file_stories(config, DAY_STORIES, NOW)
    smtp_server.stop()
    code, _, err = digest(config, capsys, "--send", "--force")
    assert code == 1
    ours = [line for line in err.splitlines() if line.startswith("newsroom digest:")]
    assert len(ours) == 1 and "mail server" in ours[0]
    assert "ConnectionRefusedError" not in err and "smtplib.py" not in err  # no traceback of ours


def recipients_of(server: DevSmtpServer) -> Counter[str]:
    return Counter(rcpt for message in server.messages for rcpt in message.rcpt_tos)
