"""The daily digest newsletter: yesterday's articles by section, top stories first, sent once.

- ``build``: pick and rank the day's live articles, render the email (HTML with
  inlined CSS + plain text) and the web page into a build folder;
- ``publish_page``: upload ``digest/<date>/index.html`` and the archive
  ``digest/index.html``, only what changed;
- ``send``: one message per subscriber over SMTP, in batches, exactly once
  per (date, list, recipient) thanks to the ledger.

Importing this package declares the ledger's tables on the store's ``Base``.
Called by ``dags/daily_digest.py``.
"""

from newsroom.digest.build import (
    MAX_AGE_DAYS,
    DigestBuilder,
    build,
    build_digest,
    digest_date_for,
    page_key,
    publish_page,
    publish_pages,
    refresh_editions,
)
from newsroom.digest.send import DigestIncompleteError, hold_reason, send, send_digest
from newsroom.store.digests import DigestLedger, Recipient

__all__ = [
    "MAX_AGE_DAYS",
    "DigestBuilder",
    "DigestIncompleteError",
    "DigestLedger",
    "Recipient",
    "build",
    "build_digest",
    "digest_date_for",
    "hold_reason",
    "page_key",
    "publish_page",
    "publish_pages",
    "refresh_editions",
    "send",
    "send_digest",
]
