"""Rendering only what each day's articles touch ends with the same site as rendering everything."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.render.site_fixture import NOW, make_small_site


def test_pages_rendered_day_by_day_add_up_to_the_whole_site(tmp_path: Path) -> None:
    site = make_small_site(tmp_path / "state", page_size=2)
    bucket: dict[str, str] = {}
    start = NOW - timedelta(days=10)
    # day 1 fills two pages exactly; day 2 adds three pages at once (the old last page's
    # "newer" link must move from the index to the new page 3); then one a day
    days = [4, 6, 1, 1, 3]
    number = 0
    for day, count in enumerate(days):
        ids = []
        for _ in range(count):
            number += 1
            article_id = f"article-{number:03d}"
            site.file(article_id, title=f"Article {number}", published=start + timedelta(days=day, minutes=number))
            ids.append(article_id)
        for page in site.renderer(NOW).plan(ids):
            bucket[page.key] = page.md5

    whole = {key: page.md5 for key, page in site.everything(NOW).items()}
    stale = sorted(k for k in whole if bucket.get(k) != whole[k])
    assert stale == [], f"pages left stale by incremental renders: {stale}"
    assert "diplomatie/page/8.html" in whole and "diplomatie/page/9.html" not in whole  # 15 articles, 2 a page


def test_a_backdated_article_and_one_that_leaves_a_listing_leave_no_page_stale(tmp_path: Path) -> None:
    """Not only additions at the newest end: an article filed with an old date lands mid-listing and
    shifts every later page; one that moves section or loses a tag leaves listings and shifts theirs."""
    site = make_small_site(tmp_path / "state", page_size=2)
    start = NOW - timedelta(days=30)
    for number in range(1, 12):
        site.file(
            f"article-{number:03d}",
            title=f"Article {number}",
            published=start + timedelta(days=number),
            tags=(("benin", "Bénin"), ("mali", "Mali")),
        )
    bucket = {key: page.md5 for key, page in site.everything(NOW).items()}

    site.file(
        "article-old", title="Article ancien", published=start + timedelta(days=3, hours=12), tags=(("niger", "Niger"),)
    )
    moved = site.file(
        "article-004",
        title="Article 4",
        published=start + timedelta(days=4),
        section="economie",
        tags=(("mali", "Mali"),),
        at=NOW - timedelta(hours=1),
    )
    assert moved.version == 2
    for page in site.renderer(NOW).plan(["article-old", "article-004"], extra_tags=["benin"]):
        bucket[page.key] = page.md5

    whole = {key: page.md5 for key, page in site.everything(NOW).items()}
    stale = sorted(k for k in whole if bucket.get(k) != whole[k])
    assert stale == [], f"pages left stale by the incremental render: {stale}"
    # "benin" lost article 4 and gained nothing: all its pages shifted
    assert "tag/benin/page/5.html" in whole and "tag/benin/page/6.html" not in whole
