"""Listings: what home, section and tag pages, feeds and sitemaps show of the live articles.

Called through ``Store.listings`` by render (``newsroom.render``, typed against
``newsroom.render.reads.SiteReads``) and enrich (the sidebar's latest articles).
Every query here filters with the one live rule (``newsroom.store.live``) and
walks an index newest first, ties broken by id, so pages render the same
whatever the archive's size.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from newsroom.models import Dated, Listed
from newsroom.store.base import LISTED_COLUMNS, Repository, aggregate_stamp, ids_param, now_param, tag_order
from newsroom.store.live import hidden_ids, live
from newsroom.store.tables import ArticleRow, TagRow, UTCDateTime


def _listing_query(columns: Sequence[Any], now: Any, sections: Sequence[str] | Any | None, tag: Any | None) -> Any:
    """Live articles (of these sections, with this tag), newest first, ties broken by id; ``now``,
    ``sections`` and ``tag`` are values or bound parameters."""
    query = select(*columns).where(live(now))
    if sections is not None:
        query = query.where(ArticleRow.section.in_(sections))
    if tag is not None:
        query = query.join(TagRow, TagRow.article_id == ArticleRow.id).where(TagRow.tag == tag)
        return query.order_by(*tag_order(TagRow))
    return query.order_by(ArticleRow.published.desc(), ArticleRow.id.desc())


_LISTED_OF = select(*LISTED_COLUMNS).where(ArticleRow.id.in_(ids_param()))


@lru_cache(maxsize=8)
def _latest_before(by_tag: bool, by_sections: bool, excluding: bool) -> Any:
    """``ListingRepository.latest_before``'s statement for one shape, its values as bound parameters."""
    now, before = now_param(), bindparam("before", type_=UTCDateTime())
    query = select(ArticleRow.id, ArticleRow.published).where(live(now), ArticleRow.published < before)
    if by_sections:
        query = query.where(ArticleRow.section.in_(bindparam("sections", expanding=True)))
    if by_tag:
        query = query.join(TagRow, TagRow.article_id == ArticleRow.id).where(
            TagRow.tag == bindparam("tag"), TagRow.published < before
        )
        query = query.order_by(*tag_order(TagRow))
    else:
        query = query.order_by(ArticleRow.published.desc(), ArticleRow.id.desc())
    if excluding:
        query = query.where(ArticleRow.id.not_in(bindparam("exclude", expanding=True)))
    return query.limit(bindparam("limit"))


@lru_cache(maxsize=32)
def _items(by_tag: bool, by_sections: bool, since: bool, limited: bool) -> Any:
    """``ListingRepository.items``' statement for one shape, its values as bound parameters: a site
    render reads a listing for each of hundreds of tags, and building the statement cost more than
    running it."""
    now = now_param()
    sections: Any = bindparam("sections", expanding=True) if by_sections else None
    query = _listing_query(LISTED_COLUMNS, now, sections, bindparam("tag") if by_tag else None)
    if since:
        query = query.where(ArticleRow.published >= bindparam("since", type_=UTCDateTime()))
    return query.limit(bindparam("limit")) if limited else query


