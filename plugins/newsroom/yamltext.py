"""YAML from people: loaded safely, with errors that point at the line of the real mistake.

PyYAML reports where it *noticed* a mistake, which for an unclosed quote or
bracket is the end of the document; the line a person must fix is where the
quote or bracket was opened (the error's context). Aliases (``*name``) are
refused where asked: in an article's front matter they are never needed, and
a kilobyte of nested aliases expands to hundreds of millions of items as soon
as anything turns the value into text.

Called by ``newsroom.ingest.markdown`` (front matter, aliases refused) and
``newsroom.config`` (the newsroom file).
"""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's safe loader where it is built in (several times faster), else the pure-Python one: both are safe.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Errors whose context mark (where something was opened) is the line to fix, not the problem mark.
_OPENED_AT = ("while scanning a quoted scalar", "while parsing a flow sequence", "while parsing a flow mapping")


class YamlProblem(ValueError):
    """Not YAML, or YAML this reader refuses; the message names the line and column."""


def _where(mark: Any, first_line: int) -> str:
    return f"line {mark.line + first_line}, column {mark.column + 1}"


def describe(exc: yaml.YAMLError, first_line: int = 1) -> str:
    """'line N, column C: what is wrong' for a PyYAML error, at the line a person must fix."""
    context = getattr(exc, "context", None) or ""
    context_mark = getattr(exc, "context_mark", None)
    problem_mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if context_mark is not None and context.startswith(_OPENED_AT):
        opened = "quote" if "quoted" in context else "bracket"
        return f"{_where(context_mark, first_line)}: a {opened} opened here is never closed ({problem})"
    if problem_mark is not None:
        return f"{_where(problem_mark, first_line)}: {problem}"
    return problem


def load(text: str, *, first_line: int = 1, aliases: bool = True) -> Any:
    """The YAML value of ``text``; ``first_line`` is the file line of the text's first line."""
    try:
        if not aliases:
            for event in yaml.parse(text, Loader=SAFE_LOADER):
                if isinstance(event, yaml.AliasEvent):
                    where = _where(event.start_mark, first_line)
                    raise YamlProblem(f"{where}: aliases (*name) are not allowed here; write the value out")
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise YamlProblem(describe(exc, first_line)) from None
    except ValueError as exc:  # not a YamlProblem: an impossible date such as 2025-13-45
        if isinstance(exc, YamlProblem):
            raise
        raise YamlProblem(str(exc)) from None
