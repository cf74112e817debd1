"""The pipeline's phases, one function per DAG task.

Called by ``dags/ingest_articles.py`` and ``dags/rebuild_site.py`` (one call
per task body) and by the CLI. Each takes and returns small JSON values
(ids, counts, a build folder), never whole articles or pages, so XCom stays
small. Each is safe to re-run: ingest only stores new versions, render
writes a fresh build folder for its run, publish uploads only what differs.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from newsroom.config import NewsroomConfig, get_config
from newsroom.enrich import Enricher, enrich_articles, load_taxonomy, write_review_file
from newsroom.enrich.topics import TopicModel
from newsroom.ingest import Inbox
from newsroom.publish.cdn import invalidate
from newsroom.publish.s3 import BucketClient, Planned, publish
from newsroom.render import Page, SiteRenderer
from newsroom.render.page import write_files
from newsroom.store import Store, utcnow
from newsroom.store.tag_registry import ReviewError, TagInfo
from newsroom.text import slugify

log = logging.getLogger(__name__)


def open_store(config: NewsroomConfig) -> Store:
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return Store.from_url(config.database_url())


def bucket_for(config: NewsroomConfig) -> BucketClient:
    return BucketClient.from_connection(config.storage.conn_id, config.storage.bucket, config.storage.prefix)


def ingest(
    config: NewsroomConfig | None = None, *, limit: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Read the inbox; return the ids to process (new versions, and scheduled ones now due)."""
    config = config or get_config()
    store = open_store(config)
    outcome = Inbox(config).process(store, limit=limit)
    due = store.articles.due(now or utcnow())
    ids = list(dict.fromkeys([*outcome.changed_ids, *due]))
    log.info(
        "Ingest: %d new version(s), %d unchanged, %d quarantined, %d due",
        len(outcome.changed_ids),
        len(outcome.unchanged),
        len(outcome.quarantined),
        len(due),
    )
    return {"ids": ids, "quarantined": outcome.quarantined, "unchanged": outcome.unchanged}


def make_enricher(config: NewsroomConfig, *, ner: bool = True) -> Enricher:
    section_topics = {s.slug: s.iptc or _parent_iptc(config, s.slug) for s in config.sections}
    return Enricher(
        load_taxonomy(config.taxonomy_path),
        section_topics,
        model=config.enrich.model,
        batch_size=config.enrich.batch_size,
        max_chars=config.enrich.max_chars,
        ner=ner,
        publication=[config.site.name],
        topic_model=TopicModel.load(config.topic_model_path),
    )


def _parent_iptc(config: NewsroomConfig, slug: str) -> str | None:
    parent = config.section(slug).parent
    return config.section(parent).iptc if parent else None


def enrich(ids: Sequence[str], config: NewsroomConfig | None = None, *, now: datetime | None = None) -> dict[str, Any]:
    """Tags, topics, keywords, related links; also the tags the articles held before (their pages change too)."""
    config = config or get_config()
    store = open_store(config)
    before = {t.slug for tags in store.enrichments.tags_of(ids).values() for t in tags}
    batch = config.enrich.batch_size * 2
    done = enrich_articles(store, make_enricher(config), list(ids), now or utcnow(), batch_size=batch)
    proposals = write_review_file(store, config.review_file, config.enrich.review_min_articles)
    log.info("Enrich: %d article(s); %d created tags wait for review (%s)", len(done), proposals, config.review_file)
    return {"ids": done, "previous_tags": sorted(before)}


def _run_folder(config: NewsroomConfig, run_id: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)[:150]
    return config.build_dir / "runs" / safe


def write_pages(pages: Iterable[Page], folder: Path, changed: Sequence[str]) -> dict[str, Any]:
    """Write pages under ``folder/files`` and a manifest; a page rendered twice keeps the last."""
    if folder.exists():
        shutil.rmtree(folder)
    entries = {entry["key"]: entry for entry in write_files(pages, folder / "files")}
    return write_manifest(folder, list(entries.values()), changed)


def write_manifest(folder: Path, entries: Sequence[dict[str, Any]], changed: Sequence[str]) -> dict[str, Any]:
    manifest = {"changed": list(changed), "objects": list(entries)}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return {"build": str(folder), "pages": len(entries), "changed": len(changed)}


