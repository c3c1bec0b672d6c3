"""The warm run worker ("zygote"): a long-lived process that has imported
``assets_core``, pandas, pyarrow and the code location once, and forks a child per run.

A run launched from the API starts in a few milliseconds instead of the second or
more that a fresh interpreter needs to import pandas and the user's code (SPEC §14,
``launch_latency``). The server (``assets_ui.launcher``) starts it as::

    python -m assets_ui.worker --cmd-fd R --event-fd W (-m MODULE | -f FILE) --catalog-url URL

Protocol, one line per message on two pipes:

- server → worker (``--cmd-fd``): ``run <run_id>``; end of file means "stop accepting,
  exit once every child has ended".
- worker → server (``--event-fd``): ``ready <pid>``, ``error <json message>`` (the code
  location did not load), ``started <run_id> <pid>``, ``exited <run_id> <pid> <code>``
  (a negative code is the signal that ended the child).

The worker stays single-threaded and holds no database connection, so forking it is
safe; each child opens its own catalog, runs ``execute_queued_run`` (SIGTERM cancels
the run) and exits. Children start their own session, so stopping the server does
not stop runs in progress.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import selectors
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assets_core.definitions.repository import Definitions

#: Exit code of a child whose run was no longer QUEUED (canceled before it started).
EXIT_NOT_QUEUED = 3


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m assets_ui.worker")
    p.add_argument("--cmd-fd", type=int, required=True)
    p.add_argument("--event-fd", type=int, required=True)
    p.add_argument("-m", "--module")
    p.add_argument("-f", "--file")
    p.add_argument("--catalog-url", required=True)
    return p.parse_args(argv)


def warm_up(module: str | None, file: str | None, catalog_url: str) -> Definitions:
    """Import everything a run needs, load the code location and record its
    definitions snapshot; return its definitions. Leaves no thread and no open
    database connection behind."""
    for name in ("pandas", "pyarrow", "pyarrow.parquet"):
        with contextlib.suppress(ImportError):
            __import__(name)
    import assets_core.execution.metadata
    import assets_core.execution.run
    import assets_core.executors.inprocess
    import assets_core.io.parquet_fs
    import assets_core.io.registry  # noqa: F401
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.snapshots import snapshot_of
    from assets_core.definitions.loader import load_definitions

    defs = load_definitions(module=module, file=file)
    # The definitions snapshot of what the server serves is recorded here, on the
    # worker's core, not on the server's way to its first answer; a reload waits for
    # its new worker to be ready, so its snapshot is recorded when the reload returns.
    catalog = Catalog.open(catalog_url)
    try:
        catalog.save_snapshot(*snapshot_of(defs.graph))
    finally:
        catalog.close()
    # Children share these pages copy-on-write; a collector walking them would copy
    # them all into each child (and cost time on the way to the first asset).
    gc.collect()
    gc.freeze()
    if threading.active_count() > 1:  # pragma: no cover - depends on user code
        names = ", ".join(t.name for t in threading.enumerate())
        print(
            f"assetline worker: threads are running after import ({names}); "
            "forking with threads can deadlock runs.",
            file=sys.stderr,
        )
    return defs


def run_child(defs: Definitions, catalog_url: str, run_id: str) -> int:
    """Execute one queued run in this (forked) process; return the exit code."""
    from assets_core.catalog.catalog import Catalog
    from assets_core.errors import UsageError
    from assets_core.execution.launch import execute_queued_run

    catalog = Catalog.open(catalog_url)
    try:
        result = execute_queued_run(defs, catalog, run_id)
        return 0 if result.success else 1
    except UsageError as e:
        print(f"assetline worker: run {run_id}: {e}", file=sys.stderr)
        return EXIT_NOT_QUEUED
    finally:
        catalog.close()


class Zygote:
    """The worker's loop: read commands, fork children, reap them, report."""

    def __init__(self, defs: Definitions, catalog_url: str, cmd_fd: int, event_fd: int) -> None:
        self.defs = defs
        self.catalog_url = catalog_url
        self.cmd_fd = cmd_fd
        self.event_fd = event_fd
        self.children: dict[int, str] = {}
        self.server_gone = False
        self._wake_r, self._wake_w = os.pipe()

    def send(self, *parts: object) -> None:
        """Write one protocol line; a vanished server only stops the reports."""
        if self.server_gone:
            return
        try:
            os.write(self.event_fd, (" ".join(str(p) for p in parts) + "\n").encode())
        except OSError:
            self.server_gone = True

    def serve(self) -> int:
        """Run until the server closes the command pipe and every child ended."""
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        signal.set_wakeup_fd(self._wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
        sel = selectors.DefaultSelector()
        sel.register(self.cmd_fd, selectors.EVENT_READ)
        sel.register(self._wake_r, selectors.EVENT_READ)
        self.send("ready", os.getpid())
        accepting, buffer = True, b""
        while accepting or self.children:
            for key, _ in sel.select(timeout=1.0):
                if key.fd == self._wake_r:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_r, 4096)
                    continue
                data = os.read(self.cmd_fd, 65536)
                if not data:
                    accepting = False
                    sel.unregister(self.cmd_fd)
                    continue
                buffer += data
                *lines, rest = buffer.split(b"\n")
                buffer = rest
                for line in lines:
                    self.handle(line.decode().split())
            self.reap()
        return 0

    def handle(self, command: list[str]) -> None:
        """Act on one command line."""
        if len(command) == 2 and command[0] == "run":
            self.fork(command[1])

    def fork(self, run_id: str) -> None:
        """Start a child that executes ``run_id``."""
        try:
            pid = os.fork()
        except OSError as e:
            self.send("exited", run_id, 0, 1)
            print(f"assetline worker: cannot fork for run {run_id}: {e}", file=sys.stderr)
            return
        if pid == 0:  # pragma: no cover - runs in the child, which exits below
            self._child(run_id)
        self.children[pid] = run_id
        self.send("started", run_id, pid)

    def _child(self, run_id: str) -> None:  # pragma: no cover - measured through the API
        code = 1
        try:
            os.setsid()
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            for fd in (self.cmd_fd, self.event_fd, self._wake_r, self._wake_w):
                os.close(fd)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            code = run_child(self.defs, self.catalog_url, run_id)
        except BaseException:
            traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)

    def reap(self) -> None:
        """Collect every ended child (no zombies) and report its exit code."""
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            run_id = self.children.pop(pid, None)
            if run_id is not None:
                self.send("exited", run_id, pid, os.waitstatus_to_exitcode(status))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m assets_ui.worker``."""
    args = _parse(argv)
    os.dup2(2, 1)  # user code's print() must not reach the protocol pipe
    for fd in (args.cmd_fd, args.event_fd):
        os.set_inheritable(fd, False)
    try:
        defs = warm_up(args.module, args.file, args.catalog_url)
    except BaseException as e:
        from assets_core.errors import AssetlineError

        if isinstance(e, AssetlineError):
            message = e.message
        else:
            message = "".join(traceback.format_exception_only(type(e), e)).strip()
        os.write(args.event_fd, f"error {json.dumps(message)}\n".encode())
        return 2
    return Zygote(defs, args.catalog_url, args.cmd_fd, args.event_fd).serve()


if __name__ == "__main__":
    raise SystemExit(main())
