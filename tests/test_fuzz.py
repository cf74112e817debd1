"""The fuzz harness's small run: no generated hostile input escapes a reader of outside input.

``make fuzz`` runs 10,000 cases per parser with hostile runs up to 64 KB and
checks each against a CPU-time budget; this runs 300 per parser, runs up to
8 KB, the same fixed seed, and asserts only that nothing escapes (time is for
``make fuzz`` to report, not for a test on a loaded machine to assert).
"""

from __future__ import annotations

import pytest

from bench.fuzz.__main__ import SEED, fuzz

PARSERS = ["markdown", "ninjs", "html", "wxr", "sanitiser", "partition"]


@pytest.mark.parametrize("parser", PARSERS)
def test_no_hostile_input_escapes_the_reader(parser: str) -> None:
    tally = fuzz(cases=300, seed=SEED, only={parser}, small_cap=8_000)[parser]

    assert tally.cases == 300
    assert tally.escaped == []
    assert tally.outcomes["read"] > 0  # valid structure survives the mutations often enough to be read...
    if parser != "sanitiser":  # ...and hostile enough to be refused (the sanitiser refuses nothing)
        assert tally.outcomes["refused"] > 0
