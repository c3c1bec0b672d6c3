"""Launching runs from the server: the parent side of the warm run worker
(``assets_ui.worker``).

The server never runs user code for a run: ``RunLauncher.launch`` hands the run id to
the worker, which forks a child within milliseconds. A reader thread remembers each
child's pid (``cancelRun`` signals it) and, when a child dies before its
run recorded an end (a crash, a kill), marks the run FAILURE — or CANCELED when it was
being canceled — so no run stays STARTED forever. A worker that dies is started again
and gets the runs it had not started yet.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assets_core.catalog.records import (
    EventRecord,
    RunStatus,
    StepRecord,
    StepStatus,
    WriteBatch,
)
from assets_core.errors import CodeLocationError, NotFoundError
from assets_core.redaction import run_environment

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog

logger = logging.getLogger("assetline.ui")

READY_TIMEOUT_S = 120.0
_UNFINISHED = ("QUEUED", "STARTED", "CANCELING")


@dataclass(frozen=True, slots=True)
class CodeLocationArgs:
    """How to find the code location and the catalog, as the worker needs them."""

    module: str | None
    file: str | None
    catalog_url: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None


class _Worker:
    """One worker process and the thread that reads its reports."""

    def __init__(self, args: CodeLocationArgs, launcher: RunLauncher) -> None:
        self.launcher = launcher
        cmd_r, self.cmd_w = os.pipe()
        self.event_r, event_w = os.pipe()
        argv = [sys.executable, "-m", "assets_ui.worker", "--cmd-fd", str(cmd_r)]
        argv += ["--event-fd", str(event_w), "--catalog-url", args.catalog_url]
        if args.module:
            argv += ["-m", args.module]
        if args.file:
            argv += ["-f", args.file]
        self.proc = subprocess.Popen(
            argv,
            pass_fds=(cmd_r, event_w),
            stdin=subprocess.DEVNULL,
            env={**run_environment(), **args.env},
            cwd=args.cwd,
        )
        os.close(cmd_r)
        os.close(event_w)
        self.ready = threading.Event()
        self.error: str | None = None
        self.ended = threading.Event()
        self.unstarted: list[str] = []
        self.pids: dict[str, int] = {}
        self._lock = threading.Lock()
        self.thread = threading.Thread(
            target=self._read, name=f"assetline-worker-{self.proc.pid}", daemon=True
        )
        self.thread.start()

    def send(self, run_id: str) -> bool:
        """Hand ``run_id`` to the worker; False when it is gone."""
        with self._lock:
            if self.ended.is_set() or self.cmd_w < 0:
                return False
            self.unstarted.append(run_id)
            try:
                os.write(self.cmd_w, f"run {run_id}\n".encode())
            except OSError:
                self.unstarted.remove(run_id)
                return False
            return True

    def drain(self) -> None:
        """Stop accepting runs; the worker exits when its children have."""
        with self._lock:
            if self.cmd_w >= 0:
                os.close(self.cmd_w)
                self.cmd_w = -1

    def wait_ready(self, timeout: float) -> str | None:
        """Wait until the worker loaded the code location; its error, or None."""
        deadline = time.monotonic() + timeout
        while not self.ready.is_set() and not self.ended.is_set():
            if time.monotonic() > deadline:
                return f"the run worker did not load the code location within {timeout:.0f}s"
            self.ready.wait(0.05)
        if self.ready.is_set():
            return None
        return self.error or f"the run worker exited with code {self.proc.poll()}"

    def _read(self) -> None:
        with os.fdopen(self.event_r, "rb") as stream:
            for raw in stream:
                try:
                    self._on_line(raw.decode().rstrip("\n"))
                except Exception:  # keep reading: one bad report must not stop the rest
                    logger.exception("run worker report %r failed", raw)
        self.proc.wait()
        self.ended.set()
        self.launcher._worker_ended(self)

    def _on_line(self, line: str) -> None:
        kind, _, rest = line.partition(" ")
        if kind == "ready":
            self.ready.set()
        elif kind == "error":
            self.error = json.loads(rest)
        elif kind == "started":
            run_id, pid = rest.split()
            with self._lock:
                if run_id in self.unstarted:
                    self.unstarted.remove(run_id)
                self.pids[run_id] = int(pid)
            self.launcher._child_started(run_id, int(pid))
        elif kind == "exited":
            run_id, pid, code = rest.split()
            with self._lock:
                self.pids.pop(run_id, None)
                if run_id in self.unstarted:
                    self.unstarted.remove(run_id)
            self.launcher._child_exited(run_id, int(pid), int(code))


class RunLauncher:
    """Starts queued runs in forked children of a warm worker process.

    Args:
        args: The code location and catalog URL the worker loads.
        catalog: The server's catalog, where the launcher records pids and crashes.
    """

    def __init__(self, args: CodeLocationArgs, catalog: Catalog) -> None:
        self.args = args
        self.catalog = catalog
        self._lock = threading.RLock()
        self._worker: _Worker | None = None
        self._closing = False
        self._canceling: set[str] = set()
        self._pids: dict[str, int] = {}
        self._respawns: list[float] = []

    def start(self) -> None:
        """Start the worker (it gets ready in the background)."""
        with self._lock:
            if self._worker is None or self._worker.ended.is_set():
                self._worker = _Worker(self.args, self)

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Block until the worker is ready; raise ``CodeLocationError`` if it failed."""
        self.start()
        assert self._worker is not None
        error = self._worker.wait_ready(timeout)
        if error is not None:
            raise CodeLocationError(error)

    def settle(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait until the current worker, if one is starting, has loaded the code
        location and recorded its definitions snapshot (its failure is reported by
        ``launch``), so a later worker's snapshot is recorded after it."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.wait_ready(timeout)

    def launch(self, run_id: str) -> None:
        """Start the QUEUED run ``run_id`` in a child of the worker; returns at once."""
        with self._lock:
            self.start()
            assert self._worker is not None
            if not self._worker.send(run_id):
                self._worker = _Worker(self.args, self)
                self._worker.send(run_id)

    def prepare_replacement(self) -> _Worker:
        """Start a worker for the (reloaded) code location and wait until it is
        ready; raise ``CodeLocationError`` when the code location does not load (the
        current worker stays). Pass the result to ``promote`` or ``discard``."""
        candidate = _Worker(self.args, self)
        error = candidate.wait_ready(READY_TIMEOUT_S)
        if error is not None:
            self.discard(candidate)
            raise CodeLocationError(error)
        return candidate

    def promote(self, candidate: _Worker) -> None:
        """Launch runs in ``candidate`` from now on; the old worker exits once its
        children have."""
        with self._lock:
            old, self._worker = self._worker, candidate
        if old is not None:
            old.drain()

    def discard(self, candidate: _Worker) -> None:
        """Stop a worker that ``prepare_replacement`` started."""
        candidate.drain()
        if candidate.proc.poll() is None:
            candidate.proc.kill()

    def pid_of(self, run_id: str) -> int | None:
        """The pid of the child running ``run_id``, if this server started it."""
        return self._pids.get(run_id)

    def cancel(self, run_id: str) -> bool:
        """Send SIGTERM to the process running ``run_id``, now or (a child of this
        server's worker) as soon as it is forked; True if a signal was sent now.

        A run started by another server process (``assetline ui --workers N``) is
        signalled through the process the run recorded — on this host, and only if
        that pid still belongs to the process that started at the recorded time (a
        pid can be reused). Other runs stop on their own when they see CANCELING.
        """
        self._canceling.add(run_id)
        pid = self._pids.get(run_id) or self._recorded_pid(run_id)
        if not pid:
            return False
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def _recorded_pid(self, run_id: str) -> int | None:
        from assets_core.execution.processes import ProcessIdentity, is_alive

        try:
            run = self.catalog.get_run(run_id)
        except NotFoundError:
            return None
        if run.pid is None or run.host is None or run.process_started_at is None:
            return None
        identity = ProcessIdentity(run.host, run.pid, run.process_started_at)
        return run.pid if is_alive(identity) else None

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker: no new runs; children already running go on."""
        with self._lock:
            self._closing = True
            worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.drain()
        try:
            worker.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            worker.proc.terminate()
            try:
                worker.proc.wait(timeout)
            except subprocess.TimeoutExpired:  # pragma: no cover
                worker.proc.kill()
        worker.thread.join(timeout)

    @property
    def worker_pid(self) -> int | None:
        """The pid of the current worker process (for tests and /healthz)."""
        worker = self._worker
        return worker.proc.pid if worker is not None and not worker.ended.is_set() else None

    # -- reports from the worker's reader thread ------------------------------------
    def _child_started(self, run_id: str, pid: int) -> None:
        # The child records its pid on the run itself (when it marks it STARTED);
        # writing it here too would contend for the catalog on the launch path.
        self._pids[run_id] = pid
        if run_id in self._canceling:  # canceled between the launch and the fork
            self.cancel(run_id)

    def _child_exited(self, run_id: str, pid: int, code: int) -> None:
        self._pids.pop(run_id, None)
        canceled = run_id in self._canceling
        self._canceling.discard(run_id)
        try:
            run = self.catalog.get_run(run_id)
        except NotFoundError:
            return
        if run.status not in _UNFINISHED:
            return
        if run.status == "QUEUED" and code == 0:
            return
        now = time.time()
        to: RunStatus
        if canceled or run.status == "CANCELING":
            to, event, message = "CANCELED", "RUN_CANCELED", "Run canceled"
        else:
            how = (
                f"was killed by {signal.Signals(-code).name}"
                if code < 0 and -code in signal.valid_signals()
                else f"exited with code {code}"
            )
            to, event = "FAILURE", "RUN_FAILURE"
            message = f"The run worker (pid {pid}) {how} before the run ended."
        step_status: StepStatus = "CANCELED" if to == "CANCELED" else "FAILED"
        steps = [
            StepRecord(run_id, asset, partition, step_status, 1, started_at, now, message)
            for (asset, partition), started_at in _open_steps(self.catalog, run_id).items()
        ]
        level = "INFO" if to == "CANCELED" else "ERROR"
        batch = WriteBatch(
            events=[EventRecord(run_id, now, event, message, level=level)], steps=steps
        )
        self.catalog.end_run(run_id, to, only_from=_UNFINISHED, batch=batch, error=message)

    def _worker_ended(self, worker: _Worker) -> None:
        with self._lock:
            if self._closing or worker is not self._worker:
                return
            self._worker = None
            now = time.monotonic()
            self._respawns = [t for t in self._respawns if now - t < 60] + [now]
            unstarted = list(worker.unstarted)
            if worker.error is not None or len(self._respawns) > 5:
                reason = worker.error or "the run worker keeps dying"
                for run_id in unstarted:
                    self._fail_unstarted(run_id, reason)
                return
            logger.warning("run worker %s exited; starting a new one", worker.proc.pid)
            for run_id in unstarted:
                self.launch(run_id)

    def _fail_unstarted(self, run_id: str, reason: str) -> None:
        now = time.time()
        message = f"The run could not start: {reason}"
        batch = WriteBatch(events=[EventRecord(run_id, now, "RUN_FAILURE", message, level="ERROR")])
        self.catalog.end_run(run_id, "FAILURE", only_from=("QUEUED",), batch=batch, error=message)


def _open_steps(catalog: Catalog, run_id: str) -> dict[tuple[str, str | None], float]:
    """Steps of a run that started and never ended (their worker died): (asset,
    partition) -> when they started. Read from the event log, since a step's record is
    written when it ends."""
    started: dict[tuple[str, str | None], float] = {}
    for event in catalog.events(run_id):
        if event.asset_key is None:
            continue
        step = (event.asset_key, event.partition)
        if event.type == "STEP_START":
            started.setdefault(step, event.timestamp)
        elif event.type in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            started.pop(step, None)
    return started
