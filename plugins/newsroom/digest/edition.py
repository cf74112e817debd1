"""One day's edition on disk and in the bucket: its build folder, its pages' upload, their refresh.

:func:`build_digest` renders a day's digest (:class:`~newsroom.digest.build.DigestBuilder`)
into its build folder (:class:`~newsroom.publish.build.BuildFolder` under
``<state>/build/digest/<date>/``: ``email.html``, ``email.txt``, the web pages
under ``files/``, and the manifest's ``meta``: subject, preheader, article
ids and URLs); :func:`publish_pages` uploads the day's page, then the archive
index; :func:`refresh_editions` re-renders the published pages that list some
articles (a takedown). Called by ``newsroom.phases.digest`` and
``newsroom.phases.takedown``; the handles (store, bucket) come from there.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from newsroom.config import NewsroomConfig
from newsroom.contracts import BuiltDigest, PublishedPages, RefreshedEditions
from newsroom.digest.build import ARCHIVE_KEY, DigestBuilder, page_key
from newsroom.files import Files
from newsroom.publish.build import BuildFolder, hand_over, take_over
from newsroom.publish.s3 import BucketClient, publish
from newsroom.store import Store, utcnow

log = logging.getLogger(__name__)


def _md5(*parts: str | bytes) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
    return digest.hexdigest()


def build_folder(config: NewsroomConfig, day: date) -> Path:
    return config.build_dir / "digest" / day.isoformat()


def build_digest(
    config: NewsroomConfig, day: date, *, store: Store, now: datetime | None = None, files: Files | None = None
) -> BuiltDigest:
    """Render ``day``'s digest into its build folder; return small JSON for the next tasks.

    ``files``: the next tasks may run on other workers: the build is handed over through the
    newsroom's files and ``build`` is its key (else the folder's path, for this process)."""
    now = now or utcnow()
    builder = DigestBuilder(config, store, now)
    content = builder.content(day)
    edition = builder.ledger.edition(day.isoformat())
    already_up = edition is not None and edition.page_published_at is not None
    # a page once published is kept up to date (e.g. after a takedown), even if the day is now empty
    publishable = config.digest.enabled and (bool(content.items) or config.digest.send_empty or already_up)
    html = builder.email_html(content)
    text = builder.email_text(content)
    pages = [builder.web_page(content), builder.archive_page(content if publishable else None)]
    content_md5 = _md5(content.subject, html, text)
    meta = {
        "date": day.isoformat(),
        "subject": content.subject,
        "preheader": content.preheader,
        "articles": len(content.items),
        "article_ids": [i.id for i in content.items],
        "urls": [i.url for i in content.items],
        "web_url": builder.renderer.url_of(page_key(day)),
        "content_md5": content_md5,
        "publishable": publishable,
    }
    folder = BuildFolder(build_folder(config, day))
    folder.write(pages, meta=meta, texts={"email.html": html, "email.txt": text})
    builder.ledger.record_edition(day.isoformat(), content.subject, [i.id for i in content.items], content_md5, now)
    log.info("Digest %s: %d article(s), %d top, built in %s", day, len(content.items), len(content.top), folder.path)
    return {
        "date": day.isoformat(),
        "build": hand_over(folder, files, config.state_dir) if files is not None else str(folder.path),
        "articles": len(content.items),
        "subject": content.subject,
        "publishable": publishable,
    }


def load_built(
    built: BuiltDigest, config: NewsroomConfig, files: Files | None = None
) -> tuple[dict[str, Any], str, str]:
    """(meta, html, text) of a digest's build folder (handed over through ``files`` when given)."""
    folder = _built_folder(built, config, files)
    return folder.meta(), folder.text("email.html"), folder.text("email.txt")


def _built_folder(built: BuiltDigest, config: NewsroomConfig, files: Files | None) -> BuildFolder:
    return BuildFolder(built["build"]) if files is None else take_over(built["build"], files, config.state_dir)


def publish_pages(
    config: NewsroomConfig,
    built: BuiltDigest,
    *,
    store: Store,
    bucket: BucketClient,
    now: datetime | None = None,
    files: Files | None = None,
) -> PublishedPages:
    """Upload the day's page, then the archive index, each only if its bytes changed."""
    folder = _built_folder(built, config, files)
    meta = folder.meta()
    if not meta["publishable"]:
        log.info("Digest %s: no articles, no page to publish", meta["date"])
        return {"date": meta["date"], "uploaded": 0, "unchanged": 0, "published": False}
    uploaded = unchanged = 0
    keys: list[str] = []
    # the day's page first, then the index that links it: never a link to a missing page
    for item in sorted(folder.planned(), key=lambda p: p.key == ARCHIVE_KEY):
        result = publish([item], store, bucket, workers=1)
        uploaded += len(result.uploaded)
        unchanged += result.unchanged
        keys.extend(result.uploaded)
    store.digests.page_published(meta["date"], now or utcnow())
    log.info("Digest %s: page published (%d uploaded, %d unchanged)", meta["date"], uploaded, unchanged)
    return {"date": meta["date"], "uploaded": uploaded, "unchanged": unchanged, "keys": keys, "published": True}


def refresh_editions(
    config: NewsroomConfig,
    article_ids: Sequence[str],
    *,
    store: Store,
    bucket: BucketClient,
    now: datetime | None = None,
) -> RefreshedEditions:
    """Re-render and re-upload the published digest pages that list any of these articles.

    For a takedown (or a correction of a title): the pages then show the state of now; the emails
    already sent cannot be recalled.
    """
    now = now or utcnow()
    days = store.digests.editions_listing(article_ids)
    uploaded: list[str] = []
    for iso in days:
        built = build_digest(config, date.fromisoformat(iso), now=now, store=store)
        uploaded += publish_pages(config, built, store=store, bucket=bucket, now=now).get("keys", [])
    return {"dates": days, "uploaded": uploaded}
