"""The daily digest end to end: a real SMTP server (aiosmtpd), a real SeaweedFS, the real DAG.

What a subscriber receives (parts, headers, inlined styles, links of that day
only, sections in order), and that each recipient gets it exactly once across
reruns, a task killed between batches, a task killed mid-batch, a competing
live attempt; that empty days, old dates and backfills send nothing without
``force_send``; that the web page and archive go to the bucket once.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from dev.devsmtp import DevSmtpServer
from newsroom.config import NewsroomConfig
from newsroom.contracts import DigestSendResult
from newsroom.digest import (
    DigestIncompleteError,
    build_digest,
    publish_pages,
    refresh_editions,
    send_digest,
)
from newsroom.digest.build import digest_date_for, page_key
from newsroom.digest.email import SmtpSettings, message_id, unsubscribe_uris
from newsroom.publish.s3 import BucketClient
from newsroom.render.urls import Urls
from newsroom.resources import bucket_for, open_store
from newsroom.store.digests import SENT, UNKNOWN, Recipient, new_token
from tests.digest.conftest import (
    DAY,
    DAY_STORIES,
    EXPECTED_RECIPIENTS,
    NOW,
    OTHER_STORIES,
    TZ,
    Story,
    at,
    file_stories,
    write_subscribers,
)
from tests.support.airflow import for_dag_test

ConfigFactory = Callable[..., NewsroomConfig]
VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class _Html(HTMLParser):
    """Tags of interest in an HTML document: links, images, stylesheets, styled elements, the preheader."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.imgs: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.styled = 0
        self.preheader_style: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("style"):
            self.styled += 1
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag == "img":
            self.imgs.append(values)
        if tag == "link":
            self.links.append(values)
        if "preheader" in (values.get("class") or "").split():
            self.preheader_style = values.get("style")


