"""Starting queued runs in processes of their own, forked from the daemon.

The daemon has imported the code location already, so a forked child starts a run in
milliseconds. The child leaves the daemon's session (``setsid``): stopping or killing
the daemon, or Ctrl-C in its terminal, does not stop the runs it started. The child
writes its output to ``$ASSETLINE_HOME/logs/runs/<run id>.log`` (the run's events go
to the catalog as always), opens its own catalog connection, and executes the run
(SIGTERM cancels it, like ``cancelRun``).

Two processes may try to start the same queued run (a daemon restarted while its
child was starting, or the server and a daemon): only one moves it from QUEUED to
STARTED, and the other child exits at once.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from assets_core.definitions.repository import Definitions

#: Exit code of a child whose run was no longer QUEUED.
EXIT_NOT_QUEUED = 3


class RunProcesses:
    """The children this daemon started, one per run.

    Args:
        defs: The loaded definitions (the children inherit them).
        catalog_url: The catalog the children open.
        log_dir: Where each child writes its output.
        before_fork: Called before each fork (close database connections).
    """

    def __init__(
        self,
        defs: Definitions,
        catalog_url: str,
        log_dir: Path,
        before_fork: Callable[[], None] | None = None,
    ) -> None:
        self.defs = defs
        self.catalog_url = catalog_url
        self.log_dir = log_dir
        self.before_fork = before_fork
        self.children: dict[int, str] = {}

    def launch(self, run_id: str) -> int:
        """Start the QUEUED run ``run_id`` in a new process; return its pid."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{run_id}.log"
        if self.before_fork is not None:
            self.before_fork()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which exits
            code = 1
            try:
                code = self._child(run_id, log)
            finally:
                os._exit(code)
        self.children[pid] = run_id
        return pid

    def _child(self, run_id: str, log: Path) -> int:
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.close(null)
        from assets_core.catalog.catalog import Catalog
        from assets_core.errors import UsageError
        from assets_core.execution.launch import execute_queued_run
        from assets_core.execution.run import RunNotQueuedError

        catalog = Catalog.open(self.catalog_url)
        try:
            result = execute_queued_run(self.defs, catalog, run_id, handle_signals=True)
            return 0 if result.success else 1
        except RunNotQueuedError as e:
            print(f"assetline daemon: {e}", file=sys.stderr)
            return EXIT_NOT_QUEUED
        except UsageError as e:  # not QUEUED any more, or it could not start (recorded)
            print(f"assetline daemon: run {run_id}: {e}", file=sys.stderr)
            return 1
        except BaseException as e:  # the run already recorded how it ended
            print(f"assetline daemon: run {run_id}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()

    def reap(self) -> list[tuple[str, int, int]]:
        """Collect the children that exited: (run id, pid, exit code; negative: the
        signal that ended it)."""
        out = []
        for pid in list(self.children):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if done:
                run_id = self.children.pop(pid)
                out.append((run_id, pid, os.waitstatus_to_exitcode(status)))
        return out

    def running(self) -> set[str]:
        """The runs whose child has not exited yet (as of the last ``reap``)."""
        return set(self.children.values())


__all__ = ["EXIT_NOT_QUEUED", "RunProcesses"]