class ListingRepository(Repository):
    def items(
        self,
        now: datetime,
        *,
        sections: Sequence[str] | None = None,
        tag: str | None = None,
        limit: int | None = None,
        since: datetime | None = None,
        path_prefix: str | None = None,
    ) -> list[Listed]:
        """Live articles, newest first (ties broken by id, so the order is stable); of these
        sections, with this tag, published since ``since``, their path starting with ``path_prefix``."""
        query = _items(tag is not None, sections is not None, since is not None, limit is not None)
        if path_prefix is not None:  # a month's sitemap: rare, its own statement
            query = query.where(func.substr(ArticleRow.path, 1, len(path_prefix)) == path_prefix)
        values = {"now": now, "tag": tag, "sections": list(sections or ()), "since": since, "limit": limit}
        with self.engine.connect() as conn:
            return [Listed(*row) for row in conn.execute(query, values).all()]

    def ids(self, now: datetime, *, sections: Sequence[str] | None = None, tag: str | None = None) -> list[str]:
        """The ids of :meth:`items`, in its order: a listing's length and order, without reading its rows.

        A tag's comes from its range of the tag index alone, less the few articles not live
        (instead of looking up every article of the tag, which grows with the archive).
        """
        with self.session() as session:
            if tag is None or sections is not None:
                return list(session.scalars(_listing_query((ArticleRow.id,), now, sections, tag)))
            hidden = hidden_ids(session, now)
            tagged = select(TagRow.article_id).where(TagRow.tag == tag).order_by(*tag_order(TagRow))
            return [article_id for article_id in session.scalars(tagged) if article_id not in hidden]

    def listed(self, ids: Iterable[str]) -> dict[str, Listed]:
        """What listings show of these articles, by id (ids not found are left out)."""
        return {row[0]: Listed(*row) for row in self.read_in(_LISTED_OF, ids)}

    def newest_by_path_prefix(self, now: datetime, length: int) -> dict[str, datetime]:
        """The newest ``modified`` of the live articles, by the first ``length`` characters of
        their path (``yyyy/mm/`` for length 8: by month), grouped in the database."""
        prefix = func.substr(ArticleRow.path, 1, length)
        query = select(prefix, func.max(ArticleRow.modified)).where(live(now)).group_by(prefix)
        with self.session() as session:
            return {str(key): aggregate_stamp(newest) for key, newest in session.execute(query)}

    def tag_first_page_lastmod(self, now: datetime, size: int) -> dict[str, datetime]:
        """For each tag in use: the newest ``modified`` among the ``size`` newest live articles it lists.

        One query: for each tag, the first ``size`` live rows of its range of the
        (tag, published, article_id) index, so the cost follows the number of tags,
        not the number of tagged articles.
        """
        tags = select(TagRow.tag).distinct().subquery("tags")
        member = aliased(TagRow, name="member")
        first_page = (
            select(ArticleRow.modified.label("modified"))
            .join(member, member.article_id == ArticleRow.id)
            .where(member.tag == tags.c.tag, live(now))
            .order_by(*tag_order(member))
            .limit(size)
            .correlate(tags)
            .subquery("first_page")
        )
        query = select(tags.c.tag, select(func.max(first_page.c.modified)).scalar_subquery())
        with self.session() as session:
            return {str(tag): aggregate_stamp(newest) for tag, newest in session.execute(query) if newest is not None}

    def count_live_before(self, now: datetime, before: datetime, *, limit: int) -> int:
        """How many live articles were published before ``before``, counting up to ``limit`` only."""
        inner = select(ArticleRow.id).where(live(now), ArticleRow.published < before).limit(limit).subquery()
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(inner)) or 0)

    def latest_before(
        self,
        now: datetime,
        before: datetime,
        *,
        tag: str | None = None,
        sections: Sequence[str] | None = None,
        limit: int = 5,
        exclude: Collection[str] = (),
    ) -> list[Dated]:
        """The newest live articles published before ``before`` (with this tag, or in these
        sections), newest first; a bounded walk down an index whatever the archive's size.

        Enrichment asks this several times for every article (pools of 50 for related links):
        the statement is built once per shape (:func:`_latest_before`), run on a plain
        connection with its values bound, and reads only the id and the date, all a related
        link weighs (a listing's other columns cost more to read than the walk).
        """
        query = _latest_before(tag is not None, sections is not None, bool(exclude))
        values: dict[str, Any] = {"now": now, "before": before, "limit": limit}
        if tag is not None:
            values["tag"] = tag
        if sections is not None:
            values["sections"] = list(sections)
        if exclude:
            values["exclude"] = list(exclude)
        with self.engine.connect() as conn:
            return [Dated(*row) for row in conn.execute(query, values).all()]
