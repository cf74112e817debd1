"""A Pelican reader for ``.md`` files built on markdown-it-py, the Markdown library newsroom itself uses.

Pelican's own Markdown reader needs Python-Markdown (``pelican[markdown]``),
which the project does not install; this reader parses Pelican's metadata
header ("Key: value" lines, then a blank line) the same way and renders the
body with markdown-it-py in newsroom's configuration (CommonMark, tables,
strikethrough), so both sides pay for the same Markdown parser.
"""

from __future__ import annotations

from typing import Any, ClassVar

from markdown_it import MarkdownIt
from pelican.readers import BaseReader
from pelican.utils import pelican_open


class MarkdownItReader(BaseReader):  # type: ignore[misc]
    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
            ["table", "strikethrough"]
        )

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with pelican_open(source_path) as text:
            header, _, body = text.partition("\n\n")
        formatted = self.settings["FORMATTED_FIELDS"]
        metadata: dict[str, Any] = {}
        for line in header.splitlines():
            key, sep, value = line.partition(":")
            if not sep:
                continue
            name = key.strip().lower()
            value = value.strip()
            if name in formatted:
                value = self._md.render(value)
            metadata[name] = self.process_metadata(name, value)
        return self._md.render(body), metadata
