"""Ingest: read a filed article (Markdown, ninjs JSON), validate it, or quarantine it.

Public surface: :func:`read_article` (pure: bytes in, Article or
ArticleError out) and :class:`Inbox` (the folder journalists' filings land
in, with its quarantine and archive).
"""

from newsroom.ingest.inbox import Inbox, IngestOutcome
from newsroom.ingest.reader import read_article

__all__ = ["Inbox", "IngestOutcome", "read_article"]
