"""A lost connection to a PostgreSQL catalog (the server restarted, failed over, or the
network dropped) is opened again and the transaction retried, for up to
``$ASSETLINE_CATALOG_RECONNECT_S`` (default 30) seconds; then the caller gets one
``CatalogConnectionLostError`` ("catalog connection lost: ...") instead of a driver
traceback. A transaction whose *commit* was cut off is not retried: whether it
committed is unknown.

Each transaction of the catalog is idempotent by design where it matters (a step's
batch is written whole or not at all; status changes are conditional), so retrying one
that failed before its commit is safe. SQLite has no connection to lose.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from assets_core.errors import CatalogConnectionLostError, UsageError

T = TypeVar("T")

#: SQLSTATEs of a lost connection: class 08 (connection exception), and the server
#: shutting down or starting up (57P01-57P03).
_LOST_STATES = ("57P01", "57P02", "57P03")
RETRY_EVERY_S = 0.5


def reconnect_window() -> float:
    """``$ASSETLINE_CATALOG_RECONNECT_S`` (seconds; 0 disables the retries)."""
    raw = os.environ.get("ASSETLINE_CATALOG_RECONNECT_S")
    if raw is None or raw == "":
        return 30.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise UsageError(
            f"ASSETLINE_CATALOG_RECONNECT_S={raw!r}: write a number of seconds (0 or more)."
        )
    return value


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` (a driver error, or SQLAlchemy's wrapper of one) says the
    connection to a PostgreSQL server is gone."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig if error.orig is not None else error
    if not type(error).__module__.startswith("psycopg"):
        return False
    if not any(c.__name__ == "OperationalError" for c in type(error).__mro__):
        return False
    state = getattr(error, "sqlstate", None)
    return state is None or state.startswith("08") or state in _LOST_STATES


def lost_error(error: BaseException, what: str = "") -> CatalogConnectionLostError:
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return CatalogConnectionLostError(f"catalog connection lost{what}: {first}")


def retry_when_lost(fn: Callable[[], T], *, postgres: bool) -> T:
    """``fn()``, called again (on a new connection) while the connection to the
    PostgreSQL catalog is lost, up to the reconnect window.

    Raises:
        CatalogConnectionLostError: The connection did not come back in time.
    """
    if not postgres:
        return fn()
    deadline: float | None = None
    while True:
        try:
            return fn()
        except Exception as e:
            if not connection_lost(e):
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + reconnect_window()
            if now >= deadline:
                raise lost_error(e) from None
        time.sleep(RETRY_EVERY_S)


def discard(conn: Any) -> None:
    """Drop a pooled raw connection that lost its server (never returned to the pool)."""
    with contextlib.suppress(Exception):
        conn.invalidate()
