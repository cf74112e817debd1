"""What every sub-repository of the store shares: a session per call, the chunked ``IN`` query.

Each method of a sub-repository is one short transaction (:meth:`Repository.session`),
so a task retried after a crash sees a consistent state and re-running it changes
nothing already recorded. Long lists of ids are read 500 at a time
(:func:`chunked`, :func:`in_chunks`): databases cap a statement's parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Engine, bindparam
from sqlalchemy.orm import Session

from newsroom.store.tables import ArticleRow, UTCDateTime

CHUNK = 500  # ids per IN (...) list
T = TypeVar("T")

LISTED_COLUMNS = (
    ArticleRow.id,
    ArticleRow.title,
    ArticleRow.path,
    ArticleRow.section,
    ArticleRow.published,
    ArticleRow.modified,
    ArticleRow.summary,
    ArticleRow.image_url,
    ArticleRow.image_alt,
)


class Repository:
    """A part of the store: one engine, one short transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def read_in(self, query: Any, values: Iterable[Any], **params: Any) -> list[Any]:
        """The rows of ``query``, a statement built once whose ``IN`` list is :func:`ids_param`, for each
        chunk of the (deduplicated) ``values``, on a plain connection.

        Render reads a few articles' rows for each of thousands of units of pages: building the
        statement and an ORM session for each read cost more than the read itself.
        """
        rows: list[Any] = []
        with self.engine.connect() as conn:
            for chunk in chunked(unique(values)):
                rows.extend(conn.execute(query, {**params, "ids": list(chunk)}).all())  # one fetchall
        return rows


def unique(items: Iterable[T]) -> list[T]:
    """``items`` without repeats, in their first order."""
    return list(dict.fromkeys(items))


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def in_chunks(
    session: Session, query: Any, column: Any, values: Iterable[Any], *, scalars: bool = False
) -> Iterator[Any]:
    """``query`` restricted to ``column IN values``, run for each chunk of the (deduplicated) values:
    its rows (or, with ``scalars``, its first column)."""
    for chunk in chunked(unique(values)):
        restricted = query.where(column.in_(list(chunk)))
        yield from (session.scalars(restricted) if scalars else session.execute(restricted))


def ids_param() -> BindParameter[Any]:
    """The ``ids`` list of a statement built once and read with :meth:`Repository.read_in`."""
    return bindparam("ids", expanding=True)


def now_param() -> BindParameter[datetime]:
    """The ``now`` of a statement built once (the live rule's clock), bound on each read."""
    return bindparam("now", type_=UTCDateTime())


def tag_order(rows: Any) -> tuple[Any, ...]:
    """A listing's order (newest first, ties by id) read from the tag rows' copy of the dates:
    a walk down the tag's range of the (tag, published, article_id) index, no sort."""
    return rows.published.desc(), rows.article_id.desc()


def aggregate_stamp(value: Any) -> datetime:
    """An aggregate (max) of a stored datetime, aware UTC: SQLite returns it as text, PostgreSQL naive."""
    naive = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    stamp = UTCDateTime().process_result_value(naive.replace(tzinfo=None), None)
    assert stamp is not None
    return stamp
