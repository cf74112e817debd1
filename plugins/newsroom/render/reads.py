"""What render reads, and nothing more: :class:`SiteReads`, the store as render sees it.

Render never writes to the store. Every module of ``newsroom.render`` is typed
against these protocols, not against ``newsroom.store.Store`` (which satisfies
them: ``Store.articles``, ``.listings``, ``.enrichments``, ``.related``,
``.registry`` and ``.objects`` have these methods), so a reader sees here all
render may ask, and a test may hand render any object that answers them.

``objects`` is the index of what publish uploaded: render reads two things of it
only, which listing indexes and feeds exist yet (to publish those never
published) and the numbered pages a merged tag had (to redirect them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from newsroom.models import ArticleRecord, EnrichmentInfo, Listed, StoredObject, Tag


class ArticleReads(Protocol):
    def records(self, ids: Iterable[str]) -> dict[str, ArticleRecord]: ...

    def authors(self, ids: Iterable[str]) -> dict[str, tuple[str, ...]]: ...

    def live_ids(self, ids: Iterable[str], now: datetime) -> set[str]: ...

    def all_ids(self) -> list[str]: ...


class ListingReads(Protocol):
    def items(
        self,
        now: datetime,
        *,
        sections: Sequence[str] | None = None,
        tag: str | None = None,
        limit: int | None = None,
        since: datetime | None = None,
        path_prefix: str | None = None,
    ) -> list[Listed]: ...

    def ids(self, now: datetime, *, sections: Sequence[str] | None = None, tag: str | None = None) -> list[str]: ...

    def listed(self, ids: Iterable[str]) -> dict[str, Listed]: ...

    def newest_by_path_prefix(self, now: datetime, length: int) -> dict[str, datetime]: ...

    def tag_first_page_lastmod(self, now: datetime, size: int) -> dict[str, datetime]: ...


class EnrichmentReads(Protocol):
    def tags_of(self, ids: Iterable[str]) -> dict[str, list[Tag]]: ...

    def of(self, ids: Iterable[str]) -> dict[str, EnrichmentInfo]: ...

    def tag_names(self, slugs: Iterable[str]) -> dict[str, str]: ...

    def tags_in_use(self, now: datetime, among: Sequence[str] | None = None) -> list[str]: ...

    def tag_slugs(self) -> list[str]: ...


class RelatedReads(Protocol):
    def of(self, ids: Iterable[str], *, story_only: bool = False) -> dict[str, list[str]]: ...

    def newer_relating(self, ids: Iterable[str], now: datetime, limit: int = 3) -> dict[str, list[str]]: ...

    def sidebar_of(self, ids: Iterable[str]) -> dict[str, list[str]]: ...

    def relating_to(self, ids: Iterable[str]) -> set[str]: ...


class RedirectReads(Protocol):
    def redirects(self) -> dict[str, str]: ...


class PublishedReads(Protocol):
    def get(self, keys: Iterable[str] | None = None) -> dict[str, StoredObject]: ...

    def keys_with_prefix(self, prefix: str) -> list[str]: ...


class SiteReads(Protocol):
    """The store's reads that render makes (``newsroom.store.Store`` is one)."""

    @property
    def articles(self) -> ArticleReads: ...

    @property
    def listings(self) -> ListingReads: ...

    @property
    def enrichments(self) -> EnrichmentReads: ...

    @property
    def related(self) -> RelatedReads: ...

    @property
    def registry(self) -> RedirectReads: ...

    @property
    def objects(self) -> PublishedReads: ...
