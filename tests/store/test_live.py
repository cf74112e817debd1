"""The one "live" rule (newsroom.store.live) says the same in its three forms: SQLAlchemy, SQL text, Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from newsroom.models import Article
from newsroom.store import Store
from newsroom.store.live import is_live, live, live_sql
from newsroom.store.tables import ArticleRow, UTCDateTime

NOW = datetime(2025, 6, 20, 12, 0, tzinfo=UTC)


def _file(store: Store, article_id: str, **dates: datetime) -> None:
    article = Article(
        id=article_id,
        slug=article_id,
        title=article_id,
        body_html="<p>x</p>",
        section="politique",
        published=NOW - timedelta(days=1),
        **dates,
    )
    store.articles.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=ZoneInfo("UTC"))


def test_the_three_forms_agree(any_store: Store) -> None:
    _file(any_store, "live")
    _file(any_store, "scheduled", publish_at=NOW + timedelta(hours=1))
    _file(any_store, "embargoed", embargo_until=NOW + timedelta(hours=2))
    _file(any_store, "was-embargoed", embargo_until=NOW - timedelta(hours=2))
    _file(any_store, "gone")
    any_store.takedowns.take_down("gone", reason="erreur", by="test", now=NOW)
    expected = {"live", "was-embargoed"}

    records = any_store.articles.records(any_store.articles.all_ids())
    assert {i for i, r in records.items() if is_live(r.taken_down_at, r.visible_from, NOW)} == expected
    with any_store.session() as session:
        assert set(session.scalars(select(ArticleRow.id).where(live(NOW)))) == expected
        rows = session.execute(
            text(f"SELECT a.id FROM articles a WHERE {live_sql('a')}"),
            {"now": UTCDateTime().process_bind_param(NOW, None)},
        )
        assert {str(r[0]) for r in rows} == expected
    assert any_store.articles.live_ids(records, NOW) == expected
    assert any_store.articles.waiting_ids(records, NOW) == ["embargoed", "scheduled"]
