"""Property: nothing of an article that is not yet live is visible anywhere public.

Hypothesis draws sets of articles (sections, tags, publication times,
``publish_at`` and ``embargo_until`` around a clock time) and a clock time;
the real pipeline ingests, enriches, renders and publishes to the real
SeaweedFS at that time, and distribution plans its posts. Then every object
in the bucket (pages, listings, tag pages, feeds, sitemaps, outbox, JSON) is
read: none may contain the key, URL, title or id of an article that is not
live, and the ledger may hold no post for it. Nor may the filing API's
preview route (newsroom.web) show it without a signed link: unsigned, forged
or expired links answer 403 with nothing of the article; a signed one works.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.phases import distribute
from newsroom.phases.ingest import enrich, ingest, publish_build, render
from newsroom.preview_links import link, signature
from newsroom.resources import bucket_for, files_for, open_store
from newsroom.web.app import create_app

pytestmark = pytest.mark.e2e
BASE = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
SECTIONS = ["diplomatie", "politique", "societe", "economie"]
TAGS = ["Bénin", "Mali", "Cotonou", "Patrice Talon", "Niger", "Élections"]
COUNTER = itertools.count()
PREVIEW_SECRET = "preview-secret-of-the-property"


@pytest.fixture(scope="module", autouse=True)
def preview_secret() -> Iterator[None]:
    key = "AIRFLOW_CONN_NEWSROOM_PREVIEW"
    previous = os.environ.get(key)
    os.environ[key] = json.dumps({"conn_type": "http", "password": PREVIEW_SECRET})
    yield
    if previous is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = previous


offsets = st.one_of(st.none(), st.integers(min_value=-180, max_value=180))
article = st.fixed_dictionaries(
    {
        "section": st.sampled_from(SECTIONS),
        "tags": st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True),
        "age_minutes": st.integers(min_value=5, max_value=600),
        "publish_at": offsets,
        "embargo": offsets,
    }
)


def _write(folder: Path, index: int, spec: dict[str, Any]) -> tuple[str, str, datetime | None]:
    """A Markdown filing; returns (id, title, when it becomes visible)."""
    article_id = f"art-{index}-{next(COUNTER)}"
    title = f"Titre unique {article_id.replace('-', ' ')} zq{index}"
    front = [
        f"id: {article_id}",
        f'title: "{title}"',
        f"section: {spec['section']}",
        f"published: {(BASE - timedelta(minutes=spec['age_minutes'])).isoformat()}",
        f"tags: [{', '.join(spec['tags'])}]",
    ]
    visible = []
    publish_at = spec["publish_at"]
    embargo = spec["embargo"]
    if publish_at is not None:
        when = BASE + timedelta(minutes=publish_at)
        front.append(f"publish_at: {when.isoformat()}")
        visible.append(when)
    if embargo is not None:
        when = BASE + timedelta(minutes=embargo)
        if publish_at is not None and when < BASE + timedelta(minutes=publish_at):
            when = BASE + timedelta(minutes=publish_at)  # an earlier embargo is refused at filing
        front.append(f"embargo_until: {when.isoformat()}")
        visible.append(when)
    body = f"Le président Patrice Talon a reçu à Cotonou une délégation du Niger. Article {article_id}.\n"
    (folder / f"{article_id}.md").write_text("---\n" + "\n".join(front) + "\n---\n" + body, encoding="utf-8")
    return article_id, title, max(visible) if visible else None


def _get(app: object, path: str) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://preview.test") as client:
            return await client.get(path)

    return asyncio.run(call())


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(specs=st.lists(article, min_size=2, max_size=6), clock_minutes=st.integers(min_value=-120, max_value=120))
def test_nothing_of_an_unpublished_article_is_visible(
    s3_config: NewsroomConfig, tmp_path_factory: pytest.TempPathFactory, specs: list[dict[str, Any]], clock_minutes: int
) -> None:
    example = next(COUNTER)
    folder = tmp_path_factory.mktemp(f"embargo-{example}")
    state = folder / "state"
    prefix = f"ex{example}/"
    config = s3_config.model_copy(
        update={
            "state_dir": state,
            "storage": s3_config.storage.model_copy(update={"prefix": prefix}),
            "channels": [c for c in s3_config.channels if c.type == "outbox"],
        }
    )
    now = BASE + timedelta(minutes=clock_minutes)
    filings = folder / "filings"
    filings.mkdir()
    articles = [_write(filings, i, spec) for i, spec in enumerate(specs)]
    inbox = Inbox(config, files_for(config))
    for path in sorted(filings.iterdir()):
        inbox.file(path)

    filed = ingest(config, now=now)
    enriched = enrich(filed["ids"], config, now=now)
    rendered = render(enriched["ids"], f"ex{example}", full=True, config=config, now=now)
    publish_build(rendered["build"], config, now=now)
    distribute.plan(config, now=now)
    distribute.send("outbox", config, now=now)

    bucket = bucket_for(config)
    objects = {key: bucket.get(key)["Body"].read().decode("utf-8", "replace") for key in bucket.listing()}
    store = open_store(config)
    rows = store.articles.records(a[0] for a in articles)
    ledger = store.deliveries
    hidden = [(i, t) for i, t, visible in articles if visible is not None and visible > now]
    shown = [(i, t) for i, t, visible in articles if visible is None or visible <= now]
    for article_id, title in hidden:
        page = rows[article_id].path
        assert page not in objects, f"{article_id}: its page is public before {now}"
        for key, text in objects.items():
            for needle in (page, title, article_id):
                assert needle not in text, f"{key} shows {needle!r} of an article not live at {now}"
        assert ledger.rows(article_id) == [], f"{article_id}: a post was planned before it was live"
    app = create_app(lambda: config, local_all_admins=lambda: False)
    soon, gone = int(time.time()) + 600, int(time.time()) - 1
    for article_id, title in hidden:
        v = rows[article_id].version
        for url in (
            f"/preview/{article_id}",
            f"/preview/{article_id}?v={v}&exp={soon}&sig={signature('not-the-secret', article_id, v, soon)}",
            f"/preview/{article_id}?v={v}&exp={gone}&sig={signature(PREVIEW_SECRET, article_id, v, gone)}",
        ):
            answer = _get(app, url)
            assert answer.status_code == 403 and title not in answer.text, f"{url} shows {article_id}"
        signed = _get(app, link("", PREVIEW_SECRET, article_id, v, soon))
        assert signed.status_code == 200 and title in signed.text and "noindex" in signed.headers["x-robots-tag"]
    for article_id, title in shown:  # and what is live is there (the property is not vacuous)
        assert rows[article_id].path in objects
        assert any(title in text for key, text in objects.items() if key.endswith("index.html"))
