"""Enrichments: an article's canonical tags, language, topics and keywords, and the tags in use.

Written by enrich (through ``Store.enrichments``) after each version is filed;
read by render (tag pages, each page's keywords), the CLI and enrich itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select

from newsroom.models import EnrichmentInfo, Tag
from newsroom.store.base import Repository, in_chunks, unique
from newsroom.store.live import live
from newsroom.store.tables import ArticleRow, CandidateRow, EnrichmentRow, TagRow


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
        with self.session() as session:
            session.execute(delete(TagRow).where(TagRow.article_id == article_id))
            published = session.scalar(select(ArticleRow.published).where(ArticleRow.id == article_id))
            for tag in dict((t.slug, t) for t in tags).values():
                session.add(
                    TagRow(article_id=article_id, tag=tag.slug, name=tag.name, kind=tag.kind, published=published)
                )
            row = session.get(EnrichmentRow, article_id)
            if row is None:
                row = EnrichmentRow(article_id=article_id)
                session.add(row)
            row.language, row.topics, row.keywords = language, list(topics), list(keywords)
            row.notes, row.enriched_at = list(notes), now
            session.execute(delete(CandidateRow).where(CandidateRow.article_id == article_id))  # rows of older versions

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
    def tags_of(self, ids: Iterable[str]) -> dict[str, list[Tag]]:
        wanted = unique(ids)
        result: dict[str, list[Tag]] = {i: [] for i in wanted}
        query = select(TagRow.article_id, TagRow.tag, TagRow.name, TagRow.kind).order_by(TagRow.article_id, TagRow.tag)
        with self.session() as session:
            for article_id, tag, name, kind in in_chunks(session, query, TagRow.article_id, wanted):  # rows: 5x faster
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
