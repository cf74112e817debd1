"""The daily digest newsletter: yesterday's articles by section, top stories first, sent once.

- :mod:`~newsroom.digest.build`: pick and rank the day's live articles, render
  the email (HTML with inlined CSS + plain text) and the web page;
- :mod:`~newsroom.digest.edition`: the day's build folder, the upload of
  ``digest/<date>/index.html`` and the archive ``digest/index.html`` (only
  what changed), their refresh after a takedown;
- :mod:`~newsroom.digest.send`: one message per subscriber over SMTP, in
  batches, exactly once per (date, list, recipient) thanks to the ledger.

Importing this package declares the ledger's tables on the store's ``Base``.
The task bodies are ``newsroom.phases.digest`` (``dags/daily_digest.py``).
"""

from newsroom.contracts import BuiltDigest, PublishedPages
from newsroom.digest.build import MAX_AGE_DAYS, DigestBuilder, digest_date_for, page_key
from newsroom.digest.edition import (
    build_digest,
    load_built,
    publish_pages,
    refresh_editions,
)
from newsroom.digest.send import DigestIncompleteError, hold_reason, send_digest
from newsroom.store.digests import DigestLedger, Recipient

__all__ = [
    "MAX_AGE_DAYS",
    "BuiltDigest",
    "DigestBuilder",
    "DigestIncompleteError",
    "DigestLedger",
    "PublishedPages",
    "Recipient",
    "build_digest",
    "digest_date_for",
    "hold_reason",
    "load_built",
    "page_key",
    "publish_pages",
    "refresh_editions",
    "send_digest",
]
