"""Related-link retrieval against the real databases: SQLite FTS5 and PostgreSQL full text."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from newsroom.enrich import related
from newsroom.enrich.related import Related, choose_related
from newsroom.models import Article, Dated, Tag
from newsroom.store import Store
from newsroom.store.search import SearchDoc
from newsroom.store.tables import ArticleRow

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


def _file(store: Store, article_id: str, day: float, title: str, body: str, tags: list[Tag], **extra: object) -> None:
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
    store.articles.record_version(article, source_file=f"{article_id}.md", archived_path=None, tz=TZ)
    store.enrichments.save(article_id, tags=tags, language="fr", topics=[], keywords=[], notes=[], now=NOW)
    store.search.upsert([SearchDoc(article_id, title, body, " ".join(t.name for t in tags))])


def _related(store: Store, article_id: str, tags: list[Tag]) -> Related:
    row = store.articles.records([article_id])[article_id]
    body = row.article.body_html
    return choose_related(store, article_id, tags, [], row.title, row.published, NOW, section=row.section, body=body)


def test_same_story_first_then_more_of_the_section_up_to_five(any_store: Store) -> None:
    for story in STORIES:
        _file(any_store, *story)
    mali = _related(any_store, "mali-3", [GOITA, MALI, RUSSIE])
    assert set(mali.ids[: mali.story]) == {"mali-2", "mali-1"}
    assert mali.ids[mali.story :] == ["flood-2", "flood-1"], "then the same section, recent first"
    flood = _related(any_store, "flood-2", [COTONOU, INONDATIONS])
    assert flood.ids[: flood.story] == ["flood-1"]
    assert flood.ids[flood.story :] == ["mali-2", "mali-1"]
    assert _related(any_store, "mali-1", [GOITA, MALI, RUSSIE]).ids == []  # nothing earlier


def test_the_text_alone_qualifies_a_story_link(any_store: Store) -> None:
    """Where tagging found nothing in common, the text match still makes the link (same story first),
    in an archive large enough for a word's rarity to mean something."""
    words = "agriculture budget culture école football hôpital justice marché musique pluie route santé".split()
    for n in range(210):
        text = f"{words[n % 12]} {words[(n * 5) % 12]} numéro {n}"
        _file(any_store, f"filler-{n}", -30 + n / 10, text.capitalize(), f"Chronique {text}.", [])
    _file(
        any_store,
        "port-1",
        0,
        "Le port de Lomé bat son record",
        "Le port autonome de Lomé a traité 30 millions de tonnes.",
        [],
    )
    _file(any_store, "other", 1, "Festival de jazz", "Le festival ouvre ses portes samedi soir.", [])
    _file(
        any_store,
        "port-2",
        2,
        "Record du port de Lomé : les raisons",
        "Le port autonome de Lomé explique son record de tonnes.",
        [],
    )
    related = _related(any_store, "port-2", [])
    assert related.story >= 1 and related.ids[0] == "port-1"


def test_the_same_story_query_looks_back_its_window_older_articles_come_by_their_tags(any_store: Store) -> None:
    old = related.STORY_WINDOW_DAYS
    assert old is not None
    _file(any_store, "mali-0", -old - 10, "Assimi Goïta à Moscou", "Assimi Goïta est arrivé à Moscou.", [GOITA, MALI])
    for story in STORIES:
        _file(any_store, *story)
    row = any_store.articles.records(["mali-3"])["mali-3"]

    def chosen(window: float | None) -> Related:
        return choose_related(
            any_store, "mali-3", [GOITA, MALI, RUSSIE], [], row.title, row.published, NOW,
            section=row.section, body=row.article.body_html, window_days=window,
        )  # fmt: skip

    windowed, whole = chosen(old), chosen(None)
    assert set(windowed.ids[: windowed.story]) == {"mali-2", "mali-1"}
    assert "mali-0" in whole.ids[: whole.story], "over the whole archive the old article is on the story"
    assert "mali-0" in windowed.ids[windowed.story :], "beyond the window it still comes, by its tags"


