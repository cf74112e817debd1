"""A database made before Alembic, brought to the baseline's shape: the steps earlier releases ran at every open.

Until Alembic, each process created the tables a database lacked and altered those an earlier
version had made, whenever it opened it. A database from then has tables and no ``alembic_version``;
:func:`reshape` runs those in-place steps on it once (each checks first), then the baseline revision
creates whatever is still missing (tables, indexes, the search index and its token counts, filled
from the vocabulary) and Alembic stamps it 0001. Called by ``newsroom.store.schema.upgrade`` only,
inside the upgrade's transaction; nothing is dropped but an index the baseline replaces.
"""

from __future__ import annotations

from sqlalchemy import Connection, DateTime, inspect, text


def reshape(conn: Connection) -> list[str]:
    """Alter the tables an earlier version made to the baseline's shape; what was done, in words."""
    schema = inspect(conn)
    tables = set(schema.get_table_names())
    done = []
    if "article_tags" in tables and "published" not in {c["name"] for c in schema.get_columns("article_tags")}:
        # the tag rows' copy of their article's publication date (2026-12-03)
        kind = DateTime().compile(dialect=conn.dialect)  # what UTCDateTime stores
        conn.execute(text(f"ALTER TABLE article_tags ADD COLUMN published {kind}"))
        conn.execute(
            text(
                "UPDATE article_tags SET published = "
                "(SELECT articles.published FROM articles WHERE articles.id = article_tags.article_id)"
            )
        )
        done.append("article_tags.published filled from the articles")
    if "related" in tables and "kind" not in {c["name"] for c in schema.get_columns("related")}:
        # links chosen before kinds existed all came from the text match
        conn.execute(text("ALTER TABLE related ADD COLUMN kind VARCHAR(8) DEFAULT 'story'"))
        conn.execute(text("UPDATE related SET kind = 'story' WHERE kind IS NULL"))
        done.append("related.kind set to 'story'")
    if "article_tags" in tables and "ix_article_tags_tag" in {i["name"] for i in schema.get_indexes("article_tags")}:
        # a prefix of the baseline's (tag, published, article_id) index: dropped, not kept up to date for nothing
        conn.execute(text("DROP INDEX ix_article_tags_tag"))
        done.append("ix_article_tags_tag dropped")
    return done