def parse_html(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    return parser


def prepare(config: NewsroomConfig, stories: list[Story] | None = None) -> Urls:
    """File the stories (the day's and the others by default) and give two of them inbound related links."""
    store = file_stories(config, stories if stories is not None else DAY_STORIES + OTHER_STORIES, NOW)
    if stories is None:
        store.related.replace("politique-1", ["diplo-1"])
        store.related.replace("societe-1", ["diplo-1"])
    return Urls(config)


def _bucket(config: NewsroomConfig) -> BucketClient:
    bucket = bucket_for(config)
    bucket.ensure_bucket()
    return bucket


def run(config: NewsroomConfig, **kwargs: Any) -> DigestSendResult:
    """Build the digest of DAY and send it (as the scheduled run would, unless told otherwise)."""
    now = kwargs.pop("now", NOW)
    built = build_digest(config, kwargs.pop("day", DAY), now=now, store=open_store(config))
    return send_digest(
        config,
        built,
        store=open_store(config),
        now=now,
        **{"run_type": "scheduled", "owner": "test/run/send", **kwargs},
    )


def recipients_of(server: DevSmtpServer) -> Counter[str]:
    return Counter(rcpt for message in server.messages for rcpt in message.rcpt_tos)


def parts(message: EmailMessage) -> tuple[str, str]:
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    assert isinstance(text_part, EmailMessage) and isinstance(html_part, EmailMessage)
    return str(text_part.get_content()), str(html_part.get_content())


def test_digest_arrives_over_smtp_with_parts_headers_and_that_days_links(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    config = digest_config()
    urls = prepare(config)
    result = run(config)

    assert result["lists"]["quotidien"]["state"] == SENT
    assert result["lists"]["quotidien"]["sent_now"] == 5
    assert sorted(recipients_of(smtp_server)) == EXPECTED_RECIPIENTS  # one message each, the bad line skipped
    assert len(list((smtp_server.folder).glob("*.eml"))) == 5

    day_urls = [urls.url(f"2025/06/23/{s.id}.html") for s in DAY_STORIES]
    other_urls = [urls.url(f"{s.published.astimezone(TZ):%Y/%m/%d}/{s.id}.html") for s in OTHER_STORIES]
    message_ids = set()
    for received in smtp_server.messages:
        message = received.parsed()
        (rcpt,) = received.rcpt_tos
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        assert rcpt in str(message["To"]) and "," not in str(message["To"])
        assert str(message["From"]) == config.digest.sender
        assert str(message["Subject"]) == "L'Écho du Golfe — L’essentiel du lundi 23 juin 2025"
        assert message["Date"] is not None
        assert str(message["Message-ID"]) == message_id("2025-06-23", "quotidien", rcpt, "echo-du-golfe.example")
        message_ids.add(str(message["Message-ID"]))
        assert str(message["List-Id"]).endswith("<quotidien.echo-du-golfe.example>")
        assert f"<{config.digest.unsubscribe}>" in str(message["List-Unsubscribe"])
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"

        text, html = parts(message)
        page = parse_html(html)
        assert not page.links and "<link" not in html, "the stylesheet must be inlined, not linked"
        assert page.styled > 20, "styles are inlined into style attributes"
        assert page.preheader_style is not None and "display:none" in page.preheader_style.replace(" ", "")
        assert "5 articles · À la une : Titre de diplo-1" in html
        assert page.imgs and all((img.get("alt") or "").strip() for img in page.imgs)
        for url in day_urls:
            assert url in page.hrefs, f"{url} missing from the HTML"
            assert url in text, f"{url} missing from the text part"
        for url in other_urls:
            assert url not in html and url not in text, f"{url} is not of that day, or not live"
        assert config.site.base_url + "digest/2025-06-23/index.html" in page.hrefs

        # top stories by score first (diplo-1: two inbound links + image; eco-1: image), then sections in order
        order = [html.index(marker) for marker in ("À la une", "Titre de diplo-1", "Titre de eco-1")]
        order += [html.index(f">{name}</a>") for name in ("Politique", "Société", "Sport")]
        assert order == sorted(order)
        assert html.count("Titre de diplo-1</a>") == 1, "a top story is not repeated in its section"
        text_order = [text.index(m) for m in ("À LA UNE", "Titre de diplo-1", "POLITIQUE", "SOCIÉTÉ", "SPORT")]
        assert text_order == sorted(text_order)
    assert len(message_ids) == 5

    ledger = open_store(config).digests
    rows = ledger.recipients("2025-06-23", "quotidien")
    assert [r.email for r in rows] == EXPECTED_RECIPIENTS
    assert all(r.state == SENT and r.sent_at is not None for r in rows)


def test_a_rerun_sends_nothing(digest_config: ConfigFactory, smtp_server: DevSmtpServer) -> None:
    config = digest_config()
    prepare(config)
    run(config)
    assert len(smtp_server.messages) == 5

    again = run(config)  # the same task again
    other_run = run(config, owner="daily_digest/manual__2/send", force=True)  # another run, even forced
    assert again["lists"]["quotidien"] == other_run["lists"]["quotidien"] | {"sent_now": 0}
    assert again["lists"]["quotidien"]["state"] == SENT and again["lists"]["quotidien"]["sent_now"] == 0
    assert len(smtp_server.messages) == 5


def test_killed_after_the_first_batch_a_rerun_sends_the_rest_exactly_once(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    config = digest_config()  # 5 recipients in batches of 2
    prepare(config)

    def killed(list_name: str, batch: int) -> None:
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError, match="worker killed"):
        run(config, after_batch=killed)
    assert len(smtp_server.messages) == 2

    result = run(config)  # the retry
    assert result["lists"]["quotidien"]["sent_now"] == 3
    assert result["lists"]["quotidien"]["state"] == SENT
    assert recipients_of(smtp_server) == Counter(EXPECTED_RECIPIENTS)  # every recipient exactly once


def test_two_workers_sending_at_once_never_send_to_the_same_recipient(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    config = digest_config(batch_size=1)
    prepare(config)
    built = build_digest(config, DAY, now=NOW, store=open_store(config))
    outcomes: list[str] = []

    def worker(owner: str) -> None:
        try:
            result = send_digest(config, built, store=open_store(config), now=NOW, owner=owner)
            outcomes.append(result["lists"]["quotidien"]["state"])
        except DigestIncompleteError:  # the other one still held claims when this one ran out of work
            outcomes.append("incomplete")

    threads = [threading.Thread(target=worker, args=(f"daily_digest/run-{n}/send",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) in (["incomplete", SENT], [SENT, SENT])
    assert recipients_of(smtp_server) == Counter(EXPECTED_RECIPIENTS)


def test_a_hard_kill_mid_batch_is_recovered_without_sending_twice(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    """A dead attempt left 2 claims: one not yet handed to SMTP (sent by the retry), one in flight (never resent)."""
    config = digest_config()
    prepare(config)
    ledger = open_store(config).digests
    ledger.register("2025-06-23", "quotidien", [Recipient(e) for e in EXPECTED_RECIPIENTS])
    dead = new_token()
    claimed = ledger.claim_batch("2025-06-23", "quotidien", "test/run/send", dead, 2, NOW)
    assert len(claimed) == 2
    assert ledger.start_sending("2025-06-23", "quotidien", claimed[0].email, dead, NOW)

    result = run(config)  # the same task's next attempt
    assert result["lists"]["quotidien"]["state"] == SENT
    assert result["lists"]["quotidien"]["unknown"] == 1
    assert recipients_of(smtp_server) == Counter(e for e in EXPECTED_RECIPIENTS if e != claimed[0].email)
    states = {r.email: r.state for r in ledger.recipients("2025-06-23", "quotidien")}
    assert states[claimed[0].email] == UNKNOWN
    # the dead worker comes back to life: its claims are gone, it cannot send
    assert not ledger.start_sending("2025-06-23", "quotidien", claimed[1].email, dead, NOW)
    assert not ledger.mark_sent("2025-06-23", "quotidien", claimed[0].email, dead, "<x@y>", NOW)


def test_claims_of_another_live_attempt_are_left_alone_until_stale(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    config = digest_config()
    prepare(config)
    ledger = open_store(config).digests
    ledger.register("2025-06-23", "quotidien", [Recipient(e) for e in EXPECTED_RECIPIENTS])
    other = new_token()
    theirs = ledger.claim_batch("2025-06-23", "quotidien", "daily_digest/other-run/send", other, 2, NOW)

    with pytest.raises(DigestIncompleteError):
        run(config)
    assert sorted(recipients_of(smtp_server)) == sorted(set(EXPECTED_RECIPIENTS) - {r.email for r in theirs})

    later = NOW + timedelta(minutes=10)  # their heartbeat is now stale: the claims are recovered and sent
    result = send_digest(
        config,
        build_digest(config, DAY, now=later, store=open_store(config)),
        store=open_store(config),
        now=later,
        owner="test/run/send",
    )
    assert result["lists"]["quotidien"]["state"] == SENT
    assert recipients_of(smtp_server) == Counter(EXPECTED_RECIPIENTS)


def test_a_refused_address_fails_for_good_and_a_deferred_one_is_retried(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    config = digest_config()
    prepare(config)
    smtp_server.refuse("koffi.mensah@example.org", "550 5.1.1 Unknown user")
    smtp_server.refuse("ibrahim.sow@example.org", "451 4.3.0 Try again later")
    with pytest.raises(DigestIncompleteError):
        run(config)
    delivered = sorted(recipients_of(smtp_server))
    assert delivered == ["awa.dossou@example.org", "fatou.diallo@example.org", "mariam.traore@example.org"]

    smtp_server.refuse("ibrahim.sow@example.org", None)
    smtp_server.refuse("koffi.mensah@example.org", None)  # accepted now, but a 5xx is final: never retried
    result = run(config)
    assert result["lists"]["quotidien"]["state"] == SENT
    assert result["lists"]["quotidien"]["failed"] == 1 and result["lists"]["quotidien"]["sent_now"] == 1
    assert recipients_of(smtp_server)["ibrahim.sow@example.org"] == 1
    assert "koffi.mensah@example.org" not in recipients_of(smtp_server)
    rows = {r.email: r for r in open_store(config).digests.recipients("2025-06-23", "quotidien")}
    assert rows["koffi.mensah@example.org"].state == "failed" and "550" in rows["koffi.mensah@example.org"].reason


def test_unsubscribe_headers_and_smtp_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    uris = unsubscribe_uris("https://echo.example/desabonnement", "quotidien", "a@b.org", "Écho <lettre@echo.example>")
    assert uris == [
        "https://echo.example/desabonnement?liste=quotidien&email=a%40b.org",
        "mailto:lettre@echo.example?subject=d%C3%A9sabonnement%20quotidien",
    ]
    assert unsubscribe_uris("mailto:stop@echo.example", "quotidien", "a@b.org", "lettre@echo.example") == [
        "mailto:stop@echo.example"
    ]
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWSROOM_SMTP",
        '{"conn_type": "smtp", "host": "smtp.example", "login": "u", "password": "p", "extra": {"ssl": true}}',
    )
    settings = SmtpSettings.from_connection("newsroom_smtp")
    assert (settings.host, settings.port, settings.ssl, settings.starttls) == ("smtp.example", 465, True, False)
    assert (settings.login, settings.password) == ("u", "p")
    monkeypatch.setenv("AIRFLOW_CONN_NEWSROOM_SMTP", '{"conn_type": "smtp", "host": "smtp.example"}')
    settings = SmtpSettings.from_connection("newsroom_smtp")
    assert (settings.port, settings.ssl, settings.starttls) == (587, False, True)


def test_an_empty_day_sends_nothing_unless_send_empty(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer, tmp_path: Path
) -> None:
    config = digest_config()
    prepare(config, [Story("hier-1", "politique", at(DAY - timedelta(days=1), 20))])
    result = run(config)
    assert result["held"].startswith("no article")
    assert result["lists"]["quotidien"]["state"] == "empty"
    assert smtp_server.messages == []

    config = digest_config(send_empty=True)
    config = config.model_copy(update={"state_dir": tmp_path / "other-state"})
    prepare(config, [])
    result = run(config)
    assert result["lists"]["quotidien"]["state"] == SENT
    _text, html = parts(smtp_server.messages[0].parsed())
    assert "Aucun article n’a été publié ce jour-là" in html


def test_an_old_date_or_a_backfill_never_sends_without_force_send(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    config = digest_config()
    prepare(config)
    three_days_later = NOW + timedelta(days=2)
    old = run(config, now=three_days_later)
    assert "3 days old" in old["held"] and old["lists"]["quotidien"]["state"] == "held"
    backfill = run(config, run_type="backfill")
    assert "backfill" in backfill["held"]
    assert smtp_server.messages == []
    assert run(config, now=NOW + timedelta(days=1))["lists"]["quotidien"]["state"] == SENT  # 2 days old: still sent
    assert len(smtp_server.messages) == 5

    forced = run(config, run_type="backfill", force=True)  # forced, but the ledger has it: nothing twice
    assert forced["lists"]["quotidien"]["sent_now"] == 0
    assert len(smtp_server.messages) == 5


def test_force_send_sends_an_old_date_once(digest_config: ConfigFactory, smtp_server: DevSmtpServer) -> None:
    config = digest_config()
    prepare(config)
    later = NOW + timedelta(days=10)
    assert run(config, now=later, run_type="backfill", force=True)["lists"]["quotidien"]["sent_now"] == 5
    assert run(config, now=later, run_type="backfill", force=True)["lists"]["quotidien"]["sent_now"] == 0
    assert recipients_of(smtp_server) == Counter(EXPECTED_RECIPIENTS)


def test_web_page_and_archive_go_to_the_bucket_once(s3_config: NewsroomConfig, tmp_path: Path) -> None:
    config = s3_config
    urls = prepare(config)
    built = build_digest(config, DAY, now=NOW, store=open_store(config))
    first = publish_pages(config, built, store=open_store(config), bucket=_bucket(config), now=NOW)
    assert first["keys"] == ["digest/2025-06-23/index.html", "digest/index.html"]

    bucket = bucket_for(config)
    page = bucket.get("digest/2025-06-23/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    body = page["Body"].read().decode("utf-8")
    assert "<h1>L’essentiel du lundi 23 juin 2025</h1>" in body
    assert 'rel="stylesheet"' in body and "site-nav" in body, "the page extends base.html"
    for story in DAY_STORIES:
        assert urls.url(f"2025/06/23/{story.id}.html") in body
    for story in OTHER_STORIES:
        assert story.id not in body
    archive = bucket.get("digest/index.html")["Body"].read().decode("utf-8")
    assert urls.url("digest/2025-06-23/index.html") in archive and "lundi 23 juin 2025" in archive

    again = publish_pages(config, built, store=open_store(config), bucket=_bucket(config), now=NOW)
    assert again["uploaded"] == 0 and again["unchanged"] == 2
    rebuilt = publish_pages(
        config,
        build_digest(config, DAY, now=NOW + timedelta(hours=1), store=open_store(config)),
        store=open_store(config),
        bucket=_bucket(config),
    )
    assert rebuilt["uploaded"] == 0, "the same state renders the same bytes"

    # the day before: its page, and the archive now listing both days, newest first
    before = publish_pages(
        config,
        build_digest(config, DAY - timedelta(days=1), now=NOW, store=open_store(config)),
        store=open_store(config),
        bucket=_bucket(config),
    )
    assert before["keys"] == ["digest/2025-06-22/index.html", "digest/index.html"]
    archive = bucket.get("digest/index.html")["Body"].read().decode("utf-8")
    assert archive.index("2025-06-23") < archive.index("2025-06-22")
    assert_valid_html(tmp_path, {"page.html": body, "archive.html": archive})

    # a takedown: the pages that list the article are rendered again without it
    store = open_store(config)
    store.takedowns.take_down("eco-1", reason="erreur", by="test", now=NOW)
    refreshed = refresh_editions(config, ["eco-1"], now=NOW, store=open_store(config), bucket=_bucket(config))
    assert refreshed["dates"] == ["2025-06-23"]
    assert "digest/2025-06-23/index.html" in refreshed["uploaded"]
    page_now = bucket.get("digest/2025-06-23/index.html")["Body"].read().decode("utf-8")
    assert "eco-1" not in page_now and "diplo-1" in page_now


def assert_valid_html(folder: Path, pages: dict[str, str]) -> None:
    """Structure always (one h1, no skipped heading level, alt on images); the Nu HTML Checker when installed."""
    for name, html in pages.items():
        levels = [int(m) for m in re.findall(r"<h([1-6])[\s>]", html)]
        assert levels.count(1) == 1 and levels[0] == 1, (name, levels)
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (name, levels)
        assert all((img.get("alt") or "").strip() for img in parse_html(html).imgs), name
        (folder / name).write_text(html, encoding="utf-8")
    java, jar = shutil.which("java"), VNU_JAR
    if java is None or not jar.is_file():
        return  # tests/render/test_html_valid.py says why it is skipped
    checked = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", *(str(folder / n) for n in pages)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]


def test_an_article_taken_down_after_the_build_is_never_mailed(
    digest_config: ConfigFactory, smtp_server: DevSmtpServer
) -> None:
    config = digest_config()
    urls = prepare(config)
    built = build_digest(config, DAY, now=NOW, store=open_store(config))
    open_store(config).takedowns.take_down("diplo-1", reason="erreur", by="test", now=NOW)
    result = send_digest(config, built, store=open_store(config), now=NOW, owner="test/run/send")
    assert result["articles"] == 4 and result["lists"]["quotidien"]["sent_now"] == 5
    for received in smtp_server.messages:
        text, html = parts(received.parsed())
        assert urls.url("2025/06/23/diplo-1.html") not in html + text
        assert urls.url("2025/06/23/eco-1.html") in html


def test_digest_date_is_the_site_day_before_the_interval_end() -> None:
    assert digest_date_for(datetime(2025, 6, 24, 5, 0, tzinfo=UTC), TZ) == DAY  # 06:00 in Porto-Novo
    assert digest_date_for(datetime(2025, 6, 23, 23, 30, tzinfo=UTC), TZ) == DAY  # already the 24th there
    assert page_key(DAY) == "digest/2025-06-23/index.html"


@pytest.mark.e2e
def test_the_dag_builds_publishes_and_sends_once(
    airflow_db: None, pipeline_env: NewsroomConfig, smtp_server: DevSmtpServer
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    config = pipeline_env
    write_subscribers(config.source.parent / "subscribers.csv", [("awa.dossou@example.org", "Awa Dossou")])
    now = datetime.now(UTC)
    local = now.astimezone(TZ)
    interval_end = local.replace(hour=6, minute=0, second=0, microsecond=0)
    if interval_end > local:
        interval_end -= timedelta(days=1)
    day = digest_date_for(interval_end, TZ)
    file_stories(config, [Story("du-jour", "economie", at(day, 10), image=True)], now)

    dag = for_dag_test(DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags")).dags["daily_digest"])
    for task in dag.tasks:  # a failure fails the test now, not after minutes of retry delays
        task.retries = 0
    run_ = dag.test(logical_date=now)
    assert run_.state == "success"
    assert [m.rcpt_tos for m in smtp_server.messages] == [("awa.dossou@example.org",)]
    message = smtp_server.messages[0].parsed()
    assert re.search(r"L’essentiel du \w+ \d+ \w+ \d{4}", str(message["Subject"]))
    objects = bucket_for(config).listing()
    assert {f"digest/{day.isoformat()}/index.html", "digest/index.html"} <= set(objects)

    assert dag.test(logical_date=now).state == "success"  # a rerun of the same run: nothing twice
    assert len(smtp_server.messages) == 1
