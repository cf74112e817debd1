"""Related-link retrieval against the real databases: SQLite FTS5 and PostgreSQL full text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from newsroom.enrich.related import choose_related
from newsroom.models import Article
from newsroom.store import Store, Tag
from newsroom.store.db import ArticleRow
from newsroom.store.search import SearchDoc

TZ = ZoneInfo("Africa/Porto-Novo")
T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 7, 1, tzinfo=UTC)

GOITA = Tag("assimi-goita", "Assimi Goïta", "person")
POUTINE = Tag("vladimir-poutine", "Vladimir Poutine", "person")
MALI = Tag("mali", "Mali", "place")
RUSSIE = Tag("russie", "Russie", "place")
COTONOU = Tag("cotonou", "Cotonou", "place")
INONDATIONS = Tag("inondations", "Inondations", "topic")

STORIES = [
    (
        "mali-1",
        0,
        "Assimi Goïta en visite à Moscou",
        "Le président Assimi Goïta est arrivé à Moscou.",
        [GOITA, MALI, RUSSIE],
    ),
    (
        "flood-1",
        1,
        "Cotonou sous les eaux",
        "Des inondations touchent plusieurs quartiers de Cotonou.",
        [COTONOU, INONDATIONS],
    ),
    (
        "mali-2",
        2,
        "Goïta et Poutine signent des accords",
        "Assimi Goïta et Vladimir Poutine ont signé.",
        [GOITA, POUTINE, MALI, RUSSIE],
    ),
    (
        "flood-2",
        3,
        "Inondations à Cotonou : les sinistrés relogés",
        "Les sinistrés des inondations de Cotonou.",
        [COTONOU, INONDATIONS],
    ),
    (
        "mali-3",
        5,
        "Retour d'Assimi Goïta à Bamako",
        "Assimi Goïta est rentré de Moscou après ses accords avec la Russie.",
        [GOITA, MALI, RUSSIE],
    ),
    (
        "mali-late",
        9,
        "Goïta reçoit l'ambassadeur russe",
        "Assimi Goïta a reçu l'ambassadeur de Russie.",
        [GOITA, MALI, RUSSIE],
    ),
]


def _file(store: Store, article_id: str, day: int, title: str, body: str, tags: list[Tag], **extra: object) -> None:
    article = Article.model_validate(
        {
            "id": article_id,
            "slug": article_id,
            "title": title,
            "body_html": f"<p>{body}</p>",
            "section": "diplomatie",
            "published": T0 + timedelta(days=day),
            **extra,
        }
    )
    store.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=TZ)
    store.save_enrichment(
        article_id, tags=tags, language="fr", topics=[], keywords=[], notes=[], candidates=[], now=NOW
    )
    store.search.upsert([SearchDoc(article_id, title, body, " ".join(t.name for t in tags))])


def _related(store: Store, article_id: str, tags: list[Tag]) -> list[str]:
    row = store.rows([article_id])[article_id]
    return choose_related(store, article_id, tags, [], row.title, row.published, NOW)


def test_related_are_earlier_same_story_recent_first(any_store: Store) -> None:
    for story in STORIES:
        _file(any_store, *story)
    assert _related(any_store, "mali-3", [GOITA, MALI, RUSSIE]) == ["mali-2", "mali-1"]
    assert _related(any_store, "flood-2", [COTONOU, INONDATIONS]) == ["flood-1"]
    assert _related(any_store, "mali-1", [GOITA, MALI, RUSSIE]) == []  # nothing earlier


def test_never_itself_never_embargoed_never_taken_down(any_store: Store) -> None:
    for story in STORIES:
        _file(any_store, *story)
    _file(
        any_store, "mali-embargo", 4, "Goïta et Poutine : l'accord secret", "Assimi Goïta, Moscou, Russie.",
        [GOITA, MALI, RUSSIE], embargo_until=NOW + timedelta(days=30),
    )  # fmt: skip
    with any_store.session() as session:
        row = session.get(ArticleRow, "mali-2")
        assert row is not None
        row.taken_down_at = NOW - timedelta(days=1)
    related = _related(any_store, "mali-late", [GOITA, MALI, RUSSIE])
    assert related == ["mali-3", "mali-1"]
    assert "mali-late" not in related and "mali-embargo" not in related and "mali-2" not in related


def test_refiling_replaces_the_index_entry(any_store: Store) -> None:
    _file(any_store, "mali-1", 0, "Assimi Goïta à Moscou", "Goïta à Moscou.", [GOITA, MALI])
    _file(any_store, "mali-1", 0, "Assimi Goïta à Moscou", "Goïta à Moscou, version corrigée.", [GOITA, MALI])
    hits = any_store.search.candidates(["Assimi Goïta"], exclude="x", before=NOW, now=NOW)
    assert [h[0] for h in hits] == ["mali-1"]
