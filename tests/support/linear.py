"""CPU-time growth of a function between two input sizes: linear code grows ~8x from n to 8n, quadratic ~64x.

Load-robust: it measures ``time.process_time`` (this process's CPU time, not the wall clock),
repeats each call until a tenth of a second is spent (the CPU clock may tick every few ms),
and keeps the best of three. Used by the tests of hostile input (tests/archive, tests/ingest).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

MAX_GROWTH = 20  # for 8x the input: linear code gives about 8, quadratic 64


def cpu_per_call(function: Callable[[Any], object], argument: Any, minimum: float = 0.1) -> float:
    calls, started = 0, time.process_time()
    while calls == 0 or time.process_time() - started < minimum:
        function(argument)
        calls += 1
    return (time.process_time() - started) / calls


def growth(function: Callable[[Any], object], small: Any, large: Any, repeats: int = 3) -> float:
    """CPU time of ``function(large)`` over that of ``function(small)``, best of ``repeats`` each."""
    return min(cpu_per_call(function, large) for _ in range(repeats)) / min(
        cpu_per_call(function, small) for _ in range(repeats)
    )


def refusing(function: Callable[[Any], object], *errors: type[BaseException]) -> Callable[[Any], object]:
    """``function`` with its documented errors swallowed, for timing inputs it refuses."""

    def call(argument: Any) -> object:
        try:
            return function(argument)
        except errors:
            return None

    return call
