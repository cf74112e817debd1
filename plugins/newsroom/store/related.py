"""Related links and sidebars: which articles an article's page shows beside it, and back-links.

Written by enrich (``newsroom.enrich.related``) through ``Store.related``; read
by render (each page's "À lire aussi", "Sur le même sujet" and sidebar) and by
the incremental planner (which pages show a changed article).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, select

from newsroom.store.base import Repository, chunked, in_chunks, unique
from newsroom.store.live import live
from newsroom.store.tables import ArticleRow, RelatedRow, SidebarRow


@dataclass(frozen=True)
class Links:
    """An article's related links (the first ``story`` of them on the same story) and sidebar."""

    article_id: str
    related: Sequence[str]
    story: int
    sidebar: Sequence[str] = field(default_factory=list)


class RelatedRepository(Repository):
    def replace(
        self, article_id: str, related: Sequence[str], *, story: int | None = None, sidebar: Sequence[str] = ()
    ) -> None:
        """An article's related links (the first ``story`` of them on the same story; all, if None)
        and its sidebar, replacing the previous ones."""
        self.replace_many([Links(article_id, related, len(related) if story is None else story, sidebar)])

    def replace_many(self, links: Sequence[Links]) -> None:
        """Several articles' links and sidebars, replacing the previous ones, in one transaction."""
        links = list({item.article_id: item for item in links}.values())
        ids = [item.article_id for item in links]
        if not ids:
            return
        related = [
            {
                "article_id": item.article_id,
                "rank": rank,
                "related_id": other,
                "kind": "story" if rank < item.story else "more",
            }
            for item in links
            for rank, other in enumerate(item.related)
        ]
        sidebar = [
            {"article_id": item.article_id, "rank": rank, "item_id": other}
            for item in links
            for rank, other in enumerate(item.sidebar)
        ]
        with self.session() as session:
            for chunk in chunked(ids):
                session.execute(delete(RelatedRow).where(RelatedRow.article_id.in_(list(chunk))))
                session.execute(delete(SidebarRow).where(SidebarRow.article_id.in_(list(chunk))))
            if related:
                session.execute(insert(RelatedRow), related)
            if sidebar:
                session.execute(insert(SidebarRow), sidebar)

    def of(self, ids: Iterable[str], *, story_only: bool = False) -> dict[str, list[str]]:
        """Each article's related links, in order (only those on the same story, with ``story_only``)."""
        wanted = unique(ids)
        result: dict[str, list[str]] = {i: [] for i in wanted}
        query = select(RelatedRow.article_id, RelatedRow.related_id)
        if story_only:
            query = query.where(RelatedRow.kind == "story")
        with self.session() as session:
            query = query.order_by(RelatedRow.article_id, RelatedRow.rank)
            for article_id, related_id in in_chunks(session, query, RelatedRow.article_id, wanted):
                result[article_id].append(related_id)
        return result

    def sidebar_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        wanted = unique(ids)
        result: dict[str, list[str]] = {i: [] for i in wanted}
        query = select(SidebarRow.article_id, SidebarRow.item_id).order_by(SidebarRow.article_id, SidebarRow.rank)
        with self.session() as session:
            for article_id, item_id in in_chunks(session, query, SidebarRow.article_id, wanted):
                result[article_id].append(item_id)
        return result

    def newer_relating(self, ids: Iterable[str], now: datetime, limit: int = 3) -> dict[str, list[str]]:
        """For each id, the newest live articles that list it among their related links (back-links)."""
        wanted = unique(ids)
        result: dict[str, list[str]] = {i: [] for i in wanted}
        query = (
            select(RelatedRow.related_id, ArticleRow.id)
            .join(ArticleRow, ArticleRow.id == RelatedRow.article_id)
            .where(RelatedRow.kind == "story", live(now))
            .order_by(RelatedRow.related_id, ArticleRow.published.desc(), ArticleRow.id)
        )
        with self.session() as session:
            for target, source in in_chunks(session, query, RelatedRow.related_id, wanted):
                if len(result[target]) < limit:
                    result[target].append(source)
        return result

    def relating_to(self, ids: Iterable[str]) -> set[str]:
        """Articles that show any of ``ids`` among their related links or in their sidebar."""
        wanted = unique(ids)
        with self.session() as session:
            found = set(in_chunks(session, select(RelatedRow.article_id), RelatedRow.related_id, wanted, scalars=True))
            found.update(in_chunks(session, select(SidebarRow.article_id), SidebarRow.item_id, wanted, scalars=True))
        return found - set(wanted)
