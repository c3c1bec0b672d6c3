"""Capturing what a step's user code writes to stdout and stderr.

The capture is at the file-descriptor level (``os.dup2`` of a pipe over fds 1 and 2),
so it sees Python's ``print``, warnings, logging to the console and the output of
subprocesses that inherit the descriptors. It lasts only while the user's code runs:
fds are process-wide, so the rest of the process (the CLI's progress display, which
writes to a descriptor of its own) is not captured. One capture at a time per process;
a step that starts while another thread holds it (a Dask worker with several threads)
runs uncaptured.

Each process keeps one pair of pipes and one reader thread, made on first use (a step
costs a few system calls, not a thread): the reader hands chunks to the current step's
sink (the run's event writer, which flushes them to the catalog while the step runs),
at most ``limit`` bytes per step, the rest counted and replaced by a note. At the end of
a step the pipes are drained under the reader's lock, so every byte written before the
fds were restored goes to that step; later output (a subprocess the step left running)
is dropped.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import selectors
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

#: Default of ``[tool.assetline] max_step_log_bytes``.
DEFAULT_MAX_STEP_LOG_BYTES = 1_000_000
#: A chunk is handed over at this size, or this long after its first byte.
CHUNK_BYTES = 16_384
CHUNK_DELAY_S = 0.1

Sink = Callable[[str, str], None]  # (stream name, text)

_active = threading.Lock()


class _Step:
    """What one step's capture has received so far."""

    def __init__(self, sink: Sink, limit: int) -> None:
        self.sink = sink
        self.limit = limit
        self.kept = 0
        self.dropped = 0
        self.buffers = {"stdout": "", "stderr": ""}
        self.since: dict[str, float] = {}
        self.decoders = {
            name: codecs.getincrementaldecoder("utf-8")(errors="replace") for name in self.buffers
        }

    def take(self, name: str, data: bytes) -> None:
        room = self.limit - self.kept
        if len(data) > room:
            self.dropped += len(data) - max(room, 0)
            data = data[: max(room, 0)]
        if not data:
            return
        self.kept += len(data)
        self.buffers[name] += self.decoders[name].decode(data)
        self.since.setdefault(name, time.monotonic())

    def flush(self, force: bool) -> None:
        """Hand over what is due: everything (``force``), else text up to the last line
        break once it is big or old enough (a secret is not split between chunks)."""
        now = time.monotonic()
        for name, text in self.buffers.items():
            if force:
                text += self.decoders[name].decode(b"", final=True)
            if not text:
                continue
            due = force or len(text) >= CHUNK_BYTES or now - self.since[name] >= CHUNK_DELAY_S
            if not due:
                continue
            cut = len(text) if force else text.rfind("\n") + 1
            if cut == 0:
                if len(text) < CHUNK_BYTES:
                    continue  # wait for the end of the line
                cut = len(text)
            self.sink(name, text[:cut])
            self.buffers[name] = text[cut:]
            if self.buffers[name]:
                self.since[name] = now
            else:
                self.since.pop(name, None)


class _Pipes:
    """This process's capture pipes and their reader thread."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.step: _Step | None = None
        self.read_fds: dict[int, str] = {}
        self.write_fds: dict[int, int] = {}
        for fd, name in ((1, "stdout"), (2, "stderr")):
            r, w = os.pipe()
            os.set_blocking(r, False)
            self.read_fds[r] = name
            self.write_fds[fd] = w
        self.streams: dict[int, TextIO] = {fd: _open_fd(fd) for fd in (1, 2)}
        self.thread = threading.Thread(target=self._loop, name="assetline-capture", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        sel = selectors.DefaultSelector()
        for r in self.read_fds:
            sel.register(r, selectors.EVENT_READ)
        while True:
            sel.select(timeout=CHUNK_DELAY_S)
            with self.lock:
                self.drain()
                if self.step is not None:
                    self.step.flush(force=False)

    def drain(self) -> None:
        """Read everything in the pipes into the current step (the lock is held)."""
        for r, name in self.read_fds.items():
            while True:
                try:
                    data = os.read(r, 65536)
                except BlockingIOError:
                    break
                if not data:
                    break
                if self.step is not None:
                    self.step.take(name, data)


_pipes: _Pipes | None = None


def _process_pipes() -> _Pipes:
    global _pipes
    if _pipes is None or _pipes.pid != os.getpid():  # none yet, or inherited by a fork
        _pipes = _Pipes()
    return _pipes


@contextlib.contextmanager
def capture_output(sink: Sink, limit: int = DEFAULT_MAX_STEP_LOG_BYTES) -> Iterator[None]:
    """Capture fds 1 and 2 (and ``sys.stdout``/``sys.stderr``) into ``sink`` while the
    block runs; at most ``limit`` bytes, then a note of how much was left out.

    Args:
        sink: Called with ("stdout" or "stderr", text), from a background thread while
            the block runs and from this one at its end.
        limit: At most this many bytes are handed to the sink.
    """
    if not _active.acquire(blocking=False):
        yield  # another thread of this process captures: fds cannot be told apart
        return
    try:
        try:
            pipes = _process_pipes()
            _flush_std()
            saved = {1: os.dup(1), 2: os.dup(2)}
        except OSError:  # no fds 1/2 to capture (a detached process): run uncaptured
            yield
            return
        step = _Step(sink, limit)
        with pipes.lock:
            pipes.step = step
        old_streams = sys.stdout, sys.stderr
        try:
            for fd, w in pipes.write_fds.items():
                os.dup2(w, fd)
            # Python-level streams write to the captured fds, even where the host
            # replaced them (Rich's live display, pytest, a notebook).
            sys.stdout, sys.stderr = pipes.streams[1], pipes.streams[2]
            yield
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            sys.stdout, sys.stderr = old_streams
            _flush_std()  # what the step wrote through the original streams
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            with pipes.lock:
                pipes.drain()
                pipes.step = None
            step.flush(force=True)
            if step.dropped:
                sink(
                    "stderr",
                    f"\n[assetline: output truncated; {step.dropped} more bytes not kept "
                    f"(max_step_log_bytes = {limit})]\n",
                )
    finally:
        _active.release()


def _open_fd(fd: int) -> TextIO:
    return open(fd, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.flush()
