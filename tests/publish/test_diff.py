"""The publish diff (pure) and real uploads to SeaweedFS: only what changed, in order, with headers."""

from __future__ import annotations

import hashlib

import pytest

from newsroom.config import NewsroomConfig
from newsroom.publish.s3 import ORDER, Planned, plan_uploads, publish
from newsroom.render import Page
from newsroom.store import Store


def _planned(key: str, body: bytes, kind: str, article_id: str | None = None) -> Planned:
    page = Page(key, body, kind, article_id)
    return Planned(key, page.md5, len(body), kind, article_id, lambda: body)


def test_plan_uploads_skips_unchanged_and_orders_pages_before_indexes() -> None:
    items = [
        _planned("index.html", b"home", "home"),
        _planned("diplomatie/index.html", b"section", "section"),
        _planned("tag/mali/index.html", b"tag", "tag"),
        _planned("2025/06/23/a.html", b"a", "article", "a"),
        _planned("2025/06/23/b.html", b"b", "article", "b"),
        _planned("static/style.0123456789.css", b"css", "static"),
    ]
    current = {"2025/06/23/b.html": (hashlib.md5(b"b").hexdigest(), 1)}
    todo, unchanged = plan_uploads(items, current)
    assert unchanged == 1
    assert [p.key for p in todo] == [
        "static/style.0123456789.css",
        "2025/06/23/a.html",
        "tag/mali/index.html",
        "diplomatie/index.html",
        "index.html",
    ]
    assert [ORDER.index(p.kind) for p in todo] == sorted(ORDER.index(p.kind) for p in todo)


def test_plan_uploads_sees_a_size_change_with_the_same_md5_claim() -> None:
    item = _planned("a.html", b"abc", "article")
    todo, unchanged = plan_uploads([item], {"a.html": (item.md5, 999)})
    assert [p.key for p in todo] == ["a.html"] and unchanged == 0


@pytest.mark.e2e
def test_publish_to_seaweedfs_uploads_only_what_changed(s3_config: NewsroomConfig, store: Store) -> None:
    from newsroom.resources import bucket_for

    bucket = bucket_for(s3_config)
    bucket.ensure_bucket()
    body = "<!DOCTYPE html><p>Bénin</p>".encode()
    items = [
        _planned("2025/06/23/a.html", body, "article", "a"),
        _planned("index.html", b"<!DOCTYPE html><p>home</p>", "home"),
        _planned("static/style.abc.css", b"body{}", "static"),
    ]
    first = publish(items, store, bucket)
    assert sorted(first.uploaded) == sorted(p.key for p in items) and first.unchanged == 0

    head = bucket.client.head_object(Bucket=s3_config.storage.bucket, Key="2025/06/23/a.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert "max-age=300" in head["CacheControl"]
    css = bucket.client.head_object(Bucket=s3_config.storage.bucket, Key="static/style.abc.css")
    assert css["ContentType"] == "text/css; charset=utf-8" and "immutable" in css["CacheControl"]
    assert bucket.get("2025/06/23/a.html")["Body"].read() == body

    again = publish(items, store, bucket)
    assert again.uploaded == [] and again.unchanged == 3

    changed = [*items[:1], _planned("index.html", b"<!DOCTYPE html><p>home v2</p>", "home"), items[2]]
    third = publish(changed, store, bucket)
    assert third.uploaded == ["index.html"] and third.unchanged == 2

    # --verify compares with the bucket itself: an object deleted behind our back is uploaded again
    bucket.delete(["static/style.abc.css"])
    assert publish(changed, store, bucket).uploaded == []
    assert publish(changed, store, bucket, verify=True).uploaded == ["static/style.abc.css"]
