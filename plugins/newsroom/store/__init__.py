"""State: the SQL database of articles, versions, tags and published objects."""

from newsroom.store.repository import (
    Filed,
    Listed,
    Store,
    StoredObject,
    Tag,
    TakenDownError,
    content_hash,
    utcnow,
)

__all__ = ["Filed", "Listed", "Store", "StoredObject", "Tag", "TakenDownError", "content_hash", "utcnow"]
