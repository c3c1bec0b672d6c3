"""Leases: which process is the active daemon of a catalog.

A lease is a row naming its owner and when it expires. The owner renews it while it
works; another process takes it over only once it has expired. Each statement below is
atomic on SQLite and PostgreSQL (a conditional ``UPDATE``, or an insert that does
nothing on conflict), so two processes never both hold a lease. Times are the
processes' clocks (epoch seconds): hosts sharing a catalog need synchronised clocks.

The functions take an open SQLAlchemy ``Connection``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, or_, select, update

from assets_core.catalog import tables as t
from assets_core.catalog.dialect import insert_ignore
from assets_core.errors import CatalogError


class LeaseLostError(CatalogError):
    """This process no longer holds the lease it needs (it expired and another
    process took it over); what it was about to write was not written."""

    code = "LEASE_LOST"


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    """Who holds a lease, and until when.

    Attributes:
        name: The lease (``daemon``).
        owner: An id unique to the holding process.
        host: The holder's host name.
        pid: The holder's process id.
        expires_at: When others may take it over (epoch seconds).
    """

    name: str
    owner: str
    host: str | None
    pid: int | None
    acquired_at: float
    renewed_at: float
    expires_at: float

    def is_live(self, now: float) -> bool:
        """Whether the lease has not expired at ``now``."""
        return self.expires_at > now


def get_lease(conn: Connection, name: str) -> LeaseRecord | None:
    """The lease ``name`` as stored (expired or not), or None."""
    row = conn.execute(select(t.daemon_leases).where(t.daemon_leases.c.name == name)).first()
    if row is None:
        return None
    return LeaseRecord(
        row.name, row.owner, row.host, row.pid, row.acquired_at, row.renewed_at, row.expires_at
    )


def acquire_lease(
    conn: Connection, name: str, owner: str, host: str, pid: int, now: float, ttl_s: float
) -> LeaseRecord | None:
    """Take (or renew) the lease ``name`` for ``owner`` if it is free, expired or
    already ``owner``'s. Returns the lease as it now stands: ``owner``'s when taken,
    else the holder's."""
    c = t.daemon_leases.c
    taken = conn.execute(
        update(t.daemon_leases)
        .where(c.name == name, or_(c.owner == owner, c.expires_at <= now))
        .values(
            owner=owner, host=host, pid=pid, acquired_at=now, renewed_at=now, expires_at=now + ttl_s
        )
    ).rowcount
    if not taken:
        row = {
            "name": name,
            "owner": owner,
            "host": host,
            "pid": pid,
            "acquired_at": now,
            "renewed_at": now,
            "expires_at": now + ttl_s,
        }
        insert_ignore(conn, t.daemon_leases, [row])
    return get_lease(conn, name)


def renew_lease(conn: Connection, name: str, owner: str, now: float, ttl_s: float) -> bool:
    """Extend ``owner``'s lease; False when ``owner`` no longer holds it (it expired
    and another process took it, or it was released)."""
    c = t.daemon_leases.c
    return (
        conn.execute(
            update(t.daemon_leases)
            .where(c.name == name, c.owner == owner, c.expires_at > now)
            .values(renewed_at=now, expires_at=now + ttl_s)
        ).rowcount
        == 1
    )


def release_lease(conn: Connection, name: str, owner: str) -> None:
    """Give the lease up (when the owner stops cleanly), so another process can take it
    over at once."""
    c = t.daemon_leases.c
    conn.execute(delete(t.daemon_leases).where(c.name == name, c.owner == owner))


__all__ = [
    "LeaseLostError",
    "LeaseRecord",
    "acquire_lease",
    "get_lease",
    "release_lease",
    "renew_lease",
]
