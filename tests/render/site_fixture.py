"""A small site built straight into the store (no spaCy): articles with or without image, a correction,
an embargo, tags and keywords, for the feed, sitemap, structured-data and HTML tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from newsroom.config import DEFAULT_CONFIG, NewsroomConfig, parse_config
from newsroom.models import Article, Filed, Image, Tag
from newsroom.render import Page, SiteRenderer
from newsroom.store import Store

BASE_URL = "https://www.echo-du-golfe.example/"
NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
BODY = (
    '<p>Premier paragraphe avec un <a href="https://example.org/?a=1&amp;b=2">lien</a>.</p>'
    "<h2>Le contexte</h2><p>Deuxième paragraphe.</p><h3>Un détail</h3><p>Troisième.</p>"
)


@dataclass
class SmallSite:
    config: NewsroomConfig
    store: Store
    tags: dict[str, list[Tag]] = field(default_factory=dict)

    def file(
        self,
        article_id: str,
        *,
        title: str,
        published: datetime,
        section: str = "diplomatie",
        summary: str = "",
        image: Image | None = None,
        correction: str | None = None,
        updated: datetime | None = None,
        embargo_until: datetime | None = None,
        authors: Sequence[str] = ("Carine Houngbo",),
        tags: Sequence[tuple[str, str]] = (("benin", "Bénin"),),
        keywords: Sequence[str] = ("coopération régionale",),
        language: str = "fr",
        body: str = BODY,
        at: datetime | None = None,
    ) -> Filed:
        """File one version (``at`` is when it is filed) and its enrichment, as ingest and enrich would."""
        article = Article(
            id=article_id,
            slug=article_id,
            title=title,
            body_html=body,
            section=section,
            authors=list(authors),
            published=published,
            updated=updated,
            embargo_until=embargo_until,
            summary=summary,
            image=image,
            correction=correction,
        )
        filed = self.store.articles.record_version(
            article, source_file=f"{article_id}.md", archived_path=None, tz=self.config.site.tz, now=at or published
        )
        self.store.enrichments.save(
            article_id,
            tags=[Tag(slug, name, "place") for slug, name in tags],
            language=language,
            topics=[],
            keywords=list(keywords),
            notes=[],
            now=at or published,
        )
        return filed

    def renderer(self, now: datetime = NOW) -> SiteRenderer:
        return SiteRenderer(self.config, self.store, now)

    def everything(self, now: datetime = NOW) -> dict[str, Page]:
        return {page.key: page for page in self.renderer(now).everything()}

    def texts(self, now: datetime = NOW) -> dict[str, str]:
        return {key: page.body.decode("utf-8") for key, page in self.everything(now).items()}


def small_site_config(state_dir: Path, **site: Any) -> NewsroomConfig:
    """The shipped configuration with the golden base URL, ``site`` overrides, and state in ``state_dir``."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["site"].update(base_url=BASE_URL, **site)
    return parse_config(data, DEFAULT_CONFIG, state_dir=state_dir)


def make_small_site(state_dir: Path, **site: Any) -> SmallSite:
    config = small_site_config(state_dir, **site)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return SmallSite(config, Store.from_url(config.database_url()))


def sample_articles(site: SmallSite) -> None:
    """Five live articles over two months (with and without image, one corrected), one under embargo."""
    day = timedelta(days=1)
    site.file(
        "mali-russie",
        title="Mali–Russie : Goïta et Poutine élargissent leur partenariat",
        published=NOW - 3 * day,
        summary="Reçu au Kremlin, Assimi Goïta veut élargir la coopération.",
        image=Image(url="https://example.org/images/kremlin.jpg", alt="Assimi Goïta et Vladimir Poutine au Kremlin"),
        tags=(("mali", "Mali"), ("russie", "Russie")),
        keywords=("partenariat stratégique", "coopération"),
    )
    site.file(
        "benin-budget",
        title="Bénin : le budget 2026 adopté",
        section="economie",
        published=NOW - 35 * day,
        summary="L'Assemblée nationale a adopté le budget.",
        tags=(("benin", "Bénin"),),
    )
    site.file(
        "benin-ecoles",
        title="Bénin : la rentrée scolaire avancée",
        section="education",
        published=NOW - 5 * day,
        summary="Le gouvernement avance la rentrée.",
        image=Image(url="https://example.org/images/ecole.png", alt="Une salle de classe à Cotonou"),
        tags=(("benin", "Bénin"), ("education", "Éducation")),
    )
    site.file(
        "togo-port",
        title="Togo : le port de Lomé <agrandi> & modernisé",
        section="economie",
        published=NOW - 2 * day,
        summary="Des travaux d'extension.",
        tags=(("togo", "Togo"),),
        correction="Une version précédente donnait une mauvaise date d'inauguration.",
    )
    site.file(
        "niger-accord",
        title="Niger : accord signé à Niamey",
        published=NOW - 4 * day,
        summary="Un accord régional.",
        tags=(("niger", "Niger"),),
    )
    site.file(
        "secret-embargo",
        title="Annonce sous embargo",
        published=NOW - 1 * day,
        embargo_until=NOW + 1 * day,
        summary="Ne doit paraître nulle part avant la levée de l'embargo.",
        tags=(("benin", "Bénin"), ("embargo", "Embargo")),
    )
