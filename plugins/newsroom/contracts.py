"""The XCom contract: what each task returns, as ``TypedDict``s; small JSON values only.

Light on purpose (``typing`` only): the DAG files import it at parse time for
their task annotations, the phases (``newsroom.phases``) and the libraries
whose values a task returns (the digest's edition, the build folder) use it
for theirs, so mypy checks both ends of each XCom edge.
"""

from __future__ import annotations

from typing import TypedDict


class IngestResult(TypedDict):
    ids: list[str]
    """New versions, then scheduled articles now due."""
    quarantined: list[str]
    unchanged: list[str]


class EnrichResult(TypedDict):
    ids: list[str]
    previous_tags: list[str]
    """The tags the articles held before: their pages change too."""


class RenderResult(TypedDict):
    """A build folder written (``render``; the takedown and tag-review re-renders): its path and counts."""

    build: str
    pages: int
    changed: int


class PublishResult(TypedDict):
    uploaded: int
    unchanged: int
    articles: int
    cdn_invalidations: int
    removed: list[str]  # keys deleted from the bucket: the pages and feeds of tags no live article carries


class ProcessResult(TypedDict, total=False):
    """``newsroom process`` and the ingest DAG's one task: only ``ingest`` when nothing was new or due."""

    ingest: IngestResult
    render: RenderResult
    publish: PublishResult
    goes_live_at: list[str]
    """When the batch's scheduled articles go live (ISO 8601, UTC; later than the run), earliest first."""
    runs_requested: dict[str, str]
    """The ingest task only: the run asked for each of those times (run id -> "requested", "already requested")."""
    seconds: dict[str, float]
    """Wall seconds of each phase; the ingest task adds ``cpu``: its process's CPU seconds, start-up included."""


class RetractResult(TypedDict):
    retracted: list[str]
    not_retracted: dict[str, str]
    skipped_deliveries: int


class TakedownResult(RetractResult):
    article: str
    newly_taken_down: bool
    removed: list[str]
    updated: int
    cdn_invalidations: int


class ReviewResult(TypedDict):
    action: str
    tag: str
    articles: list[str]
    uploaded: int


class PlanResult(TypedDict):
    channels: list[str]
    """The channels that can post (enabled, with credentials): the ``send`` task is mapped over them."""
    planned: dict[str, int]


class BatchResult(TypedDict):
    """What a ``batch`` task returns (a list of them is the ``listings`` task's input)."""

    ids: list[str]
    changed: list[str]
    skipped: bool
    enriched: int
    tags: list[str]
    pages: int
    uploaded: int
    quarantined: list[str]
    refused: list[str]
    seconds: dict[str, float]  # wall, by phase: ingest, enrich, render, publish
    cpu: dict[str, float]  # CPU of the worker process, by phase


class ListingsResult(TypedDict, total=False):
    day: str
    articles: int
    pages: int
    uploaded: int
    skipped: bool
    deferred: bool  # left what is pending to a later day of the range (its listings render once)
    days_rendered: list[str]
    cdn_invalidations: int
    seconds: dict[str, float]  # wall: render, publish (summed over the run's processes)
    cpu: dict[str, float]
    wall_seconds: float  # the run's own, start to end


class DayResult(TypedDict):
    day: str
    batches: list[BatchResult]
    listings: ListingsResult


class DaysResult(TypedDict):
    days: int
    articles: int
    changed: int
    uploaded: int
    quarantined: list[str]
    runs: list[DayResult]


class BuiltDigest(TypedDict):
    """What the ``build`` task returns (the XCom payload of ``publish_page`` and ``send``)."""

    date: str
    build: str
    articles: int
    subject: str
    publishable: bool


class PublishedPages(TypedDict, total=False):
    date: str
    uploaded: int
    unchanged: int
    keys: list[str]
    published: bool


class RefreshedEditions(TypedDict):
    dates: list[str]
    uploaded: list[str]


class ListOutcome(TypedDict, total=False):
    """One subscriber list's state after a ``send`` attempt, from the ledger's counts."""

    state: str
    recipients: int
    sent: int
    failed: int
    unknown: int
    skipped: int
    open: int
    sent_now: int
    batches: int
    added: int


class DigestSendResult(TypedDict, total=False):
    """What the digest's ``send`` task returns; ``held`` says why nothing was sent."""

    date: str
    articles: int
    lists: dict[str, ListOutcome]
    held: str
