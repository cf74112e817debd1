"""``python -m bench.fuzz [--cases 10000] [--seed 15] [--only markdown,wxr] [--case N]``: the fuzz run.

Prints, per parser: cases, read, refused (the documented error), escaped (any
other exception), over budget, and the mean and maximum CPU milliseconds per
input; exits 1 if anything escaped or went over budget. Each failing input is
saved under ``bench-out/fuzz/`` with its traceback, for replay with ``--case``.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from bench.fuzz.targets import Target, budget, fuzz_config, scratch_dir, targets
from bench.util import REPO_ROOT, log

SEED = 15
SMALL_CAP = 64_000  # most cases: hostile runs up to 64 KB, where a quadratic path already costs seconds
LARGE_SHARE = 0.005  # this share of the cases goes up to the parser's own size limit
RUNAWAY_SECONDS = 60.0  # CPU seconds after which a case is stopped (and counted over budget)


class Runaway(BaseException):
    """Raised in the case by the CPU-time alarm; a BaseException so no `except Exception` of the parsers eats it."""


@dataclass
class Tally:
    """What one parser's cases came to."""

    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    escaped: list[str] = field(default_factory=list)  # "case N: Type: message"
    over: list[str] = field(default_factory=list)
    warm_up: list[str] = field(default_factory=list)  # over budget once, within it when run again
    millis: list[float] = field(default_factory=list)
    largest: int = 0

    def row(self, name: str) -> str:
        mean = statistics.fmean(self.millis) if self.millis else 0.0  # the CPU clock may tick every few ms
        worst = max(self.millis, default=0.0)
        return (
            f"{name:<10} {self.cases:>7,} {self.outcomes['read']:>7,} {self.outcomes['refused']:>8,} "
            f"{len(self.escaped):>8,} {len(self.over):>12,} {mean:>8.2f} {worst:>9.1f} {self.largest:>11,}"
        )


def case_rng(seed: int, name: str, index: int) -> random.Random:
    """The generator of case ``index`` of a parser: a function of (seed, parser, index) alone."""
    return random.Random(f"{seed}:{name}:{index}")


def case_input(target: Target, seed: int, index: int, small_cap: int = SMALL_CAP) -> bytes:
    rng = case_rng(seed, target.name, index)
    cap = target.limit if rng.random() < LARGE_SHARE else small_cap
    return target.generate(rng, cap)[: target.limit]


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Runaway


def run_case(target: Target, data: bytes, config: object, scratch: Path) -> tuple[str, float, str | None]:
    """(outcome, CPU seconds, traceback if it escaped); outcome is read, refused, escaped or runaway."""
    previous = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, RUNAWAY_SECONDS)
    started = time.process_time()
    try:
        outcome, failure = target.run(data, config, scratch), None  # type: ignore[arg-type]
    except Runaway:
        outcome, failure = "runaway", None
    except Exception:
        outcome, failure = "escaped", traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    return outcome, time.process_time() - started, failure


def fuzz(
    cases: int,
    seed: int,
    only: set[str] | None = None,
    save: Path | None = None,
    first: int = 0,
    small_cap: int = SMALL_CAP,
) -> dict[str, Tally]:
    """Run ``cases`` cases per parser (from case ``first``); failing inputs are written to ``save`` if given.

    ``small_cap`` bounds the hostile runs of all but the large cases (the test suite's run keeps them small).
    """
    tallies: dict[str, Tally] = {}
    with scratch_dir() as scratch_name:
        scratch = Path(scratch_name)
        config = fuzz_config(scratch / "state")
        for target in targets(config):
            if only and target.name not in only:
                continue
            tally = tallies[target.name] = Tally()
            log(f"{target.name}: {cases:,} cases ({target.reads})")
            for index in range(first, first + cases):
                data = case_input(target, seed, index, small_cap)
                outcome, seconds, failure = run_case(target, data, config, scratch)
                tally.cases += 1
                tally.outcomes[outcome] += 1
                tally.millis.append(seconds * 1000)
                tally.largest = max(tally.largest, len(data))
                late = outcome == "runaway" or seconds > budget(len(data))
                if late and outcome != "runaway" and run_case(target, data, config, scratch)[1] <= budget(len(data)):
                    # within budget the second time: a library's one-time start-up (dateparser loads
                    # its locales on first use, ~2 s), not a cost of this input
                    tally.warm_up.append(f"case {index}: {seconds:.2f} s the first time, within budget after")
                    late = False
                if failure is not None:
                    tally.escaped.append(f"case {index}: {failure.strip().splitlines()[-1]}")
                if late:
                    tally.over.append(f"case {index}: {seconds:.2f} s for {len(data):,} bytes")
                if (failure or late) and save is not None:
                    _save(save, target, index, data, failure or f"over budget: {seconds:.2f} s CPU")
    return tallies


def _save(folder: Path, target: Target, index: int, data: bytes, why: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{target.name}-{index}{target.suffix}").write_bytes(data)
    (folder / f"{target.name}-{index}.txt").write_text(why, encoding="utf-8")


def report(tallies: dict[str, Tally], seed: int) -> str:
    head = (
        f"{'parser':<10} {'cases':>7} {'read':>7} {'refused':>8} {'escaped':>8} {'over budget':>12} "
        f"{'mean ms':>8} {'max ms':>9} {'max bytes':>11}"
    )
    lines = [f"Fuzz: seed {seed}, budget max(1 s, 20 µs/byte) CPU per input; load average {_loadavg()}", head]
    lines += [tally.row(name) for name, tally in tallies.items()]
    for name, tally in tallies.items():
        lines += [f"  {name} escaped {line}" for line in tally.escaped[:10]]
        lines += [f"  {name} over budget {line}" for line in tally.over[:10]]
        lines += [f"  {name} one-time start-up (not counted) {line}" for line in tally.warm_up[:10]]
    return "\n".join(lines)


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases per parser (default 10,000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--only", default="", help="comma-separated parsers: markdown,ninjs,html,wxr,sanitiser,partition"
    )
    parser.add_argument("--case", type=int, default=None, help="replay this one case (of each parser chosen)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench-out" / "fuzz", help="where failing inputs go")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()} or None
    first, cases = (args.case, 1) if args.case is not None else (0, args.cases)
    tallies = fuzz(cases, args.seed, only, save=args.out, first=first)
    print(report(tallies, args.seed))
    failed = any(t.escaped or t.over for t in tallies.values())
    if failed:
        print(f"failing inputs and their tracebacks: {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
