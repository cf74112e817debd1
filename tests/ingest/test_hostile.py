"""Hostile filings: Markdown that makes parsers backtrack is read in linear time; odd YAML is refused by field.

Time is measured as CPU time at n and 8n (tests/support/linear.py): linear code grows about 8 times,
quadratic 64. The readers' other refusals are in test_reader.py.
"""

from __future__ import annotations

import pytest

from newsroom.models import ArticleError
from tests.ingest.conftest import Read, Refuse, markdown
from tests.support.linear import MAX_GROWTH, growth, refusing


@pytest.mark.parametrize(
    ("unit", "count"),
    [
        ("[", 2_000),
        ("![", 2_000),
        ("[a](b", 1_000),
        ("*a **a ", 600),
        ("_*", 2_000),
        ("a|b\n-|-\n" + "x|y\n" * 9, 100),
        ("a\n=\n", 1_000),
        ("</<!--", 700),
        ("> ", 2_000),
    ],
    ids=[
        "brackets",
        "images",
        "unclosed links",
        "nested emphasis",
        "delimiters",
        "tables",
        "setext",
        "comments",
        "quotes",
    ],
)
def test_hostile_markdown_takes_linear_time(read: Read, unit: str, count: int) -> None:
    """cmark's pathological inputs, 8 times larger: CPU time grows about 8 times (64 if it were quadratic)."""
    head = "id: hostile\ntitle: Un titre\nsection: news"
    filing = refusing(read, ArticleError)
    assert growth(filing, markdown(head, unit * count), markdown(head, unit * count * 8)) < MAX_GROWTH


def test_front_matter_over_64_kb_is_refused_before_it_is_parsed(refuse: Refuse) -> None:
    exc = refuse(markdown("title: Un titre\nsection: news\nsummary: " + "[a, " * 20_000))

    assert (exc.field, exc.reason) == (
        "front matter",
        "80,039 bytes is over the limit of 64 KB (the article's text goes after the second '---')",
    )


@pytest.mark.parametrize(
    ("head", "field", "reason"),
    [
        ("title: T\nsection: 0x" + "f" * 4_000, "section", "expected a section's name, got int: expected one of news"),
        ("title: T\nsection: news\ntags: [0x" + "f" * 4_000 + "]", "tags", "a number thousands of digits long"),
        ("title: T\nsection: news\n? 0x" + "f" * 4_000 + "\n: x", "front matter", "a key is a int: keys are field"),
        ("title: T\nsection: news\n? [a, b]\n: x", "front matter", "not valid YAML: line 4, column 3: found unhash"),
        ("title: T\nsection: news\npublished: 0001-01-01T00:00:00+01:00", "published", "0001-01-01T00:00:00+01:00 is"),
    ],
    ids=["a 4,800-digit section", "a 4,800-digit tag", "a 4,800-digit key", "a list as a key", "year 1"],
)
def test_odd_yaml_values_are_refused_with_the_field(refuse: Refuse, head: str, field: str, reason: str) -> None:
    exc = refuse(markdown(head))

    assert exc.field == field
    assert exc.reason.startswith(reason)
