"""``assetline daemon``: ticks schedules, sensors and automation conditions, starts
queued runs, and ends runs whose worker died.

Each loop (``interval_s``, default 1 s), while this process holds the daemon lease
(``lease.py``):

1. ends runs whose worker is gone (``execution/recovery.py``), every 10 s;
2. ticks the due schedules (``triggers.py``) and commits their ticks and runs;
3. evaluates the due sensors in child processes, side by side, and commits theirs;
4. every ``automation_interval_s``, evaluates the automation conditions
   (``automation_tick.py``) and commits the tick, its runs and evaluations;
5. starts queued runs within the run queue's limits (``run_queue.py``), each in a
   process of its own (``launcher.py``).

Every commit is one transaction that also checks the lease, so a tick is recorded
whole or not at all, by the one active daemon. SIGTERM and Ctrl-C stop the loop
between two steps (a sensor evaluation in progress is abandoned, not recorded) and
release the lease; the runs it started go on.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assets_core.automation.automation_tick import AutomationTicker
from assets_core.automation.cron import iso_utc
from assets_core.automation.freshness_alerts import FreshnessAlerts
from assets_core.automation.launcher import RunProcesses
from assets_core.automation.lease import DaemonLease
from assets_core.automation.run_queue import runs_to_start
from assets_core.automation.settings import DaemonSettings
from assets_core.automation.triggers import ScheduleTicker, SensorTicker
from assets_core.catalog.leases import LeaseLostError

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.ticks import TickCommit, TickRecord
    from assets_core.definitions.repository import Definitions

logger = logging.getLogger("assetline.daemon")

SWEEP_EVERY_S = 10.0
PRUNE_EVERY_S = 3600.0


class DaemonStopped(Exception):
    """Raised inside a step when a stop was requested (the step is abandoned)."""


@dataclass(slots=True)
class StepResult:
    """What one loop of the daemon did."""

    ticks: list[TickRecord] = field(default_factory=list)
    launched: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def failures(self) -> list[TickRecord]:
        """The ticks that failed."""
        return [t for t in self.ticks if t.status == "FAILURE"]


class Daemon:
    """The daemon of one code location and catalog.

    Args:
        defs: The loaded definitions.
        catalog: The catalog.
        location: The code location's name (run keys are unique per code location).
        catalog_url: The catalog's URL, for the processes it starts.
        settings: Loop period, timeouts, run queue limits.
        clock: The current time (epoch seconds); tests pass a fake one.
        log_dir: Where the runs it starts write their output.
    """

    def __init__(
        self,
        defs: Definitions,
        catalog: Catalog,
        *,
        location: str,
        catalog_url: str,
        settings: DaemonSettings | None = None,
        clock: Callable[[], float] = time.time,
        log_dir: Path | None = None,
    ) -> None:
        from assets_core.catalog.connection import assetline_home

        self.defs = defs
        self.catalog = catalog
        self.location = location
        self.settings = settings or DaemonSettings()
        self.clock = clock
        self.lease = DaemonLease(catalog, self.settings.lease_ttl_s)
        self.schedules = ScheduleTicker(defs, location, self.settings.max_catchup_ticks)
        self.sensors = SensorTicker(defs, location, catalog_url)
        self.automation = AutomationTicker(defs.graph, catalog)
        self.alerts = FreshnessAlerts(defs)
        self.processes = RunProcesses(
            defs,
            catalog_url,
            log_dir or assetline_home() / "logs" / "runs",
            before_fork=catalog.release_connections,
        )
        self.stop_requested = threading.Event()
        freeze_heap()
        self._last_sweep = self._last_automation = self._last_prune = float("-inf")

    # -- one loop ---------------------------------------------------------------------
    def step(self, *, everything: bool = False) -> StepResult:
        """One loop: sweep, schedules, sensors, automation (when due, or with
        ``everything``), queue. The lease must be held.

        Raises:
            LeaseLostError: Another daemon took the lease over.
            DaemonStopped: A stop was requested during a sensor evaluation.
        """
        started = time.perf_counter()
        result = StepResult()
        mono = time.monotonic()
        self.lease.renew_if_due()
        self._reap()
        if everything or mono - self._last_sweep >= SWEEP_EVERY_S:
            result.recovered = self._sweep()
            self._last_sweep = mono
        states = self.catalog.instigator_states()
        now = self.clock()
        commits, marks = self.schedules.due(states, now)
        if commits or marks:
            result.ticks += self._commit(commits, marks)
        if self.stop_requested.is_set():
            return result
        result.ticks += self._sensors(states)
        if self.stop_requested.is_set():
            return result
        mono = time.monotonic()
        if self.automation.active and (
            everything or mono - self._last_automation >= self.settings.automation_interval_s
        ):
            result.ticks.append(self._automation())
            self._last_automation = mono
        result.launched = self._dequeue()
        self._record_alerts(self.alerts.drain())
        if mono - self._last_prune >= PRUNE_EVERY_S:
            self._prune()
            self._last_prune = mono
        result.duration_s = time.perf_counter() - started
        return result

    def _commit(
        self, commits: list[TickCommit], marks: Sequence[tuple[str, str, float]] = ()
    ) -> list[TickRecord]:
        records = self.catalog.commit_ticks(commits, fence=self.lease.fence, marks=list(marks))
        self.lease.committed()
        for tick in records:
            _log_tick(tick)
        return records

    def _sensors(self, states: Any) -> list[TickRecord]:
        calls = self.sensors.due(states, self.clock())
        if not calls:
            return []

        def waiting() -> None:
            if self.stop_requested.is_set():
                raise DaemonStopped()
            self.lease.renew_if_due()

        outcomes = self.sensors.evaluate(
            calls,
            self.settings.sensor_timeout_s,
            self.settings.max_parallel_sensors,
            before_fork=self.catalog.release_connections,
            while_waiting=waiting,
        )
        now = self.clock()
        commits = [
            self.sensors.commit(c, outcomes[c.sensor.name], self.catalog, now) for c in calls
        ]
        return self._commit(commits)

    def _automation(self) -> TickRecord:
        now = self.clock()
        try:
            outcome = self.automation.tick(now)
        except Exception as e:  # a partition mapping of the user's, say
            from assets_core.automation.isolation import describe_error
            from assets_core.catalog.ticks import TickCommit

            failed = TickCommit("automation", "automation", now, "FAILURE", error=describe_error(e))
            (tick,) = self._commit([failed])
            return tick
        tick = self.catalog.commit_evaluation_tick(
            outcome.commit, outcome.evaluations, outcome.events, fence=self.lease.fence
        )
        self.lease.committed()
        self.automation.committed(outcome)
        for event in outcome.events:
            logger.warning("%s", event.message)
        self.alerts.send(outcome.events)
        if tick.status != "SKIPPED":
            _log_tick(tick)
        return tick

    def _dequeue(self) -> list[str]:
        queued = self.catalog.runs_in_status(["QUEUED"])
        if not queued:
            return []
        mine = self.processes.running()
        waiting = [r for r in queued if r.id not in mine]
        running = self.catalog.runs_in_status(["STARTED", "CANCELING"])
        running += [r for r in queued if r.id in mine]
        started = []
        for run in runs_to_start(waiting, running, self.settings.queue):
            pid = self.processes.launch(run.id)
            logger.info("started run %s (%s) in process %d", run.id[:8], run.selection[:80], pid)
            started.append(run.id)
        return started

    def _reap(self) -> None:
        for run_id, pid, code in self.processes.reap():
            logger.info("run %s: process %d exited with %d", run_id[:8], pid, code)

    def _sweep(self) -> list[str]:
        from assets_core.execution.recovery import recover_dead_runs

        ended = recover_dead_runs(
            self.catalog, heartbeat_timeout_s=self.settings.heartbeat_timeout_s
        )
        for run_id in ended:
            logger.warning("run %s: its worker is gone; ended FAILURE", run_id[:8])
        return ended

    def _prune(self) -> None:
        settings, now = self.settings, time.time()
        n = self.catalog.prune_ticks(now - settings.skipped_ticks_days * 86400)
        if n:
            logger.info(
                "deleted %d SKIPPED ticks older than %g days", n, settings.skipped_ticks_days
            )
        n = self.catalog.prune_evaluations(now - settings.evaluations_days * 86400)
        if n:
            logger.info("deleted %d evaluations older than %g days", n, settings.evaluations_days)

    # -- the loop ---------------------------------------------------------------------
    def run(self, *, once: bool = False, wait_for_lease: bool = True) -> StepResult | None:
        """Hold the lease and loop until stopped (``once``: one step of everything).

        Args:
            once: One step (every schedule, due sensor, the conditions and the queue),
                then return its result.
            wait_for_lease: Wait while another daemon holds the lease (else return
                None at once).
        """
        restore = self._install_signals()
        try:
            while not self.stop_requested.is_set():
                if not self._wait_for_lease(wait_for_lease):
                    return None
                try:
                    if once:
                        return self.step(everything=True)
                    self._loop()
                except LeaseLostError as e:
                    logger.warning("%s", e)
                except DaemonStopped:
                    break
            return None
        finally:
            restore()
            try:
                self._record_alerts(self.alerts.close())
            finally:
                self.lease.release()
            logger.info("daemon stopped")

    def _record_alerts(self, deliveries: list[Any]) -> None:
        if deliveries:
            self.catalog.add_asset_events(deliveries)

    def _loop(self) -> None:
        while not self.stop_requested.is_set():
            began = time.monotonic()
            try:
                self.step()
            except (LeaseLostError, DaemonStopped, KeyboardInterrupt):
                raise
            except Exception:  # the catalog is unreachable...: log, retry next loop
                logger.exception("daemon step failed; retrying in %gs", self.settings.interval_s)
            rest = self.settings.interval_s - (time.monotonic() - began)
            if rest > 0:
                self.stop_requested.wait(rest)

    def _wait_for_lease(self, wait: bool) -> bool:
        announced = None
        while not self.stop_requested.is_set():
            holder = self.lease.try_acquire()
            if self.lease.held:
                logger.info(
                    "daemon %s holds the lease; ticking every %gs",
                    self.lease.owner,
                    self.settings.interval_s,
                )
                return True
            if not wait:
                if holder is not None:
                    logger.error(
                        "another daemon (pid %s on %s) holds the lease until %s",
                        holder.pid,
                        holder.host,
                        iso_utc(holder.expires_at),
                    )
                return False
            if holder is not None and holder.owner != announced:
                logger.info(
                    "waiting: another daemon (pid %s on %s) holds the lease until %s",
                    holder.pid,
                    holder.host,
                    iso_utc(holder.expires_at),
                )
                announced = holder.owner
            self.stop_requested.wait(min(max(self.settings.lease_ttl_s / 6, 0.2), 5.0))
        return False

    def _install_signals(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def handler(signum: int, frame: Any) -> None:
            if self.stop_requested.is_set():
                raise KeyboardInterrupt
            logger.info("%s: stopping after the current step", signal.Signals(signum).name)
            self.stop_requested.set()

        previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for s, h in previous.items():
                signal.signal(s, h)

        return restore


def freeze_heap() -> None:
    """Move everything loaded so far (the definitions, the graph) out of the garbage
    collector's reach: a tick allocates many small objects, and every full collection
    would walk the whole graph again; forked children also share these pages instead
    of copying them as the collector touches them."""
    import gc

    gc.collect()
    gc.freeze()


def _log_tick(tick: TickRecord) -> None:
    what = f"{tick.kind} {tick.name}" if tick.kind != "automation" else "automation"
    if tick.status == "FAILURE":
        logger.error("%s: tick %s FAILURE: %s", what, iso_utc(tick.timestamp), tick.error)
    elif tick.status == "SKIPPED":
        logger.info("%s: tick %s SKIPPED: %s", what, iso_utc(tick.timestamp), tick.reason)
    else:
        runs = ", ".join(r[:8] for r in tick.run_ids)
        logger.info("%s: tick %s queued run(s) %s", what, iso_utc(tick.timestamp), runs)


__all__ = ["Daemon", "DaemonStopped", "StepResult"]
