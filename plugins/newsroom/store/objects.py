"""Published objects: what is in the bucket, as we last uploaded it (the publish diff compares with this).

Written by publish through ``Store.objects``; read by publish, the takedown flow
and render (which listing indexes and feeds were never published yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select

from newsroom.models import StoredObject
from newsroom.store.articles import utcnow
from newsroom.store.base import Repository, chunked, in_chunks, unique
from newsroom.store.tables import ObjectRow


def _stored(row: ObjectRow) -> StoredObject:
    return StoredObject(row.key, row.md5, row.size, row.content_type, row.kind, row.article_id)


class ObjectRepository(Repository):
    def get(self, keys: Iterable[str] | None = None) -> dict[str, StoredObject]:
        """The objects with these keys (all of them, if None), by key; keys never uploaded are left out."""
        with self.session() as session:
            if keys is None:
                rows = list(session.scalars(select(ObjectRow)))
            else:
                rows = list(in_chunks(session, select(ObjectRow), ObjectRow.key, keys, scalars=True))
            return {r.key: _stored(r) for r in rows}

    def keys_with_prefix(self, prefix: str) -> list[str]:
        """The keys we uploaded that start with ``prefix``, in order."""
        with self.session() as session:
            query = select(ObjectRow.key).where(func.substr(ObjectRow.key, 1, len(prefix)) == prefix)
            return list(session.scalars(query.order_by(ObjectRow.key)))

    def record(self, objects: Sequence[StoredObject], now: datetime | None = None) -> None:
        """Objects just uploaded (replacing what was recorded under their keys)."""
        now = now or utcnow()
        with self.session() as session:
            rows = in_chunks(session, select(ObjectRow), ObjectRow.key, (obj.key for obj in objects), scalars=True)
            existing: dict[str, ObjectRow] = {r.key: r for r in rows}
            for obj in objects:
                row = existing.get(obj.key)
                if row is None:
                    existing[obj.key] = row = ObjectRow(key=obj.key)
                    session.add(row)
                row.md5, row.size, row.content_type = obj.md5, obj.size, obj.content_type
                row.kind, row.article_id, row.uploaded_at = obj.kind, obj.article_id, now

    def forget(self, keys: Iterable[str]) -> None:
        """Objects deleted from the bucket."""
        with self.session() as session:
            for chunk in chunked(unique(keys)):
                session.execute(delete(ObjectRow).where(ObjectRow.key.in_(list(chunk))))
