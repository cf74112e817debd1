"""Small helpers shared by the benchmarks: timing, peak memory, environment, the bench config."""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
NEWSROOM_YAML = REPO_ROOT / "include" / "newsroom.yaml"
LISTING_KINDS = ("home", "section", "tag")


def log(message: str) -> None:
    """Progress goes to stderr, so stdout carries only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process so far, or of its largest finished child with
    ``resource.RUSAGE_CHILDREN`` (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def own_peak_rss_mb() -> float:
    """Peak resident set size of this process's own memory since it was started (``VmHWM``).

    On Linux ``ru_maxrss`` also counts the peak of the process that started this one, taken when
    it exec'd: a spawned interpreter's ``peak_rss_mb()`` is at least its parent's. Elsewhere, that."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


@contextlib.contextmanager
def environ(set_: Mapping[str, str], remove: Sequence[str] = ()) -> Iterator[None]:
    """Set and remove environment variables for the duration of the block, then restore them."""
    saved = {k: os.environ.get(k) for k in (*set_, *remove)}
    try:
        for key in remove:
            os.environ.pop(key, None)
        os.environ.update(set_)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def newsroom_yaml() -> dict[str, Any]:
    """include/newsroom.yaml as data (its relative paths are relative to include/)."""
    data = yaml.safe_load(NEWSROOM_YAML.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise RuntimeError(f"{NEWSROOM_YAML}: expected a mapping")
    return data


def include_copy(folder: Path, data: Mapping[str, Any]) -> Path:
    """``folder/newsroom.yaml`` written from ``data``, beside links to everything else in include/.

    Every path the configuration gives relative to its own folder (taxonomy,
    templates, subscriber lists...) then resolves to the repository's files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for entry in NEWSROOM_YAML.parent.iterdir():
        if entry.name != NEWSROOM_YAML.name and not (folder / entry.name).exists():
            (folder / entry.name).symlink_to(entry)
    path = folder / NEWSROOM_YAML.name
    path.write_text(yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class TimedPages:
    """Wraps a page iterator: the time spent producing each page (rendering), by kind.

    Whatever the consumer does between two pages (writing them) is not counted,
    so ``write time = total - rendering``.
    """

    def __init__(self, pages: Iterable[Any]) -> None:
        self._pages = iter(pages)
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.count: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()

    def __iter__(self) -> Iterator[Any]:
        while True:
            started = time.perf_counter()
            try:
                page = next(self._pages)
            except StopIteration:
                self.seconds["(end)"] += time.perf_counter() - started
                return
            kind = str(page.kind)
            self.seconds[kind] += time.perf_counter() - started
            self.count[kind] += 1
            self.bytes[kind] += len(page.body)
            yield page

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    @property
    def total_pages(self) -> int:
        return sum(self.count.values())

    def summary(self) -> dict[str, Any]:
        """Pages, seconds, pages/s and ms/page: per kind, for article vs listing pages, and in total."""

        def group(kinds: Iterable[str]) -> dict[str, Any]:
            kinds = list(kinds)
            pages = sum(self.count[k] for k in kinds)
            seconds = sum(self.seconds[k] for k in kinds)
            return {
                "pages": pages,
                "seconds": round(seconds, 4),
                "pages_per_s": round(rate(pages, seconds), 1) if pages else 0.0,
                "ms_per_page": round(1000 * seconds / pages, 3) if pages else 0.0,
                "bytes": sum(self.bytes[k] for k in kinds),
            }

        kinds = sorted(self.count)
        total = group(kinds)
        total["seconds"] = round(self.total_seconds, 4)  # includes the generator's tail after the last page
        total["pages_per_s"] = round(rate(total["pages"], self.total_seconds), 1)
        total["ms_per_page"] = round(1000 * self.total_seconds / max(1, total["pages"]), 3)
        return {
            "total": total,
            "article": group(["article"]),
            "listing": group(k for k in kinds if k in LISTING_KINDS),
            "other": group(k for k in kinds if k != "article" and k not in LISTING_KINDS),
            "by_kind": {k: group([k]) for k in kinds},
        }
