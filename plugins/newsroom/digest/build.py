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

The builder renders; :mod:`newsroom.digest.edition` writes the build folder
(the email in HTML, with the CSS of the template's ``<style>`` inlined by
css-inline, and in plain text; the web page, extending ``base.html``, and
the archive of editions) and publishes it. Like the site, nothing here
depends on the clock except visibility: the same state renders the same
bytes, so republishing uploads nothing.

Called by :mod:`newsroom.digest.edition` and :mod:`newsroom.digest.send`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import css_inline
from babel.dates import format_date, format_datetime

from newsroom.config import NewsroomConfig
from newsroom.models import ArticleRecord
from newsroom.render import Page, SiteRenderer
from newsroom.render.environment import get_template, make_text_environment
from newsroom.render.urls import HOME, safe_key, section_key
from newsroom.store import Store

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
                url=(url := self.renderer.url_of(row.path)),
                section=row.section,
                section_name=names.get(row.section, row.section),
                published=row.published,
                time_label=self.time_label(row.published),
                summary=row.summary,
                image_url=urljoin(url, row.image_url) if row.image_url else None,  # an email has no base URL
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
