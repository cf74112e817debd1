"""The one rule for "live": not taken down, and visible (``publish_at`` and ``embargo_until`` passed).

``visible_from`` (the later of the two, set when a version is filed) holds the
time rule, ``taken_down_at`` the takedown. Every surface (pages, listings,
feeds, sitemaps, search, the digest, distribution) asks this module, in one of
its three forms: :func:`live` (a SQLAlchemy condition), :func:`live_sql` (the same
condition in SQL text, for the search queries written by hand) and
:func:`is_live` (the same test in Python, on a record already read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, and_, or_, select
from sqlalchemy.orm import Session

from newsroom.store.tables import ArticleRow


def live(now: datetime | BindParameter[datetime], rows: Any = ArticleRow) -> Any:
    """The condition "live at ``now``" on the articles table (or an alias of it); ``now`` may be a bound
    parameter, for a statement built once and run with several times."""
    return and_(
        rows.taken_down_at.is_(None),
        or_(rows.visible_from.is_(None), rows.visible_from <= now),
    )


def live_sql(alias: str, now_param: str = ":now") -> str:
    """:func:`live` as SQL text on the articles table aliased ``alias``, ``now`` bound as ``now_param``."""
    return f"{alias}.taken_down_at IS NULL AND ({alias}.visible_from IS NULL OR {alias}.visible_from <= {now_param})"


def is_visible(visible_from: datetime | None, now: datetime) -> bool:
    """The time half of :func:`live`: publish_at and embargo_until passed."""
    return visible_from is None or visible_from <= now


def is_live(taken_down_at: datetime | None, visible_from: datetime | None, now: datetime) -> bool:
    """:func:`live` in Python, for a row or record already read."""
    return taken_down_at is None and is_visible(visible_from, now)


def hidden_ids(session: Session, now: datetime) -> set[str]:
    """The articles :func:`live` leaves out: taken down, or not visible yet.

    Few rows, read through two indexes (one query each: together, an OR, the
    database would scan the table).
    """
    hidden = set(session.scalars(select(ArticleRow.id).where(ArticleRow.taken_down_at.is_not(None))))
    hidden.update(session.scalars(select(ArticleRow.id).where(ArticleRow.visible_from > now)))
    return hidden
