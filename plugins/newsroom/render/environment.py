"""The one Jinja2 environment: loader, autoescape, and every filter, made here only.

Templates come from the configured folder (``include/templates``). A missing
template raises an error listing the paths searched. Filters format dates in
French in the site's time zone (Babel), so pages read like the sample site.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape


class TemplateMissingError(LookupError):
    pass


def make_environment(template_dir: Path, *, timezone: str, locale: str = "fr_FR") -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    tz = ZoneInfo(timezone)

    @lru_cache(maxsize=65536)
    def _fmt(value: datetime, pattern: str) -> str:
        return format_datetime(value.astimezone(tz), pattern, locale=locale)

    def date_fr(value: datetime | None) -> str:
        return _fmt(value, "EEEE d MMMM y") if value else ""

    def datetime_fr(value: datetime | None) -> str:
        return _fmt(value, "EEEE d MMMM y 'à' HH'h'mm") if value else ""

    def short_date_fr(value: datetime | None) -> str:
        return _fmt(value, "d MMMM y") if value else ""

    def iso(value: datetime | None) -> str:
        return value.astimezone(tz).isoformat(timespec="seconds") if value else ""

    env.filters.update(date_fr=date_fr, datetime_fr=datetime_fr, short_date_fr=short_date_fr, iso=iso)
    return env


def make_text_environment(template_dir: Path) -> Environment:
    """Plain-text templates (social posts, the email's text part): no autoescape; a template
    that produces HTML (Telegram's) escapes explicitly with ``|e``."""
    return Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )


def get_template(env: Environment, name: str):  # type: ignore[no-untyped-def]
    try:
        return env.get_template(name)
    except TemplateNotFound:
        loader = env.loader
        searched = getattr(loader, "searchpath", [])
        raise TemplateMissingError(f"template {name!r} not found; searched: {', '.join(map(str, searched))}") from None
