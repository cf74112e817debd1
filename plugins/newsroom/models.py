"""The data the pipeline passes between phases: articles, quarantine reports, and the
plain records the store hands out (``ArticleRecord``, ``Listed``, ``Tag``, ``StoredObject``...).

``Article`` is what ingest produces from any source format (Markdown, ninjs
JSON) and what enrich and render consume. Validation lives here so every
reader applies the same rules; a failure becomes an :class:`ArticleError`
naming the file, the field and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import Any, NamedTuple, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from newsroom.text import is_safe_id, is_slug, one_line, url_problem

# dates an article may carry: outside these the store (and any reader's clock arithmetic) cannot hold them
MIN_YEAR, MAX_YEAR = 1800, 2200


def in_range(value: datetime) -> datetime:
    """An aware datetime an article may carry, or ValueError saying why not (the store and clock arithmetic
    need a UTC time between MIN_YEAR and MAX_YEAR). Called by the model and by ``ingest.reader.parse_datetime``."""
    try:  # 0001-01-01 with a positive offset, 9999-12-31 with a negative one: no UTC time exists
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is out of range") from None
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise ValueError(f"{value.isoformat()} is out of range: the year must be {MIN_YEAR} to {MAX_YEAR}")
    return value


class Image(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=1)
    alt: str = ""
    caption: str = ""
    credit: str = ""

    @field_validator("url")
    @classmethod
    def _safe(cls, value: str) -> str:
        # javascript:/data: kept in <img src> and og:image, "http://[oops" crashed the render: refused here,
        # where every format's reader and the archive importer pass
        url = value.strip().replace(" ", "%20")  # a space in a file name is common in archives: kept, encoded
        problem = url_problem(url)
        if problem:
            raise ValueError(problem)
        return url

    @field_validator("alt", "caption", "credit", mode="before")
    @classmethod
    def _line(cls, value: Any) -> Any:
        return one_line(value) if isinstance(value, str) else value


class Article(BaseModel):
    """One version of an article, normalised and sanitised.

    Dates are timezone-aware (UTC). ``body_html`` is already sanitised; the
    templates may mark it safe. ``tags`` are the journalist's manual tags as
    written; enrich maps them to canonical tags.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    slug: str
    title: str = Field(min_length=1, max_length=300)
    body_html: str = Field(min_length=1)
    section: str
    authors: list[str] = Field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    publish_at: datetime | None = None
    embargo_until: datetime | None = None
    summary: str = ""
    image: Image | None = None
    tags: list[str] = Field(default_factory=list)
    blocked_tags: list[str] = Field(default_factory=list)
    language: str = "fr"
    correction: str | None = None
    repost: bool = False
    source_format: str = "markdown"
    notes: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not is_safe_id(value):
            raise ValueError(
                f"{value!r} is not a safe id: use letters, digits, '-', '_' or '.', "
                "no slash and no '..', at most 128 characters"
            )
        return value

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not is_slug(value):
            raise ValueError(f"{value!r} is not a slug: lowercase letters, digits and single hyphens")
        return value

    # Before the type checks, so that a title of invisible characters alone is an empty title: no bidi
    # override, control character or zero-width space reaches a reader (text.INVISIBLE)
    @field_validator("title", "summary", "correction", mode="before")
    @classmethod
    def _line(cls, value: Any) -> Any:
        return one_line(value) if isinstance(value, str) else value

    @field_validator("authors", "tags", "blocked_tags", mode="before")
    @classmethod
    def _lines(cls, values: Any) -> Any:
        if not isinstance(values, list):
            return values
        lines = [one_line(v) if isinstance(v, str) else v for v in values]
        return [line for line in lines if line != ""]  # a name of invisible characters alone is no name

    @field_validator("published", "updated", "publish_at", "embargo_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetime without a time zone reached the model")
        return in_range(value)


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str


@dataclass
class ArticleError(Exception):
    """An article that cannot be accepted: the file, and each field with its reason."""

    file: str
    problems: list[Problem] = dc_field(default_factory=list)
    article_id: str | None = None

    def __str__(self) -> str:
        parts = "; ".join(f"{p.field}: {p.reason}" for p in self.problems)
        return f"{self.file}: {parts}"

    @property
    def field(self) -> str:
        return self.problems[0].field if self.problems else "file"

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else "unknown error"


