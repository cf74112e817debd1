"""The tags enrichment created, and what review made of them.

A salient entity the taxonomy does not know becomes a tag at once (review
never delays publication) and a row here, ``pending``. Its names are keys
(``n:<folded name>`` for every form an article used, ``s:<folded surname>``
for a person), so a later article's *Goïta* finds *Assimi Goïta*. Review
moves a row through these states::

    pending --approve--> approved
    pending | approved --block--> blocked        (the tag leaves every article; its names never tag again)
    pending | approved --merge--> merged(target) (its articles and names go to the target)
    pending | approved --rename--> same row, new name; or merged(new slug) when the slug changes

A merged tag's old URL keeps working: render makes it a redirect to the
target (:meth:`TagRegistry.redirects`). Each action returns the articles
whose tags it changed, for the caller to re-render.

Called by ``newsroom.enrich`` (resolve, register) and ``newsroom.phases.tags``
(the review actions); returns plain values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from newsroom.store.tables import ArticleRow, TagKeyRow, TagRegistryRow, TagRow
from newsroom.text import fold

STATES = ("pending", "approved", "blocked", "merged")


class ReviewError(ValueError):
    """A review action that cannot apply: an unknown tag, a merge into itself, a blocked target."""


@dataclass(frozen=True)
class TagInfo:
    slug: str
    name: str
    kind: str


@dataclass(frozen=True)
class RegisteredTag:
    slug: str
    name: str
    kind: str
    status: str
    target: str | None
    first_published: datetime
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    articles: int = 0
    examples: tuple[str, ...] = ()


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class TagRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _insert(self, table: type) -> object:
        return pg_insert(table) if self.engine.dialect.name == "postgresql" else sqlite_insert(table)

    # -- enrichment -------------------------------------------------------------
    def resolve(self, keys: Collection[str], *, before: datetime | None = None) -> dict[str, TagInfo | None]:
        """What each known key stands for now: the tag (a merged one's target), or None if blocked.

        ``before``: only tags first seen in articles published earlier (a backfill's
        batches of one day then resolve alike, whatever ran first). A surname key
        shared by several tags is left out.
        """
        wanted = sorted(set(keys))
        found: dict[str, set[str]] = {}
        rows: dict[str, TagRegistryRow] = {}
        with self._session() as session:
            for chunk in _chunks(wanted):
                query = (
                    select(TagKeyRow.key, TagRegistryRow)
                    .join(TagRegistryRow, TagRegistryRow.slug == TagKeyRow.slug)
                    .where(TagKeyRow.key.in_(chunk))
                )
                if before is not None:
                    query = query.where(TagRegistryRow.first_published < before)
                for key, row in session.execute(query):
                    found.setdefault(key, set()).add(row.slug)
                    rows[row.slug] = row
        result: dict[str, TagInfo | None] = {}
        for key, slugs in found.items():
            targets = {self._target(rows[s]) for s in slugs}
            if len(targets) == 1:
                result[key] = targets.pop()
            elif not key.startswith("s:"):
                named = [t for t in targets if t is not None]
                result[key] = None if len(named) < len(targets) else min(named, key=lambda t: t.slug)
        return result

    @staticmethod
    def _target(row: TagRegistryRow) -> TagInfo | None:
        if row.status == "blocked":
            return None
        if row.status == "merged" and row.target:
            return TagInfo(row.target, row.target_name or row.target, row.target_kind or row.kind)
        return TagInfo(row.slug, row.name, row.kind)

    def register(
        self, tags: Sequence[tuple[str, str, str, Sequence[str]]], first_published: datetime, now: datetime
    ) -> None:
        """Record new tags (slug, name, kind, keys) seen in an article published at ``first_published``.

        Idempotent and order-free: a tag registered twice, while pending, keeps the
        earliest publication date and the smallest name of the two.
        """
        if not tags:
            return
        table = TagRegistryRow.__table__
        smaller = func.min if self.engine.dialect.name == "sqlite" else func.least  # of two values
        with self.engine.begin() as conn:
            for slug, name, kind, keys in tags:
                insert = self._insert(TagRegistryRow).values(  # type: ignore[attr-defined]
                    slug=slug,
                    name=name,
                    kind=kind,
                    status="pending",
                    first_published=first_published,
                    created_at=now,
                )
                conn.execute(
                    insert.on_conflict_do_update(
                        index_elements=["slug"],
                        set_={
                            "first_published": smaller(table.c.first_published, insert.excluded.first_published),
                            "name": smaller(table.c.name, insert.excluded.name),
                        },
                        where=table.c.status == "pending",
                    )
                )
                for key in dict.fromkeys(keys):
                    conn.execute(
                        self._insert(TagKeyRow)  # type: ignore[attr-defined]
                        .values(key=key[:200], slug=slug)
                        .on_conflict_do_nothing(index_elements=["key", "slug"])
                    )

    # -- review -----------------------------------------------------------------
    def get(self, slug: str) -> RegisteredTag | None:
        with self._session() as session:
            row = session.get(TagRegistryRow, slug)
            return self._record(session, row) if row is not None else None

    def listing(self, states: Collection[str] = ("pending",), limit: int | None = None) -> list[RegisteredTag]:
        """Tags in these states, the most used first, with up to 3 example article titles."""
        with self._session() as session:
            used = select(TagRow.tag, func.count().label("n")).group_by(TagRow.tag).subquery("used")
            query = (
                select(TagRegistryRow, func.coalesce(used.c.n, 0))
                .outerjoin(used, used.c.tag == TagRegistryRow.slug)
                .where(TagRegistryRow.status.in_(list(states)))
                .order_by(func.coalesce(used.c.n, 0).desc(), TagRegistryRow.slug)
            )
            if limit:
                query = query.limit(limit)
            return [self._record(session, row, int(n)) for row, n in session.execute(query)]

    def _record(self, session: Session, row: TagRegistryRow, count: int | None = None) -> RegisteredTag:
        if count is None:
            count = session.scalar(select(func.count()).select_from(TagRow).where(TagRow.tag == row.slug)) or 0
        titles = session.scalars(
            select(ArticleRow.title)
            .join(TagRow, TagRow.article_id == ArticleRow.id)
            .where(TagRow.tag == row.slug)
            .order_by(ArticleRow.published.desc(), ArticleRow.id)
            .limit(3)
        )
        return RegisteredTag(
            row.slug,
            row.name,
            row.kind,
            row.status,
            row.target,
            row.first_published,
            row.created_at,
            row.reviewed_by,
            row.reviewed_at,
            count,
            tuple(titles),
        )

    def _row(self, session: Session, slug: str) -> TagRegistryRow:
        row = session.get(TagRegistryRow, slug)
        if row is None:
            raise ReviewError(f"no tag {slug!r} among the tags enrichment created (see `newsroom tags review`)")
        return row

    def _articles_with(self, session: Session, slug: str) -> list[str]:
        return list(session.scalars(select(TagRow.article_id).where(TagRow.tag == slug).order_by(TagRow.article_id)))

    def approve(self, slug: str, *, by: str, now: datetime) -> list[str]:
        with self._session() as session, session.begin():
            row = self._row(session, slug)
            if row.status in ("blocked", "merged"):
                raise ReviewError(f"tag {slug!r} is {row.status}; approve its target instead")
            row.status, row.reviewed_by, row.reviewed_at = "approved", by, now
        return []

    def block(self, slug: str, *, by: str, now: datetime) -> list[str]:
        """The tag leaves every article; its names never make a tag again."""
        with self._session() as session, session.begin():
            row = self._row(session, slug)
            affected = self._articles_with(session, slug)
            session.execute(delete(TagRow).where(TagRow.tag == slug))
            row.status, row.target, row.reviewed_by, row.reviewed_at = "blocked", None, by, now
        return affected

    def merge(self, slug: str, into: TagInfo, *, by: str, now: datetime) -> list[str]:
        """The tag's articles and names go to ``into`` (a taxonomy tag or another created one)."""
        if into.slug == slug:
            raise ReviewError(f"cannot merge {slug!r} into itself")
        with self._session() as session, session.begin():
            row = self._row(session, slug)
            target = session.get(TagRegistryRow, into.slug)
            if target is not None and target.status == "blocked":
                raise ReviewError(f"cannot merge into {into.slug!r}: it is blocked")
            if target is not None and target.status == "merged":
                raise ReviewError(f"cannot merge into {into.slug!r}: it was merged into {target.target!r}")
            affected = self._articles_with(session, slug)
            having = set(session.scalars(select(TagRow.article_id).where(TagRow.tag == into.slug)))
            session.execute(delete(TagRow).where(TagRow.tag == slug, TagRow.article_id.in_(having)))
            session.execute(
                update(TagRow).where(TagRow.tag == slug).values(tag=into.slug, name=into.name, kind=into.kind)
            )
            row.status, row.target, row.target_name, row.target_kind = "merged", into.slug, into.name, into.kind
            row.reviewed_by, row.reviewed_at = by, now
            # tags merged into this one earlier now go to the new target too
            session.execute(
                update(TagRegistryRow)
                .where(TagRegistryRow.status == "merged", TagRegistryRow.target == slug)
                .values(target=into.slug, target_name=into.name, target_kind=into.kind)
            )
        return affected

    def rename(self, slug: str, name: str, new_slug: str, *, by: str, now: datetime) -> list[str]:
        """A new name; when its slug differs, a new tag the old one is merged into (old URLs redirect)."""
        name = " ".join(name.split())
        if not name:
            raise ReviewError("the new name is empty")
        with self._session() as session, session.begin():
            row = self._row(session, slug)
            if row.status in ("blocked", "merged"):
                raise ReviewError(f"tag {slug!r} is {row.status}; rename its target instead")
            if new_slug == slug:
                affected = self._articles_with(session, slug)
                session.execute(update(TagRow).where(TagRow.tag == slug).values(name=name))
                row.name, row.reviewed_by, row.reviewed_at = name, by, now
                session.execute(
                    update(TagRegistryRow)
                    .where(TagRegistryRow.status == "merged", TagRegistryRow.target == slug)
                    .values(target_name=name)
                )
                return affected
            if session.get(TagRegistryRow, new_slug) is None:
                session.add(
                    TagRegistryRow(
                        slug=new_slug,
                        name=name,
                        kind=row.kind,
                        status="approved",
                        first_published=row.first_published,
                        created_at=now,
                        reviewed_by=by,
                        reviewed_at=now,
                    )
                )
                session.add(TagKeyRow(key="n:" + fold(name), slug=new_slug))
        return self.merge(slug, TagInfo(new_slug, name, row.kind), by=by, now=now)

    def redirects(self) -> dict[str, str]:
        """Merged tags' slugs -> the slug their URLs now lead to."""
        with self._session() as session:
            query = select(TagRegistryRow.slug, TagRegistryRow.target).where(
                TagRegistryRow.status == "merged", TagRegistryRow.target.is_not(None)
            )
            return {str(s): str(t) for s, t in session.execute(query)}

    def blocked(self) -> list[str]:
        with self._session() as session:
            query = select(TagRegistryRow.slug).where(TagRegistryRow.status == "blocked").order_by(TagRegistryRow.slug)
            return list(session.scalars(query))
