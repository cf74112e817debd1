"""Tags created from the text go live at once; review (merge, rename, block) reaches the real bucket.

The samples are filed and published against SeaweedFS. The Bénin education article names
Anselme Amoussou, whom the taxonomy does not know: his tag is live on the page and has its own
listing, and waits in ``newsroom tags review``. A merge, a rename and a block then re-render
exactly the pages they touch; an old tag URL keeps working (a redirect, its feed listing the
target's articles), and no other page changes.
"""

from __future__ import annotations

import pytest

from newsroom.cli import main as cli
from newsroom.config import NewsroomConfig
from newsroom.ingest import Inbox
from newsroom.phases.ingest import process
from newsroom.phases.tags import review_tag
from newsroom.resources import bucket_for, files_for, open_store
from newsroom.store.tag_registry import ReviewError
from tests.support.paths import SAMPLES_DIR

pytestmark = pytest.mark.e2e

ARTICLE = "benin-enseignement-technique-amoussou"


def _bucket_text(config: NewsroomConfig) -> dict[str, str]:
    bucket = bucket_for(config)
    return {k: bucket.get(k)["Body"].read().decode("utf-8", "replace") for k in bucket.listing()}


def test_created_tags_are_live_then_merged_renamed_and_blocked(
    s3_config: NewsroomConfig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = s3_config
    monkeypatch.setattr("newsroom.cli.load_config", lambda path=None: config)  # the CLI on this test's bucket
    inbox = Inbox(config, files_for(config))
    for sample in sorted(SAMPLES_DIR.iterdir()):
        inbox.file(sample)
    process(config, run_id="first")
    store = open_store(config)
    page = store.articles.records([ARTICLE])[ARTICLE].path
    site = _bucket_text(config)
    assert "tag/anselme-amoussou/index.html" in site, "a created tag has its listing at once"
    assert 'rel="tag">Anselme Amoussou</a>' in site[page]
    assert "Anselme Amoussou" in site["tag/anselme-amoussou/feed.xml"]
    assert [t.slug for t in store.registry.listing()] == ["anselme-amoussou"]

    assert cli(["tags", "review"]) == 0
    listed = capsys.readouterr().out
    assert "anselme-amoussou" in listed and "Enseignement technique" in listed

    # rename: a new slug; the old URL becomes a redirect, the page shows the new name
    result = review_tag("rename", "anselme-amoussou", name="Anselme G. Amoussou", by="desk", config=config)
    assert result["articles"] == [ARTICLE]
    site = _bucket_text(config)
    assert 'rel="tag">Anselme G. Amoussou</a>' in site[page] and "tag/anselme-g-amoussou/index.html" in site
    moved = site["tag/anselme-amoussou/index.html"]
    assert 'http-equiv="refresh"' in moved and "tag/anselme-g-amoussou/index.html" in moved and "noindex" in moved
    assert "Enseignement technique" in site["tag/anselme-amoussou/feed.xml"], "the old feed lists the new tag's"

    # merge into a taxonomy tag: the article shows it once; the created tag's URLs lead there
    before = _bucket_text(config)
    result = review_tag("merge", "anselme-g-amoussou", into="Éducation", by="desk", config=config)
    site = _bucket_text(config)
    assert 'rel="tag">Anselme G. Amoussou</a>' not in site[page] and site[page].count('rel="tag">Éducation</a>') == 1
    assert "tag/education/index.html" in site["tag/anselme-g-amoussou/index.html"]
    changed = {k for k in site if site[k] != before.get(k)}
    pages = {k for k in changed if k.endswith(".html")}
    assert pages <= {page, "tag/anselme-g-amoussou/index.html", "tag/education/index.html", "index.html",
                     "education/index.html", "news/index.html"}, pages  # fmt: skip
    # (feeds carry an item's tags as categories, sitemaps its date: those of the article's listings change too)
    assert page in changed

    # a later filing naming him again joins the target, creates nothing
    refiled = (SAMPLES_DIR / "benin-enseignement-technique.md").read_text(encoding="utf-8")
    again = config.state_dir / "amoussou-encore.md"
    again.write_text(
        refiled.replace("id: benin-enseignement-technique-amoussou", "id: amoussou-encore").replace(
            'title: "Bénin – Enseignement technique:', 'title: "Bénin – Formation:'
        ),
        encoding="utf-8",
    )
    inbox.file(again)
    process(config, run_id="again")
    assert "education" in {t.slug for t in store.enrichments.tags_of(["amoussou-encore"])["amoussou-encore"]}
    assert "anselme-amoussou" not in {t.slug for t in store.enrichments.tags_of(["amoussou-encore"])["amoussou-encore"]}
    assert [t.slug for t in store.registry.listing()] == [], "nothing new waits for review"

    # block: the tag leaves the page; the name never tags again, even in a new version
    minister = config.state_dir / "kassogue.md"
    front = '---\nid: kassogue\ntitle: "Mali : Mamadou Kassogué annonce un pôle judiciaire"\nsection: diplomatie\n'
    body = "Le ministre Mamadou Kassogué a présenté le pôle.\n\nSelon Mamadou Kassogué, il ouvrira en juillet.\n"
    minister.write_text(front + "published: 2025-06-24T10:00:00+01:00\n---\n" + body, encoding="utf-8")
    inbox.file(minister)
    process(config, run_id="kassogue")
    kassogue = store.articles.records(["kassogue"])["kassogue"].path
    assert 'rel="tag">Mamadou Kassogué</a>' in _bucket_text(config)[kassogue]
    review_tag("block", "mamadou-kassogue", by="desk", config=config)
    site = _bucket_text(config)
    assert 'rel="tag">Mamadou Kassogué</a>' not in site[kassogue]
    assert not [k for k in site if k.startswith("tag/mamadou-kassogue/")], "its listing, now empty, is deleted"
    minister.write_text(
        front + "published: 2025-06-24T10:00:00+01:00\n---\n" + body + "\nMis à jour.\n", encoding="utf-8"
    )
    inbox.file(minister)
    process(config, run_id="kassogue-2")
    assert "mamadou-kassogue" not in {t.slug for t in store.enrichments.tags_of(["kassogue"])["kassogue"]}

    # wrong actions are refused in one line, nothing changes
    with pytest.raises(ReviewError):
        review_tag("block", "nobody-here", by="desk", config=config)
    assert cli(["tags", "approve", "nobody-here"]) == 1
    assert "no tag 'nobody-here'" in capsys.readouterr().err
