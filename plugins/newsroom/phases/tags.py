"""An editor's decision on a tag enrichment created, then the pages it changes.

Called by ``newsroom tags approve|block|merge|rename``; the registry's rules
live in :mod:`newsroom.store.tag_registry`, this flow re-renders and uploads
what a decision changes (through :mod:`newsroom.phases.ingest`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from newsroom.config import NewsroomConfig, get_config
from newsroom.contracts import ReviewResult
from newsroom.enrich import load_taxonomy, write_review_file
from newsroom.phases.ingest import publish_build, render
from newsroom.resources import files_for, open_store
from newsroom.store import Store, utcnow
from newsroom.store.tag_registry import ReviewError, TagInfo
from newsroom.text import slugify

log = logging.getLogger(__name__)


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
    progress: bool = False,
) -> ReviewResult:
    """An editor's decision on a tag enrichment created (``newsroom tags``), then the pages it changes.

    ``approve`` changes no page. ``block`` takes the tag off every article and its
    names never tag again; ``merge`` moves its articles and names to ``into`` (a
    taxonomy tag or another created one); ``rename`` gives it a new name (and, when
    the slug changes, a new URL). The affected article pages and tag listings are
    re-rendered and uploaded; a merged or renamed tag's old URLs become redirects to
    the new listing, its feeds list the new tag's articles. Raises ``ReviewError``.
    ``progress``: the re-render and the uploads counted on stderr (on a terminal).
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
    result: ReviewResult = {"action": action, "tag": slug, "articles": affected, "uploaded": 0}
    if affected or action != "approve":
        run_id = f"tags-{action}-{slug}-{now:%Y%m%dT%H%M%S}"
        rendered = render(affected, run_id, previous_tags=touched, config=config, now=now, progress=progress)
        result["uploaded"] = publish_build(rendered["build"], config, now=now, progress=progress)["uploaded"]
    write_review_file(store, files_for(config), config.enrich.review_min_articles)
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
