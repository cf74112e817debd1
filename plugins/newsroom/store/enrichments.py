"""Enrichments: an article's canonical tags, language, topics and keywords, and the tags in use.

Written by enrich (through ``Store.enrichments``) after each version is filed;
read by render (tag pages, each page's keywords), the CLI and enrich itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select

from newsroom.models import EnrichmentInfo, Tag
from newsroom.store.base import Repository, chunked, ids_param, in_chunks, unique
from newsroom.store.live import live
from newsroom.store.tables import ArticleRow, CandidateRow, EnrichmentRow, TagRow

# tags_of's statements, built once: render reads tags for every unit of pages, enrichment for every article
_TAGS_OF = (
    select(TagRow.article_id, TagRow.tag, TagRow.name, TagRow.kind)
    .where(TagRow.article_id.in_(ids_param()))
    .order_by(TagRow.article_id, TagRow.tag)
)
_SHARED_TAGS_OF = _TAGS_OF.where(TagRow.tag.in_(bindparam("among", expanding=True)))


@dataclass(frozen=True)
class Enriched:
    """What :meth:`EnrichmentRepository.save_many` records for one article."""

    article_id: str
    tags: Sequence[Tag]
    language: str
    topics: Sequence[str]
    keywords: Sequence[str]
    notes: Sequence[str] = ()


class EnrichmentRepository(Repository):
    def save(
        self,
        article_id: str,
        *,
        tags: Sequence[Tag],
        language: str,
        topics: Sequence[str],
        keywords: Sequence[str],
        notes: Sequence[str],
        now: datetime,
    ) -> None:
        """Tags, topics and keywords of one article, replacing the previous ones."""
        self.save_many([Enriched(article_id, tags, language, topics, keywords, notes)], now)

    def save_many(self, items: Sequence[Enriched], now: datetime) -> None:
        """Tags, topics and keywords of these articles, replacing the previous ones, in one transaction
        (enrich saves a batch at once: one commit instead of one per article)."""
        items = list({item.article_id: item for item in items}.values())
        ids = [item.article_id for item in items]
        if not ids:
            return
        with self.session() as session:
            for chunk in chunked(ids):
                session.execute(delete(TagRow).where(TagRow.article_id.in_(list(chunk))))
                session.execute(delete(CandidateRow).where(CandidateRow.article_id.in_(list(chunk))))  # old versions'
            published = dict(in_chunks(session, select(ArticleRow.id, ArticleRow.published), ArticleRow.id, ids))
            tag_rows = [
                {
                    "article_id": item.article_id,
                    "tag": tag.slug,
                    "name": tag.name,
                    "kind": tag.kind,
                    "published": published.get(item.article_id),
                }
                for item in items
                for tag in dict((t.slug, t) for t in item.tags).values()
            ]
            if tag_rows:
                session.execute(insert(TagRow), tag_rows)
            query = select(EnrichmentRow)
            rows = {r.article_id: r for r in in_chunks(session, query, EnrichmentRow.article_id, ids, scalars=True)}
            for item in items:
                row = rows.get(item.article_id)
                if row is None:
                    row = EnrichmentRow(article_id=item.article_id)
                    session.add(row)
                row.language, row.topics, row.keywords = item.language, list(item.topics), list(item.keywords)
                row.notes, row.enriched_at = list(item.notes), now

    def of(self, ids: Iterable[str]) -> dict[str, EnrichmentInfo]:
        """Language, topics, keywords and notes of these articles, by id (not enriched: left out)."""
        with self.session() as session:
            return {
                row.article_id: EnrichmentInfo(
                    language=row.language, topics=row.topics, keywords=row.keywords, notes=row.notes
                )
                for row in in_chunks(session, select(EnrichmentRow), EnrichmentRow.article_id, ids, scalars=True)
            }

    def unenriched(self, ids: Iterable[str]) -> list[str]:
        """Those of ``ids`` that enrichment has not seen yet (a batch killed between ingest and enrich)."""
        wanted = unique(ids)
        query = select(EnrichmentRow.article_id)
        with self.session() as session:
            done = set(in_chunks(session, query, EnrichmentRow.article_id, wanted, scalars=True))
        return [i for i in wanted if i not in done]

    # -- tags -----------------------------------------------------------------
    def tags_of(self, ids: Iterable[str], among: Collection[str] | None = None) -> dict[str, list[Tag]]:
        """Each article's tags, by slug; ``among``: only those of these slugs (what related links
        share with an article: its candidates' other tags are never read)."""
        wanted = unique(ids)
        result: dict[str, list[Tag]] = {i: [] for i in wanted}
        if among is not None and not among:
            return result
        shared = {} if among is None else {"among": sorted(among)}
        for article_id, tag, name, kind in self.read_in(_SHARED_TAGS_OF if shared else _TAGS_OF, wanted, **shared):
            result[article_id].append(Tag(tag, name, kind))
        return result

    def tag_names(self, slugs: Iterable[str]) -> dict[str, str]:
        query = select(TagRow.tag, func.min(TagRow.name)).group_by(TagRow.tag)
        with self.session() as session:
            return {slug: name for slug, name in in_chunks(session, query, TagRow.tag, slugs)}

    def tags_in_use(self, now: datetime, among: Sequence[str] | None = None) -> list[str]:
        """The tags of live articles (only those ``among`` these, if given), in order."""
        query = select(TagRow.tag).join(ArticleRow, ArticleRow.id == TagRow.article_id).where(live(now))
        found: set[str] = set()
        with self.session() as session:
            if among is None:
                found.update(session.scalars(query.distinct()))
            found.update(in_chunks(session, query.distinct(), TagRow.tag, among or (), scalars=True))
        return sorted(found)

    def tag_slugs(self) -> list[str]:
        """Every tag of any article, live or not, read from the tag index alone (cheap at any size)."""
        with self.session() as session:
            return list(session.scalars(select(TagRow.tag).distinct().order_by(TagRow.tag)))
