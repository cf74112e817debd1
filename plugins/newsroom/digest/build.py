"""Build one day's digest: pick the articles, rank them, render the email and the web page.

The digest of a date is every article *published* on that calendar day in
the site's time zone that is live now: it went live (``went_live_at`` is
set, so its page is in the bucket), it is not taken down, and any
``publish_at`` / embargo has passed. Articles are grouped by their section in
the configuration's order; the ``digest.top_stories`` best-scored ones come
first, under "À la une", and are not repeated in their section.

The score is deliberately simple and explainable::

    score = 3 × min(links from other live articles, 3)   # a story the coverage keeps pointing to
          + 2 if it has an image                         # it will carry the top of the email
          + 1 if it has a summary                        # it can be teased in two lines

Ties go to the most recent, then to the id, so the order is stable.

Outputs (a build folder per date, ``<state>/build/digest/<date>/``):
``email.html`` (CSS written in the template's ``<style>`` and inlined with
css-inline), ``email.txt``, ``meta.json`` (subject, preheader, article ids
and URLs), and ``files/digest/<date>/index.html`` + ``files/digest/index.html``
(the web page, extending ``base.html``, and the archive of editions). Like
the site, nothing here depends on the clock except visibility: the same
state renders the same bytes, so republishing uploads nothing.

Called by ``dags/daily_digest.py`` (``build`` and ``publish_page``); sending
is ``newsroom.digest.send``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import css_inline
from babel.dates import format_date, format_datetime

from newsroom.config import NewsroomConfig, get_config
from newsroom.models import ArticleRecord
from newsroom.publish.s3 import BucketClient, Planned, publish
from newsroom.render import Page, SiteRenderer
from newsroom.render.environment import get_template, make_text_environment
from newsroom.render.urls import HOME, safe_key, section_key
from newsroom.store import Store, utcnow

log = logging.getLogger(__name__)

MAX_AGE_DAYS = 2  # a digest date older than this is never sent without force_send
ARCHIVE_KEY = "digest/index.html"
PAGE_KIND = "digest"
LINK_CAP = 3


def digest_date_for(data_interval_end: datetime, tz: ZoneInfo) -> date:
    """The calendar day (site time zone) before the end of the run's data interval."""
    if data_interval_end.tzinfo is None:
        raise ValueError("data_interval_end must be timezone-aware")
    return data_interval_end.astimezone(tz).date() - timedelta(days=1)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[midnight, next midnight) of ``day`` in ``tz``, as aware datetimes."""
    return datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def age_in_days(day: date, now: datetime, tz: ZoneInfo) -> int:
    return (now.astimezone(tz).date() - day).days


def page_key(day: date) -> str:
    return safe_key(f"digest/{day.isoformat()}/index.html")


@dataclass(frozen=True)
class DigestItem:
    """One article as the digest shows it (attribute names match the site's ``card`` macro)."""

    id: str
    title: str
    path: str
    url: str
    section: str
    section_name: str
    published: datetime
    time_label: str
    summary: str
    image_url: str | None
    image_alt: str
    score: float


@dataclass(frozen=True)
class DigestSection:
    slug: str
    name: str
    url: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class DigestContent:
    day: date
    date_label: str
    subject: str
    preheader: str
    top: tuple[DigestItem, ...]
    sections: tuple[DigestSection, ...]

    @property
    def items(self) -> list[DigestItem]:
        return [*self.top, *(item for section in self.sections for item in section.items)]


def score(links: int, has_image: bool, has_summary: bool) -> float:
    """See the module docstring: 3 per inbound related link (at most 3), 2 for an image, 1 for a summary."""
    return 3.0 * min(links, LINK_CAP) + (2.0 if has_image else 0.0) + (1.0 if has_summary else 0.0)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("s" if n > 1 else "")


class DigestBuilder:
    def __init__(self, config: NewsroomConfig, store: Store, now: datetime) -> None:
        self.config = config
        self.store = store
        self.now = now
        self.tz = config.site.tz
        self.renderer = SiteRenderer(config, store, now)
        self.env = self.renderer.env
        self.text_env = make_text_environment(config.templates_path)
        self.ledger = store.digests

    # -- selection ------------------------------------------------------------
    def articles_of(self, day: date) -> list[ArticleRecord]:
        """Live articles published on ``day`` (site time zone), newest first."""
        start, end = day_bounds(day, self.tz)
        return self.store.articles.went_live_between(start, end, self.now)

    def time_label(self, moment: datetime) -> str:
        return format_datetime(moment.astimezone(self.tz), "HH'h'mm", locale=self.config.site.locale)

    def content(self, day: date) -> DigestContent:
        rows = self.articles_of(day)
        ids = [row.id for row in rows]
        links = {k: len(v) for k, v in self.store.related.newer_relating(ids, self.now, limit=LINK_CAP).items()}
        names = {s.slug: s.name for s in self.config.sections}
        items = [
            DigestItem(
                id=row.id,
                title=row.title,
                path=row.path,
                url=self.renderer.url_of(row.path),
                section=row.section,
                section_name=names.get(row.section, row.section),
                published=row.published,
                time_label=self.time_label(row.published),
                summary=row.summary,
                image_url=row.image_url,
                image_alt=row.image_alt or row.title,
                score=score(links.get(row.id, 0), bool(row.image_url), bool(row.summary)),
            )
            for row in rows
        ]
        ranked = sorted(items, key=lambda i: (-i.score, -i.published.timestamp(), i.id))
        top = tuple(ranked[: self.config.digest.top_stories])
        chosen = {i.id for i in top}
        sections = []
        for section in self.config.sections:
            members = tuple(i for i in items if i.section == section.slug and i.id not in chosen)
            if members:
                url = self.renderer.url_of(section_key(section.slug))
                sections.append(DigestSection(section.slug, section.name, url, members))
        date_label = format_date(day, "EEEE d MMMM y", locale=self.config.site.locale)
        subject = f"{self.config.site.name} — L’essentiel du {date_label}"
        if top:
            preheader = f"{_plural(len(items), 'article')} · À la une : {top[0].title}"
        elif items:
            preheader = f"{_plural(len(items), 'article')} publiés le {date_label}"
        else:
            preheader = f"Aucun article publié le {date_label}."
        return DigestContent(day, date_label, subject, preheader, top, tuple(sections))

    # -- rendering ------------------------------------------------------------
    def _context(self, content: DigestContent) -> dict[str, Any]:
        return {
            "site": self.config.site,
            "subject": content.subject,
            "preheader": content.preheader,
            "date_label": content.date_label,
            "top": list(content.top),
            "sections": list(content.sections),
            "count": len(content.items),
            "web_url": self.renderer.url_of(page_key(content.day)),
            "archive_url": self.renderer.url_of(ARCHIVE_KEY),
            "home_url": self.renderer.url_of(HOME),
            "unsubscribe_url": self.config.digest.unsubscribe,
        }

    def email_html(self, content: DigestContent) -> str:
        html: str = get_template(self.env, "email/digest.html").render(self._context(content))
        inliner = css_inline.CSSInliner(
            keep_at_rules=True, load_remote_stylesheets=False, keep_link_tags=False, minify_css=True
        )
        return inliner.inline(html)

    def email_text(self, content: DigestContent) -> str:
        text: str = get_template(self.text_env, "email/digest.txt").render(self._context(content))
        return text + "\n"

    def web_page(self, content: DigestContent) -> Page:
        key = page_key(content.day)
        context = self.renderer.base_context(key)
        context.update(self._context(content))
        context.update(
            crumbs=[
                {"name": "Accueil", "url": self.renderer.url_of(HOME)},
                {"name": "La lettre quotidienne", "url": self.renderer.url_of(ARCHIVE_KEY)},
                {"name": content.date_label, "url": None},
            ],
            canonical=self.renderer.url_of(key),
        )
        body = get_template(self.env, "digest/page.html").render(context).encode("utf-8")
        return Page(key, body, PAGE_KIND)

    def archive_page(self, including: DigestContent | None) -> Page:
        """Every edition whose page is up (plus ``including``, being published now), newest first."""
        editions = {e.digest_date: (e.subject, e.articles) for e in self.ledger.editions()}
        if including is not None:
            editions[including.day.isoformat()] = (including.subject, len(including.items))
        entries = []
        for iso in sorted(editions, reverse=True):
            day = date.fromisoformat(iso)
            entries.append(
                {
                    "date": iso,
                    "label": format_date(day, "EEEE d MMMM y", locale=self.config.site.locale),
                    "url": self.renderer.url_of(page_key(day)),
                    "articles": editions[iso][1],
                }
            )
        context = self.renderer.base_context(ARCHIVE_KEY)
        context.update(
            heading="La lettre quotidienne",
            crumbs=[
                {"name": "Accueil", "url": self.renderer.url_of(HOME)},
                {"name": "La lettre quotidienne", "url": None},
            ],
            editions=entries,
        )
        body = get_template(self.env, "digest/index.html").render(context).encode("utf-8")
        return Page(ARCHIVE_KEY, body, PAGE_KIND)


def _md5(*parts: str | bytes) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
    return digest.hexdigest()


def build_folder(config: NewsroomConfig, day: date) -> Path:
    return config.build_dir / "digest" / day.isoformat()


def build_digest(
    config: NewsroomConfig, day: date, *, now: datetime | None = None, store: Store | None = None
) -> dict[str, Any]:
    """Render ``day``'s digest into its build folder; return small JSON for the next tasks."""
    from newsroom.pipeline import open_store

    now = now or utcnow()
    store = store or open_store(config)
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

    folder = build_folder(config, day)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = folder.with_name(f".{day.isoformat()}.{secrets.token_hex(4)}")
    (scratch / "files").mkdir(parents=True)
    (scratch / "email.html").write_text(html, encoding="utf-8")
    (scratch / "email.txt").write_text(text, encoding="utf-8")
    objects = []
    for page in pages:
        target = scratch / "files" / page.key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        objects.append({"key": page.key, "md5": page.md5, "size": len(page.body), "kind": page.kind})
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
        "objects": objects,
    }
    (scratch / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    scratch.rename(folder)
    builder.ledger.record_edition(day.isoformat(), content.subject, [i.id for i in content.items], content_md5, now)
    log.info("Digest %s: %d article(s), %d top, built in %s", day, len(content.items), len(content.top), folder)
    return {
        "date": day.isoformat(),
        "build": str(folder),
        "articles": len(content.items),
        "subject": content.subject,
        "publishable": publishable,
    }


def load_built(built: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """(meta, html, text) of a build folder."""
    folder = Path(built["build"])
    meta: dict[str, Any] = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    html = (folder / "email.html").read_text(encoding="utf-8")
    text = (folder / "email.txt").read_text(encoding="utf-8")
    return meta, html, text


def publish_pages(
    config: NewsroomConfig,
    built: dict[str, Any],
    *,
    store: Store | None = None,
    bucket: BucketClient | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Upload the day's page, then the archive index, each only if its bytes changed."""
    from newsroom.pipeline import bucket_for, open_store

    meta, _html, _text = load_built(built)
    if not meta["publishable"]:
        log.info("Digest %s: no articles, no page to publish", meta["date"])
        return {"date": meta["date"], "uploaded": 0, "unchanged": 0, "published": False}
    store = store or open_store(config)
    if bucket is None:
        bucket = bucket_for(config)
        bucket.ensure_bucket()
    files = Path(built["build"]) / "files"
    uploaded = unchanged = 0
    keys: list[str] = []
    # the day's page first, then the index that links it: never a link to a missing page
    for obj in sorted(meta["objects"], key=lambda o: o["key"] == ARCHIVE_KEY):
        item = Planned(obj["key"], obj["md5"], obj["size"], obj["kind"], None, (files / obj["key"]).read_bytes)
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
    now: datetime | None = None,
    store: Store | None = None,
    bucket: BucketClient | None = None,
) -> dict[str, Any]:
    """Re-render and re-upload the published digest pages that list any of these articles.

    For a takedown (or a correction of a title): the pages then show the state of now; the emails
    already sent cannot be recalled.
    """
    from newsroom.pipeline import open_store

    now = now or utcnow()
    store = store or open_store(config)
    days = store.digests.editions_listing(article_ids)
    uploaded: list[str] = []
    for iso in days:
        built = build_digest(config, date.fromisoformat(iso), now=now, store=store)
        uploaded += publish_pages(config, built, store=store, bucket=bucket, now=now).get("keys", [])
    return {"dates": days, "uploaded": uploaded}


# -- task entry points (small JSON in, small JSON out) ------------------------
def build(
    data_interval_end: str | None = None,
    *,
    day: str | None = None,
    config: NewsroomConfig | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The DAG's ``build`` task: the digest of the day before ``data_interval_end`` (or of ``day``)."""
    config = config or get_config()
    now = now or utcnow()
    if day is not None:
        the_day = date.fromisoformat(day)
    else:
        end = datetime.fromisoformat(data_interval_end) if data_interval_end else now
        the_day = digest_date_for(end, config.site.tz)
    return build_digest(config, the_day, now=now)


def publish_page(built: dict[str, Any], *, config: NewsroomConfig | None = None) -> dict[str, Any]:
    """The DAG's ``publish_page`` task."""
    return publish_pages(config or get_config(), built)
