"""Takedown reaches every surface of the real bucket; a taken-down id is refused until restored."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from newsroom.config import NewsroomConfig
from newsroom.contracts import ProcessResult
from newsroom.ingest import Inbox
from newsroom.phases.ingest import process, publish_build, render
from newsroom.phases.takedown import takedown
from newsroom.resources import bucket_for, files_for, open_store
from newsroom.store import utcnow
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e


def _run(config: NewsroomConfig, run_id: str) -> ProcessResult:
    return process(config, run_id=run_id)


def _bucket_text(config: NewsroomConfig) -> dict[str, str]:
    bucket = bucket_for(config)
    return {k: bucket.get(k)["Body"].read().decode("utf-8", "replace") for k in bucket.listing()}


def test_takedown_removes_every_trace_and_refiling_is_refused(s3_config: NewsroomConfig) -> None:
    config = s3_config
    inbox = Inbox(config, files_for(config))
    for sample in sorted(SAMPLES_DIR.iterdir()):
        inbox.file(sample)
    _run(config, "first")
    store = open_store(config)
    row = store.articles.records(["benin-motos-godomey"])["benin-motos-godomey"]
    before = _bucket_text(config)
    assert row.path in before
    assert any(row.path in text for key, text in before.items() if key != row.path)  # linked from elsewhere

    result = takedown("benin-motos-godomey", reason="demande de la justice", by="chef-edition", config=config)
    assert row.path in result["removed"]
    after = _bucket_text(config)
    assert row.path not in after
    for key, text in after.items():
        assert row.path not in text, f"{key} still links the taken-down article"
        assert "voleurs de motos" not in text, f"{key} still shows its title"
    status = store.status.of("benin-motos-godomey")
    assert status is not None and status["article"]["status"] == "taken_down"
    assert store.takedowns.active("benin-motos-godomey") == {
        "at": status["article"]["taken_down_at"], "by": "chef-edition", "reason": "demande de la justice"
    }  # fmt: skip

    # a second takedown changes nothing
    again = takedown("benin-motos-godomey", reason="demande de la justice", by="chef-edition", config=config)
    assert not again["newly_taken_down"] and again["updated"] == 0 and again["removed"] == []

    # filing it again is refused, with a clear reason, and nothing is published
    inbox.file(SAMPLES_DIR / "benin-motos-godomey.md")
    refiled = _run(config, "refile")
    assert refiled["ingest"]["quarantined"] == ["benin-motos-godomey.md"]
    report = (config.quarantine_dir / "benin-motos-godomey.md.report.json").read_text(encoding="utf-8")
    assert "taken down" in report and "newsroom restore" in report
    assert row.path not in bucket_for(config).listing()

    # restored: live again with the next run (the safety net picks it up as due)
    assert store.takedowns.restore("benin-motos-godomey", by="chef-edition", now=utcnow())
    _run(config, "restored")
    assert row.path in bucket_for(config).listing()
    assert store.articles.records(["benin-motos-godomey"])["benin-motos-godomey"].status == "published"


def test_takedown_of_an_unknown_id_is_a_clear_error(s3_config: NewsroomConfig) -> None:
    with pytest.raises(KeyError):
        takedown("nope", reason="x", by="y", config=s3_config)


ARTICLE = "benin-motos-godomey"


def test_a_tag_left_with_no_article_loses_its_pages_and_feeds_until_restored(
    s3_config: NewsroomConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = s3_config
    inbox = Inbox(config, files_for(config))
    for sample in sorted(SAMPLES_DIR.glob("*.md")):
        inbox.file(sample)
    _run(config, "first")
    store = open_store(config)
    now = utcnow()
    tags = [t.slug for t in store.enrichments.tags_of([ARTICLE])[ARTICLE]]
    own = [slug for slug in tags if store.listings.ids(now, tag=slug) == [ARTICLE]]
    shared = [slug for slug in tags if slug not in own]
    assert own and shared, tags  # godomey is this article's alone; benin is everyone's

    def tag_keys(keys: Iterable[str]) -> set[str]:
        return {k for k in keys if any(k.startswith(f"tag/{slug}/") for slug in own)}

    before = _bucket_text(config)
    published = tag_keys(before)
    assert {f"tag/{slug}/{name}" for slug in own for name in ("index.html", "feed.xml", "atom.xml")} <= published
    assert all(f"tag/{slug}/index.html" in before["sitemaps/pages.xml"] for slug in own)

    invalidated: list[str] = []

    def invalidate(_config: NewsroomConfig, keys: list[str], reference: str) -> list[str]:
        invalidated.extend(keys)  # what the CDN would be told
        return []

    monkeypatch.setattr("newsroom.phases.ingest.invalidate", invalidate)
    result = takedown(ARTICLE, reason="demande de la justice", by="chef-edition", config=config)
    after = _bucket_text(config)
    assert not tag_keys(after), "the emptied tags' pages and feeds are deleted from the bucket"
    assert published <= set(result["removed"]) and published <= set(invalidated)  # listed, and the CDN told
    assert not tag_keys(store.objects.get())  # and forgotten in our records
    assert not any(f"tag/{slug}/" in after["sitemaps/pages.xml"] for slug in own)
    assert all(f"tag/{slug}/index.html" in after for slug in shared)  # tags other articles carry stay
    for key, text in after.items():
        if key.endswith(("feed.xml", "atom.xml")):
            assert "1970" not in text, f"{key} is dated 1970"

    again = takedown(ARTICLE, reason="demande de la justice", by="chef-edition", config=config)
    assert again["removed"] == [] and again["updated"] == 0  # a rerun changes nothing
    rebuilt = publish_build(render([], "rebuild", full=True, config=config)["build"], config)
    assert (rebuilt["removed"], rebuilt["uploaded"]) == ([], 0)  # nor does the whole site's rebuild

    assert store.takedowns.restore(ARTICLE, by="chef-edition", now=utcnow())
    _run(config, "restored")
    back = _bucket_text(config)
    assert tag_keys(back) == published
    assert all(f"tag/{slug}/index.html" in back["sitemaps/pages.xml"] for slug in own)


def test_the_site_rebuild_deletes_the_pages_of_tags_no_live_article_carries(s3_config: NewsroomConfig) -> None:
    """What an older takedown left behind (an emptied tag's page and feeds) goes with the next ``newsroom publish``."""
    config = s3_config
    inbox = Inbox(config, files_for(config))
    for sample in sorted(SAMPLES_DIR.glob("*.md")):
        inbox.file(sample)
    _run(config, "first")
    store = open_store(config)
    assert "tag/godomey/index.html" in bucket_for(config).listing()
    store.takedowns.take_down(ARTICLE, reason="test", by="desk", now=utcnow())  # the store only: pages left
    rebuilt = publish_build(render([], "rebuild", full=True, workers=2, config=config)["build"], config)
    assert {"tag/godomey/index.html", "tag/godomey/feed.xml", "tag/godomey/atom.xml"} <= set(rebuilt["removed"])
    assert not [k for k in bucket_for(config).listing() if k.startswith("tag/godomey/")]
