"""The desk watchdog (newsroom.phases.watchdog) against a real SMTP server (aiosmtpd): an article due
and not live, a post whose outcome is unknown, a digest not sent by 06:15 — each told once, in one
mail, through Airflow's SmtpNotifier; nothing told when all is well or nobody is to be told."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from dev.devsmtp import DevSmtpServer
from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.phases import watchdog
from newsroom.resources import files_for, open_store
from tests.support.paths import SAMPLES_DIR

# tomorrow 06:00 UTC, 07:00 in Porto-Novo (UTC+1): past 06:15, so yesterday's digest should be out, and
# an article filed now (the filing time is the clock's) is long due
NOW = (datetime.now(UTC) + timedelta(days=1)).replace(hour=6, minute=0, second=0, microsecond=0)


@pytest.fixture
def config(make_config: Callable[..., NewsroomConfig]) -> NewsroomConfig:
    return make_config({"alerts": {"to": ["desk@example.org"], "sender": "alerts@example.org"}})


def _file_and_ingest(config: NewsroomConfig, name: str) -> None:
    Inbox(config, files_for(config)).file(SAMPLES_DIR / name)
    Inbox(config, files_for(config)).process(open_store(config))


def test_each_problem_is_told_once_in_one_mail(config: NewsroomConfig, smtp_server: DevSmtpServer) -> None:
    _file_and_ingest(config, "benin-motos-godomey.md")  # stored, never rendered nor published
    store = open_store(config)
    store.deliveries.plan("benin-motos-godomey", 1, "telegram", "key-1", NOW)
    (claim,) = store.deliveries.claim("telegram", NOW, 1)
    store.deliveries.unknown(claim, "the connection was cut after the request was sent")

    result = watchdog.run(config, now=NOW)
    assert result["problems"] == 2 + len(config.digest.lists)
    (mail,) = smtp_server.messages
    message = mail.parsed()
    assert mail.rcpt_tos == ("desk@example.org",) and message["From"] == "alerts@example.org"
    text = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "benin-motos-godomey (version 1) was due at" in text and "is not live: status filed" in text
    assert "posted or not is unknown" in text and "telegram" in text
    assert f"the digest of {(NOW - timedelta(days=1)).date().isoformat()} is not sent to list quotidien" in text

    assert watchdog.run(config, now=NOW + timedelta(minutes=2))["alerted"] == []  # told once
    assert len(smtp_server.messages) == 1


def test_nothing_is_told_before_the_grace_or_the_digest_hour(
    make_config: Callable[..., NewsroomConfig], smtp_server: DevSmtpServer
) -> None:
    config = make_config({"alerts": {"to": ["desk@example.org"]}, "digest": {"enabled": False}})
    _file_and_ingest(config, "benin-motos-godomey.md")
    assert watchdog.check(config, datetime.now(UTC) + timedelta(minutes=1)) == {}  # due, but within its 2 minutes
    quiet = make_config({"alerts": {"to": ["desk@example.org"]}}, state_dir=config.state_dir.parent / "quiet")
    early = NOW - timedelta(hours=2)  # 05:00 in Porto-Novo: the digest has until 06:15
    assert watchdog.check(quiet, early) == {}
    assert watchdog.run(quiet, now=early)["alerted"] == [] and smtp_server.messages == []


def test_no_recipients_no_mail_and_nothing_remembered(
    make_config: Callable[..., NewsroomConfig], smtp_server: DevSmtpServer
) -> None:
    config = make_config({"alerts": {"to": []}})
    _file_and_ingest(config, "benin-motos-godomey.md")
    assert watchdog.run(config, now=NOW)["problems"] >= 1
    assert smtp_server.messages == [] and open_store(config).alerts.sent() == []


def test_a_missed_deadline_is_mailed(
    make_config: Callable[..., NewsroomConfig], smtp_server: DevSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_config({"alerts": {"to": ["desk@example.org"]}})
    monkeypatch.setattr(watchdog, "get_config", lambda: config)
    # the context as Airflow 3.3's scheduler builds it (models/deadline.py: Deadline.handle_miss)
    context = {
        "dag_run": {"dag_id": "ingest_articles", "dag_run_id": "manual__2026-12-07T00:00:00+00:00", "state": "queued"},
        "deadline": {"id": "0199", "deadline_time": "2026-12-07T00:10:00+00:00"},
    }
    asyncio.run(watchdog.deadline_missed("ingest_articles", 10, context=context))
    (mail,) = smtp_server.messages
    message = mail.parsed()
    assert message["Subject"] == "Newsroom: ingest_articles is late"
    text = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "a run of ingest_articles manual__2026-12-07T00:00:00+00:00 is not done 10 minutes after" in text
