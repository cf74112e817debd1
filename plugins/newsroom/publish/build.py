"""The build folder: rendered files on disk between the render phase and the publish phase.

One writer and one reader for every producer of pages (the ingest and rebuild
runs, the digest, the takedown and tag-review re-renders). A build folder is::

    <folder>/files/<key>     the rendered bytes, by object key
    <folder>/manifest.json   {"changed": [article ids], "objects": [entries], "removed": [keys], "meta": {...}}
    <folder>/<name>          any named texts (the digest's email.html, email.txt)

RenderResult into a scratch folder beside it and renamed into place, so a reader
never sees half a build. Tasks pass only the build's key through XCom
(:func:`hand_over`, :func:`take_over`): in the state folder the next task
reads the folder itself; when workers share no disk the folder travels as
one tar through the private bucket (:mod:`newsroom.files`). The
backfill keeps its pages in memory: :func:`planned_pages` gives the same
upload plan without a folder.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import tarfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from newsroom.contracts import RenderResult
from newsroom.files import Files
from newsroom.publish.s3 import Planned
from newsroom.render.page import Page, write_files

MANIFEST = "manifest.json"
TAR = ".tar"  # a build handed over through a private bucket: one object


class Entry(TypedDict):
    """One file of a build: what the publisher needs without reading its bytes."""

    key: str
    md5: str
    size: int
    kind: str
    article_id: str | None


def run_folder(build_dir: Path, run_id: str) -> Path:
    """A run's own folder under ``build_dir/runs`` (the run id made safe for a file name)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)[:150]
    return build_dir / "runs" / safe


class BuildFolder:
    """Writes and reads one build folder (see the module docstring)."""

    def __init__(self, path: Path | str, handed_over: str | None = None) -> None:
        self.path = Path(path)
        self.handed_over = handed_over  # the tar's key in the private bucket, when it came from there

    @property
    def files(self) -> Path:
        return self.path / "files"

    def write(
        self,
        pages: Iterable[Page],
        changed: Sequence[str] = (),
        *,
        meta: Mapping[str, Any] | None = None,
        texts: Mapping[str, str] | None = None,
        removed: Sequence[str] = (),
    ) -> RenderResult:
        """Write ``pages`` (a page rendered twice keeps the last), the manifest and ``texts``; replace any old build.
        ``removed``: published keys the publisher deletes (pages no longer rendered: an emptied tag's)."""
        scratch = self._scratch()
        entries = {e["key"]: e for e in write_files(pages, scratch / "files")}
        self._finish(scratch, list(entries.values()), changed, meta, texts, removed)
        return self.written(len(entries), changed)

    def write_manifest(
        self,
        entries: Sequence[Mapping[str, Any]],
        changed: Sequence[str] = (),
        *,
        meta: Mapping[str, Any] | None = None,
        removed: Sequence[str] = (),
    ) -> RenderResult:
        """The manifest of files already written under :attr:`files` (by the parallel renderer)."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._write_json(self.path, list(entries), changed, meta, removed)
        return self.written(len(entries), changed)

    def written(self, pages: int, changed: Sequence[str]) -> RenderResult:
        return {"build": str(self.path), "pages": pages, "changed": len(changed)}

    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        return data

    def entries(self) -> list[Entry]:
        return list(self.manifest()["objects"])

    def changed(self) -> list[str]:
        return list(self.manifest()["changed"])

    def removed(self) -> list[str]:
        """Keys to delete from the bucket once the build's pages are up."""
        return list(self.manifest().get("removed") or [])

    def meta(self) -> dict[str, Any]:
        return dict(self.manifest().get("meta") or {})

    def text(self, name: str) -> str:
        return (self.path / name).read_text(encoding="utf-8")

    def planned(self, entries: Sequence[Entry] | None = None) -> list[Planned]:
        """The upload plan of the build (or of some of its entries); bytes read at upload time."""
        files = self.files
        return [
            Planned(e["key"], e["md5"], e["size"], e["kind"], e["article_id"], _reader(files / e["key"]))
            for e in (self.entries() if entries is None else entries)
        ]

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def _scratch(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}")
        (scratch / "files").mkdir(parents=True)
        return scratch

    def _finish(
        self,
        scratch: Path,
        entries: list[dict[str, Any]],
        changed: Sequence[str],
        meta: Mapping[str, Any] | None,
        texts: Mapping[str, str] | None,
        removed: Sequence[str] = (),
    ) -> None:
        for name, text in (texts or {}).items():
            (scratch / name).write_text(text, encoding="utf-8")
        self._write_json(scratch, entries, changed, meta, removed)
        if self.path.exists():
            shutil.rmtree(self.path)
        scratch.rename(self.path)

    @staticmethod
    def _write_json(
        folder: Path,
        entries: list[Any],
        changed: Sequence[str],
        meta: Mapping[str, Any] | None,
        removed: Sequence[str] = (),
    ) -> None:
        manifest = {"changed": list(changed), "objects": entries, "removed": list(removed), "meta": dict(meta or {})}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _reader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def planned_pages(pages: Sequence[Page]) -> list[Planned]:
    """Rendered pages held in memory (a backfill batch's worth) as the publisher's upload plan."""

    def reader(body: bytes) -> Callable[[], bytes]:
        return lambda: body

    return [Planned(p.key, p.md5, len(p.body), p.kind, p.article_id, reader(p.body)) for p in pages]


# -- from one task to the next ------------------------------------------------------------------
def build_key(folder: BuildFolder, root: Path) -> str:
    """What tasks pass for a build: its folder's path under ``root``, the state folder (``build/runs/<run>``)."""
    return folder.path.relative_to(root).as_posix()


def hand_over(folder: BuildFolder, files: Files, root: Path) -> str:
    """The key the next task finds this build under (:func:`build_key`). In the state folder the build is
    there already; in a private bucket it goes as one tar (one PUT, however many pages) and this worker's
    copy is removed."""
    key = build_key(folder, root)
    if files.remote:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.add(folder.path, arcname=".")
        files.put(key + TAR, buffer.getvalue())
        folder.remove()
    return key


def take_over(build: str, files: Files, root: Path) -> BuildFolder:
    """The build another task handed over (its key, or a folder's path as tasks passed before keys).

    This worker's own copy when it has one (the task that rendered it, or the state folder), else
    the tar from the private bucket, unpacked under ``root``."""
    path = Path(build)
    folder = BuildFolder(path if path.is_absolute() else root / build)
    if files.remote and not (folder.path / MANIFEST).is_file():
        folder.handed_over = build + TAR
        data = files.get(folder.handed_over)
        scratch = folder.path.with_name(f".{folder.path.name}.{secrets.token_hex(4)}")
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(scratch, filter="data")
        shutil.rmtree(folder.path, ignore_errors=True)
        scratch.rename(folder.path)
    return folder


def done_with(folder: BuildFolder, files: Files) -> None:
    """The build is published: its folder removed here, and the tar it came in from the private bucket
    (a build rendered in this process came in none: nothing to delete)."""
    folder.remove()
    if folder.handed_over is not None:
        files.delete(folder.handed_over)