def test_the_sidebar_lists_the_latest_of_the_articles_country(any_store: Store) -> None:
    for story in STORIES:
        _file(any_store, *story)
    for n in range(8):  # more news of Mali, on other subjects
        _file(
            any_store,
            f"mali-news-{n}",
            10 + n,
            f"Nouvelle {n} du pays",
            f"Chronique numéro {n}.",
            [MALI],
            section="economie",
        )
    _file(
        any_store, "sport-mali", 20, "Football : les Aigles en finale", "Les Aigles en finale.", [MALI], section="sport"
    )
    related = _related(any_store, "sport-mali", [MALI])
    assert len(related.ids) == 5 and len(related.sidebar) == 5, related
    assert related.story == 0, "sharing a country is not the same story"
    published = {i: r.published for i, r in any_store.articles.records([*related.sidebar]).items()}
    assert all(i.startswith("mali") for i in related.sidebar), "the article's country"
    assert related.sidebar == sorted(related.sidebar, key=lambda i: published[i], reverse=True), "newest first"


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
    assert related.ids[: related.story] == ["mali-3", "mali-1"]
    shown = {*related.ids, *related.sidebar}
    assert "mali-late" not in shown and "mali-embargo" not in shown and "mali-2" not in shown


def test_refiling_replaces_the_index_entry(any_store: Store) -> None:
    _file(any_store, "mali-1", 0, "Assimi Goïta à Moscou", "Goïta à Moscou.", [GOITA, MALI])
    _file(any_store, "mali-1", 0, "Assimi Goïta à Moscou", "Goïta à Moscou, version corrigée.", [GOITA, MALI])
    hits = any_store.search.candidates(["Assimi Goïta"], exclude="x", before=NOW, now=NOW)
    assert [h[0] for h in hits] == ["mali-1"]


def test_each_tag_read_once_gives_what_asking_the_index_each_time_gives(
    any_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for story in STORIES:
        _file(any_store, *story)
    _file(any_store, "mali-4", 10, "Goïta à Cotonou", "Assimi Goïta en visite à Cotonou.", [GOITA, MALI, COTONOU])

    def choices() -> list[Related]:
        found = []
        for article_id, _day, _title, _body, tags in [*STORIES, ("mali-4", 10, "", "", [GOITA, MALI, COTONOU])]:
            record = any_store.articles.records([article_id])[article_id]
            for by_tags in (False, True):
                found.append(
                    choose_related(
                        any_store, article_id, tags, [], record.title, record.published, NOW,
                        section=record.section, body=record.article.body_html, by_tags=by_tags, limit=3,
                    )
                )  # fmt: skip
        return found

    def ask_each_time(self: Any, tag: str, limit: int, exclude: Collection[str]) -> list[Dated]:
        return any_store.listings.latest_before(NOW, self.published, tag=tag, limit=limit, exclude=exclude)

    with monkeypatch.context() as patch:
        patch.setattr(related._Latest, "tagged", ask_each_time)
        expected = choices()
    assert any(r.sidebar for r in expected) and any(r.story for r in expected)
    assert choices() == expected
    small = related._Latest.__init__

    def small_pools(self: Any, *args: Any) -> None:
        small(self, *args)
        self.size = 1

    monkeypatch.setattr(related._Latest, "__init__", small_pools)  # pools run out: the index is asked
    assert choices() == expected


def test_pools_shared_by_a_batch_give_what_each_article_asking_alone_gets(
    any_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's articles share each tag's latest (``Pools``), as a backfill's articles of one day do: the
    same links as each asking the index, also when an article is in the pools itself (related to a
    time after its own date, as a re-dated article's preview is)."""
    for story in STORIES:
        _file(any_store, *story)
    _file(any_store, "mali-4", 10, "Goïta à Cotonou", "Assimi Goïta en visite à Cotonou.", [GOITA, MALI, COTONOU])
    after_all = T0 + timedelta(days=20)
    batch = [(s[0], s[4]) for s in STORIES] + [("mali-4", [GOITA, MALI, COTONOU])]

    def choices(pools: related.Pools | None, when: datetime | None) -> list[Related]:
        found = []
        for article_id, tags in batch:
            record = any_store.articles.records([article_id])[article_id]
            for by_tags in (False, True):
                found.append(
                    choose_related(
                        any_store, article_id, tags, [], record.title, when or record.published, NOW,
                        section=record.section, body=record.article.body_html, by_tags=by_tags, limit=3,
                        pools=pools,
                    )
                )  # fmt: skip
        return found

    def ask_each_time(self: Any, tag: str, limit: int, exclude: Collection[str]) -> list[Dated]:
        return any_store.listings.latest_before(NOW, self.published, tag=tag, limit=limit, exclude=exclude)

    for when in (after_all, None):
        with monkeypatch.context() as patch:
            patch.setattr(related._Latest, "tagged", ask_each_time)
            expected = choices(None, when)
        assert any(r.story for r in expected) and any(r.sidebar for r in expected)
        assert choices(related.Pools(any_store), when) == expected
        with monkeypatch.context() as patch:
            patch.setattr(related.Pools, "size", 2)  # each article's pools of 1: they run out, the index is asked
            assert choices(related.Pools(any_store), when) == expected
