"""Whether anything was committed to the catalog: a marker that costs microseconds.

Caches of derived data (asset statuses, API responses) must not serve an answer
computed before a write that changes it. Comparing ``CommitMarker.current()`` with
the value read when the answer was computed tells them, without reading any table:

- SQLite: ``PRAGMA data_version`` on a connection of the marker's own, which never
  writes. Its value changes whenever another connection, in this process or any
  other, commits to the database file.
- PostgreSQL: ``pg_current_snapshot()``, whose text changes whenever a transaction
  that wrote anything ends (read-only transactions have no transaction id).

The marker may change without a change to the catalog (a checkpoint, another
database of the same PostgreSQL cluster): a cache then recomputes for nothing, which
is correct. It never stays the same across a commit. Read it *before* reading the
data it guards: a commit in between then changes it for the next reader.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Engine

from assets_core.catalog import forks

#: Connections a forked child inherited (see ``CommitMarker.current``).
_INHERITED: list[Any] = []


class CommitMarker:
    """The commit marker of one catalog database.

    Args:
        engine: The catalog's engine; the marker holds one connection of its own,
            opened on first use (and again in a forked child).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pid = 0

    @property
    def is_local(self) -> bool:
        """Whether reading the marker stays in this process (SQLite), so that an
        event loop may read it inline; PostgreSQL needs a round trip."""
        return self._sqlite

    def current(self) -> Hashable:
        """The marker now. Two equal values mean no transaction committed a write in
        between (nor started one that is still open, on PostgreSQL)."""
        with forks.transaction(), self._lock:
            if self._conn is not None and self._pid != os.getpid():
                # Inherited through fork: closing it here could disturb the parent's
                # locks (SQLite), so it is only forgotten, never closed.
                _INHERITED.append(self._conn)
                self._conn = None
            if self._conn is None:
                self._conn = self._connect()
                self._pid = os.getpid()
            cursor = self._conn.cursor()
            try:
                if self._sqlite:
                    cursor.execute("PRAGMA data_version")
                else:
                    cursor.execute("SELECT pg_current_snapshot()::text")
                row = cursor.fetchone()
            except Exception:
                self._discard()
                raise
            finally:
                cursor.close()
        value: Hashable = row[0]
        return value

    def close(self) -> None:
        """Close the marker's connection (it reopens on the next ``current``)."""
        with self._lock:
            self._discard()

    def _connect(self) -> Any:
        raw = self.engine.raw_connection()
        driver = raw.driver_connection
        if self._sqlite:
            # A marker connection must not hold a read transaction open: it would keep
            # seeing one version of the database.
            driver.isolation_level = None  # type: ignore[union-attr]
        else:
            driver.autocommit = True  # type: ignore[union-attr]
        # Keep the pool's wrapper alive too: closing it returns the connection.
        return _Held(raw, driver)

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._pid != os.getpid():
            _INHERITED.append(conn)
            return
        with contextlib.suppress(Exception):  # closing a broken connection may fail too
            conn.close()


class _Held:
    """A pooled connection held for good, with the driver's ``cursor``."""

    def __init__(self, raw: Any, driver: Any) -> None:
        self.raw = raw
        self.driver = driver

    def cursor(self) -> Any:
        return self.driver.cursor()

    def close(self) -> None:
        self.raw.invalidate()