# -- what the store hands out (``newsroom.store``): plain values, never ORM rows --------------


class StorageError(Exception):
    """The object store refused a request or could not be reached; the message names the connection."""


@dataclass(frozen=True)
class LockHolder:
    """Who holds a run lock (``Store.locks``): the process, its host, since when."""

    pid: int
    host: str
    since: datetime

    def describe(self, tz: tzinfo = UTC) -> str:
        local = self.since.astimezone(tz)
        return f"pid {self.pid} on {self.host}, since {local:%Y-%m-%d %H:%M:%S} {local.tzname() or tz}"


class BusyError(Exception):
    """Another process still held a run lock when the wait ended; the message names the holder."""

    def __init__(self, name: str, holder: LockHolder | None, waited: float) -> None:
        who = holder.describe() if holder else "holder unknown"
        super().__init__(
            f"another {name} is still running after {waited:.0f} s of waiting ({who}): try again when it has finished"
        )
        self.holder = holder


class SchemaError(Exception):
    """The state database is not at the schema revision this release needs, or upgrading it failed;
    the message says which revision and what to run (``newsroom.store.schema``)."""


class TakenDownError(Exception):
    """A taken-down article was filed again: refused until an editor restores it."""

    def __init__(self, article_id: str, at: datetime, tz: tzinfo = UTC) -> None:
        local = at.astimezone(tz)  # the desk reads times in the site's zone
        super().__init__(
            f"article {article_id!r} was taken down on {local:%Y-%m-%d %H:%M} {local.tzname() or tz}; "
            f"restore it first with `newsroom restore {article_id}`"
        )
        self.article_id = article_id


@dataclass(frozen=True)
class Filed:
    article_id: str
    version: int
    changed: bool
    path: str


@dataclass(frozen=True)
class Listed:
    """What a listing (home, section, tag page) shows of an article."""

    id: str
    title: str
    path: str
    section: str
    published: datetime
    modified: datetime
    summary: str
    image_url: str | None
    image_alt: str


class Dated(NamedTuple):
    """An earlier article as related links weigh it: its id and when it was published."""

    id: str
    published: datetime


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    kind: str = "topic"


@dataclass(frozen=True)
class StoredObject:
    key: str
    md5: str
    size: int
    content_type: str
    kind: str
    article_id: str | None


class EnrichmentInfo(TypedDict, total=False):
    """What enrichment found for an article beyond its tags (``Store.enrichments.of``).

    The store always fills every key; ``total=False`` lets a caller read an article
    not enriched yet as ``{}`` (``of(ids).get(article_id, {})``)."""

    language: str
    topics: list[str]
    keywords: list[str]
    notes: list[str]


@dataclass(frozen=True)
class ArticleRecord:
    """An article as the store keeps it: its current version (:attr:`article`) and its state.

    ``visible_from``: the later of publish_at and embargo_until (None: visible once filed);
    ``went_live_at``: when its page first went up; ``status``: filed, scheduled, rendered,
    published, backfill or taken_down.
    """

    id: str
    version: int
    content_hash: str
    slug: str
    path: str
    section: str
    title: str
    summary: str
    image_url: str | None
    image_alt: str
    published: datetime
    modified: datetime
    visible_from: datetime | None
    went_live_at: datetime | None
    taken_down_at: datetime | None
    status: str
    filed_at: datetime
    content: dict[str, Any] = dc_field(repr=False, compare=False)

    @cached_property
    def article(self) -> Article:
        """The current version, validated (once) from what was stored."""
        return Article.model_validate(self.content)

    @property
    def authors(self) -> tuple[str, ...]:
        """The current version's authors, read without validating the whole article (feeds list many)."""
        return tuple(str(a) for a in self.content.get("authors") or ())

    @property
    def repost(self) -> bool:
        """Whether a correction asks to be posted again (the social planner reads it every minute)."""
        return bool(self.content.get("repost"))

    @property
    def listed(self) -> Listed:
        """What a listing shows of it."""
        return Listed(
            self.id,
            self.title,
            self.path,
            self.section,
            self.published,
            self.modified,
            self.summary,
            self.image_url,
            self.image_alt,
        )
