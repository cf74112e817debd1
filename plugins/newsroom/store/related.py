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

from newsroom.store.base import Repository, chunked, ids_param, in_chunks, now_param, unique
from newsroom.store.live import live
from newsroom.store.tables import ArticleRow, RelatedRow, SidebarRow

# render's reads, for every unit of article pages: built once, read with Repository.read_in
_RELATED_OF = (
    select(RelatedRow.article_id, RelatedRow.related_id)
    .where(RelatedRow.article_id.in_(ids_param()))
    .order_by(RelatedRow.article_id, RelatedRow.rank)
)
_STORY_OF = _RELATED_OF.where(RelatedRow.kind == "story")
_SIDEBAR_OF = (
    select(SidebarRow.article_id, SidebarRow.item_id)
    .where(SidebarRow.article_id.in_(ids_param()))
    .order_by(SidebarRow.article_id, SidebarRow.rank)
)
_NEWER_RELATING = (
    select(RelatedRow.related_id, ArticleRow.id)
    .join(ArticleRow, ArticleRow.id == RelatedRow.article_id)
    .where(RelatedRow.kind == "story", live(now_param()), RelatedRow.related_id.in_(ids_param()))
    .order_by(RelatedRow.related_id, ArticleRow.published.desc(), ArticleRow.id)
)


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
        for article_id, related_id in self.read_in(_STORY_OF if story_only else _RELATED_OF, wanted):
            result[article_id].append(related_id)
        return result

    def sidebar_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        wanted = unique(ids)
        result: dict[str, list[str]] = {i: [] for i in wanted}
        for article_id, item_id in self.read_in(_SIDEBAR_OF, wanted):
            result[article_id].append(item_id)
        return result

    def newer_relating(self, ids: Iterable[str], now: datetime, limit: int = 3) -> dict[str, list[str]]:
        """For each id, the newest live articles that list it among their related links (back-links)."""
        wanted = unique(ids)
        result: dict[str, list[str]] = {i: [] for i in wanted}
        for target, source in self.read_in(_NEWER_RELATING, wanted, now=now):
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
