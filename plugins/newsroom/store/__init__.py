"""State: the SQL database of articles, versions, tags, published objects and ledgers.

:class:`Store` is the facade (``newsroom.store.repository``); the records it
returns live in ``newsroom.models``.
"""

from newsroom.store.articles import content_hash, utcnow
from newsroom.store.repository import Store

__all__ = ["Store", "content_hash", "utcnow"]
