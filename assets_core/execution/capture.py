"""Capturing what a step's user code writes to stdout and stderr.

The capture is at the file-descriptor level (``os.dup2`` of a pipe over fds 1 and 2),
so it sees Python's ``print``, warnings, logging to the console and the output of
subprocesses that inherit the descriptors. It lasts only while the user's code runs:
fds are process-wide, so the rest of the process (the CLI's progress display, which
writes to a descriptor of its own) is not captured. One capture at a time per process;
a step that starts while another thread holds it (a Dask worker with several threads)
runs uncaptured.

A reader thread drains the pipes and hands chunks to a sink (the run's event writer,
which flushes them to the catalog while the step runs), at most ``limit`` bytes per
step; the rest is counted and replaced by a note.
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


class _Reader(threading.Thread):
    """Drains the capture pipes into ``sink`` in chunks ending at a line break when
    possible (so a secret is not split between two redacted chunks)."""

    def __init__(self, fds: dict[int, str], sink: Sink, limit: int) -> None:
        super().__init__(name="assetline-capture", daemon=True)
        self.fds = fds
        self.sink = sink
        self.limit = limit
        self.kept = 0
        self.dropped = 0
        self._buffers = {name: "" for name in fds.values()}
        self._since: dict[str, float] = {}
        self._decoders = {
            name: codecs.getincrementaldecoder("utf-8")(errors="replace") for name in fds.values()
        }

    def run(self) -> None:
        sel = selectors.DefaultSelector()
        for fd in self.fds:
            sel.register(fd, selectors.EVENT_READ)
        open_fds = set(self.fds)
        while open_fds:
            for key, _ in sel.select(timeout=CHUNK_DELAY_S):
                fd = int(key.fd)
                data = os.read(fd, 65536)
                if not data:
                    sel.unregister(fd)
                    open_fds.discard(fd)
                    continue
                self._take(self.fds[fd], data)
            self._flush(force=False)
        for name, decoder in self._decoders.items():
            self._buffers[name] += decoder.decode(b"", final=True)
        self._flush(force=True)
        sel.close()

    def _take(self, name: str, data: bytes) -> None:
        room = self.limit - self.kept
        if room <= 0:
            self.dropped += len(data)
            return
        if len(data) > room:
            self.dropped += len(data) - room
            data = data[:room]
        self.kept += len(data)
        self._buffers[name] += self._decoders[name].decode(data)
        self._since.setdefault(name, time.monotonic())

    def _flush(self, force: bool) -> None:
        now = time.monotonic()
        for name, text in self._buffers.items():
            if not text:
                continue
            due = force or len(text) >= CHUNK_BYTES or now - self._since[name] >= CHUNK_DELAY_S
            if not due:
                continue
            cut = len(text) if force else text.rfind("\n") + 1
            if cut == 0:
                if len(text) < CHUNK_BYTES:
                    continue  # wait for the end of the line
                cut = len(text)
            self.sink(name, text[:cut])
            self._buffers[name] = text[cut:]
            if self._buffers[name]:
                self._since[name] = now
            else:
                self._since.pop(name, None)


@contextlib.contextmanager
def capture_output(sink: Sink, limit: int = DEFAULT_MAX_STEP_LOG_BYTES) -> Iterator[None]:
    """Capture fds 1 and 2 (and ``sys.stdout``/``sys.stderr``) into ``sink`` while the
    block runs; at most ``limit`` bytes, then a note of how much was left out.

    Args:
        sink: Called with ("stdout" or "stderr", text) from a background thread.
        limit: At most this many bytes are handed to the sink.
    """
    if not _active.acquire(blocking=False):
        yield  # another thread of this process captures: fds cannot be told apart
        return
    try:
        _flush_std()
        saved = {1: os.dup(1), 2: os.dup(2)}
        pipes = {1: os.pipe(), 2: os.pipe()}
        reader = _Reader({pipes[1][0]: "stdout", pipes[2][0]: "stderr"}, sink, limit)
        old_streams = sys.stdout, sys.stderr
        try:
            for fd, (_, w) in pipes.items():
                os.dup2(w, fd)
                os.close(w)
            reader.start()
            # Python-level streams write to the captured fds, even where the host
            # replaced them (Rich's live display, pytest, a notebook).
            sys.stdout = _open_fd(1)
            sys.stderr = _open_fd(2)
            yield
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            sys.stdout, sys.stderr = old_streams
            _flush_std()  # what the step wrote through the original streams
            for fd, copy in saved.items():
                os.dup2(copy, fd)  # closes the pipe's write end held by fd
                os.close(copy)
            # A subprocess the step left running may still hold the write end: wait a
            # little, then stop reading (its later output is lost, not the run).
            reader.join(timeout=2.0)
            for r, _ in pipes.values():
                if not reader.is_alive():
                    os.close(r)
            if reader.dropped:
                sink(
                    "stderr",
                    f"\n[assetline: output truncated; {reader.dropped} more bytes not kept "
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
