"""No fork while a catalog transaction is open in this process.

A child forked while another thread of its parent is inside a SQLite transaction
inherits that connection, and with it SQLite's in-process record of the locks it holds:
the child's own connections then wait for a write lock nobody will ever release
("database is locked" after the 60 s busy timeout). A forked child must not use an
inherited connection on PostgreSQL either.

So every catalog transaction passes through one gate (``transaction()``, a counter, a
few hundred nanoseconds), and ``os.register_at_fork`` makes a fork wait (up to
``FORK_WAIT_S``) until no other thread is inside one, holding new ones back until the
fork is done. In the child, every engine's pool is forgotten (never closed: the
parent still uses those connections), so the child opens connections of its own.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from typing import Any

#: The longest a fork waits for other threads' transactions to end.
FORK_WAIT_S = 30.0

#: Connections inherited through a fork: kept referenced, so that they are never
#: closed (nor garbage-collected) in the child.
INHERITED: list[Any] = []


class _Gate:
    """The gate itself is the context manager ``transaction()`` returns (a class, not
    a generator: it is entered on every catalog call)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._active = 0
        self._forking = False
        self._local = threading.local()

    def __enter__(self) -> None:
        self.enter()

    def __exit__(self, *exc: object) -> None:
        self.exit()

    def enter(self) -> None:
        local = self._local
        depth = getattr(local, "depth", 0)
        if depth == 0:
            with self._cond:
                while self._forking:
                    self._cond.wait()
                self._active += 1
        local.depth = depth + 1

    def exit(self) -> None:
        local = self._local
        local.depth -= 1
        if local.depth == 0:
            with self._cond:
                self._active -= 1
                if self._forking and self._active <= 0:
                    self._cond.notify_all()

    def before_fork(self) -> None:
        self._cond.acquire()  # held through the fork: the counters cannot move
        self._forking = True
        own = 1 if getattr(self._local, "depth", 0) else 0
        deadline = time.monotonic() + FORK_WAIT_S
        while self._active > own:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._cond.wait(left)

    def after_in_parent(self) -> None:
        self._forking = False
        self._cond.notify_all()
        self._cond.release()

    def after_in_child(self) -> None:
        # Only the forking thread lives on: the lock it held and the other threads'
        # counts are the parent's business.
        self._cond = threading.Condition(threading.Lock())
        self._forking = False
        self._active = 1 if getattr(self._local, "depth", 0) else 0


_GATE = _Gate()
_ENGINES: weakref.WeakSet[Any] = weakref.WeakSet()


def transaction() -> _Gate:
    """Mark a catalog transaction (or any use of a catalog connection) with ``with``:
    no fork of this process happens while one is open in another thread."""
    return _GATE


def forget_in_children(engine: Any) -> None:
    """Forget ``engine``'s pooled connections in every child forked from now on."""
    _ENGINES.add(engine)


def _after_in_child() -> None:
    _GATE.after_in_child()
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(
        before=_GATE.before_fork,
        after_in_parent=_GATE.after_in_parent,
        after_in_child=_after_in_child,
    )
