"""How long a post may be on each platform, and how the platform counts its length.

Each channel class declares its ``limit`` (a :class:`Limit`);
``newsroom.distribute.posts`` shortens a rendered post until it fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import regex

_URL = re.compile(r"https?://\S+")


def x_length(text: str) -> int:
    """X's weighted length, simplified: every link counts 23."""
    return len(_URL.sub("x" * 23, text))


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


@dataclass(frozen=True)
class Limit:
    size: int
    measure: Callable[[str], int]
