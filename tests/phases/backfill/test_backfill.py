"""The backfill's phases end to end (inline, as each DAG task runs them) against a real SeaweedFS bucket."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from newsroom.config import NewsroomConfig
from newsroom.distribute.planner import plan_deliveries
from newsroom.phases import backfill
from newsroom.resources import open_store
from newsroom.store import utcnow
from tests.support.backfill import archive, bucket_objects, day_keys


def test_backfill_publishes_every_article_silently_and_listings_once_per_range(
    backfill_config: NewsroomConfig, puts: Callable[[], Counter[str]]
) -> None:
    config = backfill_config
    days = archive(config)
    files = {d: day_keys(config, d) for d in days}
    assert len(days) >= 3 and sum(len(f) for f in files.values()) == 48

    result = backfill.run_days(config, days[0], days[-1])

    store = open_store(config)
    rows = store.articles.records(store.articles.all_ids())
    assert len(rows) == 48 and result["articles"] == 48 and not result["quarantined"]
    objects = bucket_objects(config)
    for row in rows.values():
        assert row.status == "published"
        assert row.path in objects, row.path
        # went live when first published (long ago), so nothing announces it
        assert row.went_live_at == row.published
    assert {"index.html", "sitemap.xml", "news/index.html", "feed.xml"} <= set(objects)
    assert any(k.startswith("tag/") for k in objects)
    # a day in batches of 10; the listings and home rendered once for the range, not per day, article or batch
    busiest = max(days, key=lambda d: len(files[d]))
    assert len(files[busiest]) > 10
    for run in result["runs"]:
        assert len(run["batches"]) == -(-len(files[next(d for d in days if d.isoformat() == run["day"])]) // 10)
    uploads = puts()
    assert uploads["index.html"] == 1
    assert [run["listings"]["deferred"] for run in result["runs"]] == [True] * (len(days) - 1) + [False]
    assert max(uploads.values()) <= 2, "an article page again at most once: when a later one relates to it"

    ledger = store.deliveries
    planned = plan_deliveries(config, store, ledger, config.channels, utcnow())
    assert planned == {}, "a backfill must not announce anything"
    assert store.articles.due(utcnow()) == []


def test_second_backfill_changes_nothing_and_a_template_change_uploads_only_changed_pages(
    backfill_config: NewsroomConfig, puts: Callable[[], Counter[str]], tmp_path: Path
) -> None:
    config = backfill_config
    days = archive(config, count=30)
    backfill.run_days(config, days[0], days[-1])
    before = bucket_objects(config)
    puts()

    again = backfill.run_days(config, days[0], days[-1])
    assert again["changed"] == 0 and again["uploaded"] == 0
    # nothing new and the same templates: not even rendered
    assert all(b["skipped"] and b["pages"] == 0 for run in again["runs"] for b in run["batches"])
    assert all(run["listings"]["pages"] == 0 for run in again["runs"])
    assert puts() == Counter()
    assert bucket_objects(config) == before

    # the article template changes (a newsroom adds a line to every article page)
    templates = tmp_path / "templates"
    shutil.copytree(config.templates_path, templates)
    shutil.copytree(config.templates_path.parent / "static", tmp_path / "static")
    page = templates / "article.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", "<p>Archives</p></article>", 1))
    assert "<p>Archives</p>" in page.read_text(encoding="utf-8")
    changed = config.model_copy(update={"templates": str(templates)})
    reprocessed = backfill.run_days(changed, days[0], days[-1])

    after = bucket_objects(config)
    uploaded = set(puts())
    article_keys = {
        row.path for row in open_store(config).articles.records(open_store(config).articles.all_ids()).values()
    }
    assert uploaded == article_keys, "only the article pages' bytes changed"
    assert reprocessed["changed"] == 0
    assert {k for k in after if after[k] != before.get(k)} == article_keys
    assert set(after) == set(before)
