"""Signed, expiring preview links for articles not yet live (scheduled, embargoed).

A link names the article, the version it shows and when it stops working, and carries an
HMAC-SHA256 of the three under a secret kept as the password of the Airflow connection
``web.preview_conn_id``. The filing API (:mod:`newsroom.web`) serves the page, ``noindex`` and never
from the public bucket; ``newsroom preview --link`` prints a link. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse


def signature(secret: str, article_id: str, version: int, expires: int) -> str:
    message = f"{article_id}\n{version}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def link(base: str, secret: str, article_id: str, version: int, expires: int) -> str:
    """``base`` is the filing API's root, e.g. ``http://airflow:8080/newsroom``."""
    query = urllib.parse.urlencode(
        {"v": version, "exp": expires, "sig": signature(secret, article_id, version, expires)}
    )
    return f"{base.rstrip('/')}/preview/{urllib.parse.quote(article_id, safe='')}?{query}"


def refusal(secret: str, article_id: str, version: int, expires: int, given: str, now: float) -> str | None:
    """Why this link must not be served (one line), or None."""
    if not hmac.compare_digest(given.encode(), signature(secret, article_id, version, expires).encode()):
        return "the preview link's signature does not match"
    if expires <= now:
        return "the preview link has expired"
    return None
