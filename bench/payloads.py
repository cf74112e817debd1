"""The payload matrix: classes of XSS and spoofing payloads x the surfaces readers see.

    python -m bench.payloads [--json FILE]

Runs the battery of ``tests/test_payloads.py`` (:mod:`tests.support.battery`:
every payload filed through every field, in Markdown and ninjs; the whole
site, the digest and every channel's posts built by the real pipeline, the
platforms being the loopback fakes) and prints, for each class and surface,
how many outputs a reader would run (or be spoofed by): all must be 0; the
last column is how many outputs of that surface were read. Below it, the
probes refused at filing and the fields that no longer read as filed. Exits 1 if any count is not 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from bench.util import log
from tests.support.battery import SURFACES, matrix, run_all
from tests.support.payloads import KINDS, PAYLOADS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the counts as JSON to this file")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the probes' quarantine lines, the fakes' refusals: not the report
    log(f"{len(PAYLOADS)} payloads in {len(KINDS)} classes, one batch per class")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsroom-payloads-") as tmp:
        results = run_all(Path(tmp))
    seconds = time.perf_counter() - started
    live = sum(len(r.live()) for r in results)
    unreadable = sum(len(r.unreadable) for r in results)
    misfiled = sum(len(r.misfiled) for r in results)
    refused, probes = (sum(r.probes[i] for r in results) for i in (0, 1))
    print("Outputs where a payload runs or spoofs a reader (surfaces x classes; all must be 0):\n")
    print(matrix(results))
    print(
        f"\n{len(PAYLOADS)} payloads, each filed in Markdown and ninjs through title, summary, author, tag, "
        "image URL, alt, caption, credit, correction, body and the ninjs uri (the id)"
    )
    print(f"outputs read: {sum(len(r.outputs) for r in results)}; outputs live: {live}")
    print(f"probes (the payload as a slug or an image URL) refused naming the field: {refused}/{probes}")
    print(f"fields that no longer read as filed (missing, or escaped twice): {unreadable}")
    print(f"{seconds:.1f} s")
    for result in results:
        for output in result.live():
            print(f"LIVE {result.kind}: {output.surface}: {output.where}: {'; '.join(output.findings[:3])}")
        for problem in result.unreadable + result.misfiled:
            print(f"{result.kind}: {problem}")
    if args.json:
        counts = {r.kind: {s: r.count(s)[0] for s in SURFACES} for r in results}
        args.json.write_text(json.dumps({"live": counts, "unreadable": unreadable, "misfiled": misfiled}, indent=2))
    return 1 if live or unreadable or misfiled else 0


if __name__ == "__main__":
    sys.exit(main())
