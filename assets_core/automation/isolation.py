"""Calling user code (a sensor) in a forked child process, with a time limit.

A sensor that raises, hangs or crashes its interpreter must not stop the daemon nor
the other sensors. Each call runs in a child forked from the daemon (which has already
imported the code location, so the fork costs milliseconds), in a process group of
its own; its result comes back pickled through a pipe. Calls run side by side, a few
at a time; one still running at its deadline is killed with its process group.

The daemon forks without an open database connection (it disposes its pool first),
and the child opens its own: a connection must never be shared across a fork.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_EXIT_OK, _EXIT_RAISED = 0, 1


@dataclass(frozen=True, slots=True)
class ChildOutcome:
    """How one call ended: its ``value``, or an ``error`` (text, with the traceback's
    last lines), or a timeout."""

    value: Any = None
    error: str | None = None
    timed_out: bool = False
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the call returned a value."""
        return self.error is None and not self.timed_out


@dataclass(slots=True)
class _Call:
    name: str
    pid: int
    fd: int
    started: float
    chunks: list[bytes]


def _child(fn: Callable[[], Any], write_fd: int) -> None:
    """In the child: call ``fn``, send the pickled outcome, exit without cleanup (the
    parent's objects, connections among them, must not be finalized here)."""
    code = _EXIT_OK
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            payload = pickle.dumps(("ok", fn()))
        except BaseException as e:  # everything from user code is reported
            code = _EXIT_RAISED
            payload = pickle.dumps(("error", describe_error(e)))
        view = memoryview(payload)
        while view:
            n = os.write(write_fd, view)
            view = view[n:]
    finally:
        os._exit(code)


def describe_error(e: BaseException) -> str:
    """``Type: message`` and the innermost frames of the traceback (file:line)."""
    from assets_core.errors import AssetlineError

    if isinstance(e, AssetlineError):
        return e.message
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    every = traceback.extract_tb(e.__traceback__)
    frames = [f for f in every if not f.filename.startswith(package)][-3:] or every[-1:]
    where = "; ".join(f"{f.filename}:{f.lineno} in {f.name}" for f in frames)
    return f"{type(e).__name__}: {e}" + (f" (at {where})" if where else "")


def call_in_children(
    calls: Mapping[str, Callable[[], Any]],
    timeout_s: float,
    max_parallel: int = 4,
    before_fork: Callable[[], None] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> dict[str, ChildOutcome]:
    """Call each function in its own forked child, ``max_parallel`` at a time; a call
    still running after ``timeout_s`` is killed.

    Args:
        calls: name -> a function taking no argument; its return value must pickle.
        timeout_s: Seconds each call may take.
        max_parallel: How many children run at once.
        before_fork: Called before each fork (close database connections).
        while_waiting: Called about every second while children run (renew a lease).

    Returns:
        name -> how the call ended.
    """
    pending = list(calls.items())
    running: dict[int, _Call] = {}
    results: dict[str, ChildOutcome] = {}
    selector = selectors.DefaultSelector()
    last_beat = time.monotonic()
    try:
        while pending or running:
            while pending and len(running) < max_parallel:
                name, fn = pending.pop(0)
                if before_fork is not None:
                    before_fork()
                read_fd, write_fd = os.pipe()
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child never returns
                    os.close(read_fd)
                    _child(fn, write_fd)
                os.close(write_fd)
                with contextlib.suppress(OSError):  # the child does it too; whoever is first
                    os.setpgid(pid, pid)
                os.set_blocking(read_fd, False)
                call = _Call(name, pid, read_fd, time.monotonic(), [])
                running[read_fd] = call
                selector.register(read_fd, selectors.EVENT_READ)
            now = time.monotonic()
            deadline = min(c.started + timeout_s for c in running.values())
            for key, _ in selector.select(timeout=max(0.0, min(deadline - now, 1.0))):
                call = running[int(key.fd)]
                try:
                    data = os.read(call.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if data:
                    call.chunks.append(data)
                    continue
                selector.unregister(call.fd)
                del running[call.fd]
                results[call.name] = _finish(call)
            now = time.monotonic()
            for call in [c for c in running.values() if now - c.started >= timeout_s]:
                selector.unregister(call.fd)
                del running[call.fd]
                results[call.name] = _kill(call, timeout_s)
            if while_waiting is not None and now - last_beat >= 1.0:
                while_waiting()
                last_beat = now
    finally:
        for call in running.values():  # interrupted: leave no child behind
            _kill(call, 0.0)
        selector.close()
    return results


def _finish(call: _Call) -> ChildOutcome:
    os.close(call.fd)
    _, status = os.waitpid(call.pid, 0)
    elapsed = time.monotonic() - call.started
    raw = b"".join(call.chunks)
    if raw:
        try:
            kind, value = pickle.loads(raw)
        except Exception as e:
            return ChildOutcome(error=f"its result could not be read back: {e}", duration_s=elapsed)
        if kind == "ok":
            return ChildOutcome(value=value, duration_s=elapsed)
        return ChildOutcome(error=str(value), duration_s=elapsed)
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status)).name
        return ChildOutcome(error=f"its process was killed by {sig}", duration_s=elapsed)
    return ChildOutcome(
        error=f"its process exited with code {os.waitstatus_to_exitcode(status)} without a result",
        duration_s=elapsed,
    )


def _kill(call: _Call, timeout_s: float) -> ChildOutcome:
    for target in (-call.pid, call.pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(target, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(call.pid, 0)
    os.close(call.fd)
    return ChildOutcome(
        error=f"timed out after {timeout_s:g}s and was stopped",
        timed_out=True,
        duration_s=time.monotonic() - call.started,
    )


__all__ = ["ChildOutcome", "call_in_children", "describe_error"]