def render(
    ids: Sequence[str],
    run_id: str,
    *,
    previous_tags: Sequence[str] = (),
    full: bool = False,
    workers: int = 1,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Render the pages the changed articles touch (or the whole site, on ``workers`` cores) into a build folder."""
    config = config or get_config()
    store = open_store(config)
    now = now or utcnow()
    if full and workers > 1:
        from newsroom.render.parallel import render_site

        folder = _run_folder(config, run_id)
        shutil.rmtree(folder, ignore_errors=True)
        result = write_manifest(folder, render_site(config, store, now, folder / "files", workers), ids)
    else:
        renderer = SiteRenderer(config, store, now)
        pages = renderer.everything() if full else renderer.plan(ids, previous_tags)
        result = write_pages(pages, _run_folder(config, run_id), ids)
    live = store.articles.live_ids(ids, now)
    waiting = store.articles.waiting_ids(ids, now)
    store.articles.mark(sorted(live), "rendered", now)
    store.articles.mark(waiting, "scheduled", now, "waiting for publish_at / embargo_until")
    log.info("Render: %d page(s) into %s", result["pages"], result["build"])
    return result


def publish_build(
    build: str, config: NewsroomConfig | None = None, *, verify: bool = False, now: datetime | None = None
) -> dict[str, Any]:
    """Upload what changed from a build folder, then mark its articles published."""
    config = config or get_config()
    store = open_store(config)
    folder = Path(build)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = folder / "files"
    planned = [
        Planned(o["key"], o["md5"], o["size"], o["kind"], o["article_id"], (files / o["key"]).read_bytes)
        for o in manifest["objects"]
    ]
    bucket = bucket_for(config)
    bucket.ensure_bucket()
    result = publish(planned, store, bucket, workers=config.storage.upload_workers, verify=verify)
    now = now or utcnow()
    published_ids = sorted({o["article_id"] for o in manifest["objects"] if o["article_id"]} & set(manifest["changed"]))
    uploaded = set(result.uploaded)
    for article_id in published_ids:
        keys = [o["key"] for o in manifest["objects"] if o["article_id"] == article_id]
        detail = ", ".join(f"{k} ({'uploaded' if k in uploaded else 'unchanged'})" for k in keys)
        store.articles.mark([article_id], "published", now, detail)
    invalidations = invalidate(config, result.uploaded, reference=folder.name)
    shutil.rmtree(folder, ignore_errors=True)
    return {**result.as_dict(), "articles": len(published_ids), "cdn_invalidations": len(invalidations)}


def process(config: NewsroomConfig | None = None, *, run_id: str, now: datetime | None = None) -> dict[str, Any]:
    """The ingest DAG once, inline: ingest; then, if anything is new or due, enrich, render, publish.

    Called by ``newsroom process`` and the tests that run the pipeline without Airflow.
    """
    config = config or get_config()
    filed = ingest(config, now=now)
    if not filed["ids"]:
        return {"ingest": filed}  # where the DAG's ingest task short-circuits
    enriched = enrich(filed["ids"], config, now=now)
    rendered = render(enriched["ids"], run_id, previous_tags=enriched["previous_tags"], config=config, now=now)
    return {"ingest": filed, "render": rendered, "publish": publish_build(rendered["build"], config, now=now)}


def takedown(
    article_id: str, *, reason: str, by: str, config: NewsroomConfig | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Take an article down everywhere: its page, listings, feeds, sitemaps, related links, CDN,
    and its social posts where the platform allows deleting them (:func:`retract_posts`).

    Idempotent: a second call re-renders nothing new and deletes nothing more.
    """
    config = config or get_config()
    store = open_store(config)
    now = now or utcnow()
    newly = store.takedowns.take_down(article_id, reason=reason, by=by, now=now)
    rendered = render([article_id], f"takedown-{article_id}-{now:%Y%m%dT%H%M%S}", config=config, now=now)
    published = publish_build(rendered["build"], config)
    bucket = bucket_for(config)
    keys = sorted(k for k, o in store.objects.get().items() if o.article_id == article_id)
    outbox = sorted(k for k in bucket.listing() if k.startswith("_outbox/") and f"/{article_id}/" in k)
    bucket.delete([*keys, *outbox])
    store.objects.forget(keys)
    store.takedowns.record_removed(article_id, [*keys, *outbox])
    from newsroom.digest import refresh_editions

    digest_pages = refresh_editions(config, [article_id], now=now, store=store, bucket=bucket)["uploaded"]
    invalidations = invalidate(config, [*keys, *digest_pages], reference=f"takedown-{article_id}-{now.isoformat()}")
    log.warning("Took down %s (%s): removed %s", article_id, reason, ", ".join(keys) or "nothing")
    social = retract_posts(article_id, config, store=store)
    return {
        "article": article_id,
        "newly_taken_down": newly,
        "removed": [*keys, *outbox],
        "updated": published["uploaded"] + len(digest_pages),
        "cdn_invalidations": published["cdn_invalidations"] + len(invalidations),
        **social,
    }


REVIEW_ACTIONS = ("approve", "block", "merge", "rename")


def review_tag(
    action: str,
    slug: str,
    *,
    by: str,
    into: str | None = None,
    name: str | None = None,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """An editor's decision on a tag enrichment created (``newsroom tags``), then the pages it changes.

    ``approve`` changes no page. ``block`` takes the tag off every article and its
    names never tag again; ``merge`` moves its articles and names to ``into`` (a
    taxonomy tag or another created one); ``rename`` gives it a new name (and, when
    the slug changes, a new URL). The affected article pages and tag listings are
    re-rendered and uploaded; a merged or renamed tag's old URLs become redirects to
    the new listing, its feeds list the new tag's articles. Raises ``ReviewError``.
    """
    config = config or get_config()
    store = open_store(config)
    now = now or utcnow()
    registry = store.registry
    touched = [slug]
    if action == "approve":
        affected = registry.approve(slug, by=by, now=now)
    elif action == "block":
        affected = registry.block(slug, by=by, now=now)
    elif action == "merge":
        if not into:
            raise ReviewError("merge needs the tag to merge into (--into)")
        target = _tag_info(config, store, into)
        affected = registry.merge(slug, target, by=by, now=now)
        touched.append(target.slug)
    elif action == "rename":
        new_name = " ".join((name or "").split())
        new_slug = slugify(new_name)
        if not new_slug:
            raise ReviewError("rename needs a new name (--name)")
        taken = new_slug in load_taxonomy(config.taxonomy_path).entries or registry.get(new_slug) is not None
        if new_slug != slug and taken:
            raise ReviewError(f"a tag {new_slug!r} exists already: merge into it instead")
        affected = registry.rename(slug, new_name, new_slug, by=by, now=now)
        touched.append(new_slug)
    else:
        raise ReviewError(f"unknown action {action!r}: one of {', '.join(REVIEW_ACTIONS)}")
    result: dict[str, Any] = {"action": action, "tag": slug, "articles": affected, "uploaded": 0}
    if affected or action != "approve":
        run_id = f"tags-{action}-{slug}-{now:%Y%m%dT%H%M%S}"
        rendered = render(affected, run_id, previous_tags=touched, config=config, now=now)
        result["uploaded"] = publish_build(rendered["build"], config, now=now)["uploaded"]
    write_review_file(store, config.review_file, config.enrich.review_min_articles)
    log.info("Tag %s %s by %s: %d article(s) re-rendered", slug, action, by, len(affected))
    return result


def _tag_info(config: NewsroomConfig, store: Store, ref: str) -> TagInfo:
    """A merge target: a taxonomy tag (by slug, name or alias), or a tag enrichment created."""
    entry = load_taxonomy(config.taxonomy_path).lookup(ref)
    if entry is not None:
        return TagInfo(entry.slug, entry.name, entry.kind)
    found = store.registry.get(ref)
    if found is None:
        raise ReviewError(f"no tag {ref!r} to merge into: not in the taxonomy, not among the created tags")
    if found.status in ("blocked", "merged"):
        raise ReviewError(f"cannot merge into {ref!r}: it is {found.status}")
    return TagInfo(found.slug, found.name, found.kind)


def retract_posts(article_id: str, config: NewsroomConfig, *, store: Store | None = None) -> dict[str, Any]:
    """Delete the article's sent posts from their platforms; its pending deliveries are skipped.

    Each ``sent`` delivery deleted (or already gone) becomes ``retracted``; one the
    platform refuses (Telegram after 48 hours) or fails on stays ``sent`` with the
    reason "could not retract: ...". A refusal never fails the takedown.
    Returns ``{"retracted": [channel, ...], "not_retracted": {channel: reason}, "skipped": n}``.
    """
    from newsroom.channels import ChannelError, SentPost

    store = store or open_store(config)
    ledger = store.deliveries
    skipped = ledger.skip_pending(article_id, "article taken down")
    retracted: list[str] = []
    not_retracted: dict[str, str] = {}
    rows = ledger.sent_rows(article_id)
    if rows:
        from newsroom.distribute import available_channels

        adapters = available_channels(config)
        for row in rows:
            adapter = adapters.get(row.channel)
            why: str | None = None
            if adapter is None:
                why = "the channel is not configured or has no credentials"
            elif not row.remote_id:
                why = "no remote id recorded"
            else:
                details = {
                    "article_id": row.article_id,
                    "version": str(row.version),
                    "channel": row.channel,
                    "idempotency_key": row.idempotency_key,
                }
                try:
                    if not adapter.retract(SentPost(row.remote_id, row.remote_url, details)):
                        why = "the platform refused to delete it"
                except ChannelError as exc:
                    why = str(exc)
                except Exception as exc:  # a platform's surprise must not fail the takedown
                    log.exception("Retracting %s on %s failed", article_id, row.channel)
                    why = f"{type(exc).__name__}: {exc}"
            if why is None:
                ledger.retracted(row.id, "deleted from the platform: article taken down")
                retracted.append(row.channel)
            else:
                ledger.note(row.id, f"could not retract: {why}"[:1000])
                not_retracted[row.channel] = why
                log.warning("Could not retract %s on %s: %s", article_id, row.channel, why)
    return {"retracted": list(dict.fromkeys(retracted)), "not_retracted": not_retracted, "skipped_deliveries": skipped}
