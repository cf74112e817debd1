"""Run locks: one ingest at a time on a state database, whichever process or host runs it.

Two ``newsroom process`` (or a ``process`` and the DAG's ingest task) reading
one inbox at once both stored the same filings and both moved the same files:
one of them died on the ``articles.path`` constraint or on the move. The ingest
phase holds the lock ``"ingest"`` while it reads the inbox (``process``: for
its whole run); a second one waits, then finds the inbox done.

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a
  connection kept for the run; the server frees it when that connection ends,
  a killed holder included.
- SQLite: an exclusive ``flock`` on a file beside the database; the kernel
  frees it when the holder's process ends, however it ends.
- An in-memory SQLite database has one process: no lock.

A row of ``locks`` says who holds it (pid, host, since), for the waiter's
message; a killed holder's row stays until the next holder overwrites it.
Called through ``Store.locks`` by ``newsroom.phases.ingest``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, select, text

from newsroom.models import BusyError, LockHolder
from newsroom.store.articles import utcnow
from newsroom.store.base import Repository
from newsroom.store.tables import LockRow

POLL = 0.25  # seconds between two tries while waiting
NAME_WAIT = 5.0  # seconds a waiter waits for the holder's row before saying "holder unknown"

Release = Callable[[], None]


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``, the same in every process."""
    return int.from_bytes(hashlib.sha256(f"newsroom:{name}".encode()).digest()[:8], "big", signed=True)


class LockRepository(Repository):
    @contextmanager
    def hold(
        self, name: str, *, timeout: float, on_wait: Callable[[LockHolder | None], None] | None = None
    ) -> Iterator[None]:
        """Hold the lock ``name`` for the block; wait up to ``timeout`` seconds for it, then raise
        :class:`~newsroom.models.BusyError`. ``on_wait`` is called once, with the holder, if we wait."""
        started = time.monotonic()
        told = False
        while (release := self._try(name)) is None:
            holder = self.holder(name)
            waited = time.monotonic() - started
            if waited >= timeout:
                raise BusyError(name, holder, timeout)
            # the holder writes its row just after taking the lock: name it once it has (or after a while)
            if not told and on_wait is not None and (holder is not None or waited >= NAME_WAIT):
                on_wait(holder)
                told = True
            time.sleep(POLL)
        me = LockHolder(os.getpid(), socket.gethostname(), utcnow())
        try:
            with self.session() as session:
                session.merge(LockRow(name=name, pid=me.pid, host=me.host, since=me.since))
            yield
        finally:
            try:
                with self.session() as session:
                    session.execute(
                        delete(LockRow).where(LockRow.name == name, LockRow.pid == me.pid, LockRow.host == me.host)
                    )
            finally:
                release()

    def holder(self, name: str) -> LockHolder | None:
        """Who holds (or, if it was killed, last held) the lock ``name``."""
        with self.session() as session:
            row = session.scalar(select(LockRow).where(LockRow.name == name))
            return LockHolder(row.pid, row.host, row.since) if row is not None else None

    def _try(self, name: str) -> Release | None:
        """Take the lock if it is free: how to release it, or None if another process holds it."""
        if self.engine.dialect.name == "postgresql":
            return self._try_advisory(name)
        database = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and database and database != ":memory:":
            return _try_file(Path(f"{database}.{name}.lock"))
        return lambda: None

    def _try_advisory(self, name: str) -> Release | None:
        key = {"key": advisory_key(name)}
        conn = self.engine.connect()
        try:
            taken = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar())
            conn.commit()
        except BaseException:
            conn.invalidate()  # never back to the pool with the lock possibly held
            conn.close()
            raise
        if not taken:
            conn.close()
            return None

        def release() -> None:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                conn.commit()
            except BaseException:
                conn.invalidate()  # closing the connection frees the lock
                raise
            finally:
                conn.close()

        return release


def _try_file(path: Path) -> Release | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise

    def release() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    return release
