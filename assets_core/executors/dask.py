"""The Dask executor: steps run as tasks on a Dask ``distributed`` cluster, a running
scheduler (``--dask-address tcp://host:8786``) or a ``LocalCluster`` of ``--workers``
processes started for the run.

This process is the driver. It plans nothing new: it submits each step of the plan as
one task (``dask_worker.run_step_task``) once its upstream steps finished, and
records everything, like the other executors, through the run's event writer:

- the batches a task relays while it runs (its start, log lines) as they arrive, and
  its final batches (step record, materializations, checks) in one transaction when it
  ends; with materialization ids assigned here, provenance is exact;
- pool slots, taken here before a step is submitted (workers need no catalog access);
  a step waiting for one is recorded WAITING;
- a worker that dies mid-step: "worker lost", retried per the step's ``Retry`` policy
  (on another worker) or FAILED; the scheduler reports the removal, so the run never
  waits on a dead worker;
- the scheduler going away: the run ends FAILURE, "Dask scheduler ... unreachable",
  with its finished steps kept;
- cancel (Ctrl-C, ``cancelRun``): the futures are canceled and the tasks still
  executing are interrupted (``InterruptReleasedSteps``); a LocalCluster is shut down.

If the driver dies, the scheduler releases its futures when the connection drops, the
interrupt plugin stops the tasks, and nothing relays to a catalog any more.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import StepRecord, WriteBatch
from assets_core.errors import ExecutorLostError, WorkerLostError
from assets_core.execution.plan import ExecutionPlan, Step
from assets_core.execution.pools import announce_waiting, warn_unlimited
from assets_core.execution.step import RunCanceled, RunState, StepOutcome, record_failure
from assets_core.executors.dask_client import cluster_client, payload_bytes, quiet_distributed
from assets_core.executors.inprocess import record_canceled, record_skip, skip_reason

if TYPE_CHECKING:
    from distributed import Client, Future

    from assets_core.execution.request import ExecutorSpec

#: Seconds the main loop waits for news before it checks for a cancel request.
POLL_S = 0.25
#: Seconds a finished task's relayed end may lag behind Dask's word that it finished.
RELAY_GRACE_S = 2.0


@dataclass(slots=True)
class _Submission:
    """One task submitted for a step (a step retried after a lost worker gets another)."""

    step_id: str
    future: Future[Any]
    first_attempt: int
    submitted_at: float
    lease: str | None
    #: The attempt that is running (STEP_RETRY events relayed while it runs move it).
    attempt: int = 0
    relayed: int = 0
    done: bool = False
    #: When Dask said the task finished (its end, relayed, is then due).
    finished_at: float | None = None


@dataclass(slots=True)
class _Retry:
    step_id: str
    at: float
    attempt: int


@dataclass(slots=True)
class _Waiting:
    step_id: str
    first_attempt: int = 1
    announced: bool = False


def execute_dask(
    plan: ExecutionPlan,
    state: RunState,
    on_outcome: Callable[[Step, StepOutcome], None],
    should_cancel: Callable[[], bool],
    executor: ExecutorSpec,
) -> dict[str, StepOutcome]:
    """Run the plan's steps on Dask; raise ``RunCanceled`` when canceled (after
    recording) and ``ExecutorLostError`` when the scheduler goes away."""
    with quiet_distributed(), cluster_client(executor) as (client, address, local):
        driver = _Driver(client, address, plan, state, on_outcome)
        try:
            return driver.run(should_cancel)
        except (RunCanceled, KeyboardInterrupt):
            driver.cancel()
            if local is not None:
                with contextlib.suppress(Exception):
                    local.close(timeout=5)
            raise RunCanceled() from None
        finally:
            driver.close()


class _Driver:
    """Submits the steps of one run as they become ready and records their outcomes."""

    def __init__(
        self,
        client: Client,
        address: str,
        plan: ExecutionPlan,
        state: RunState,
        on_outcome: Callable[[Step, StepOutcome], None],
    ) -> None:
        from assets_core.executors.dask_worker import TOPIC_PREFIX, InterruptReleasedSteps, hold

        self.client, self.address, self.state = client, address, state
        self.on_outcome = on_outcome
        self.steps = {s.id: s for s in plan.steps}
        self.children: dict[str, list[str]] = {s.id: [] for s in plan.steps}
        self.waiting_deps = {s.id: len(s.deps) for s in plan.steps}
        for s in plan.steps:
            for d in s.deps:
                self.children[d].append(s.id)
        self.ready: list[str] = [s.id for s in plan.steps if not s.deps]
        self.parents = {
            s.id: {str(p) for k in s.keys for p in state.graph.parents(k)} for s in plan.steps
        }
        self.status: dict[str, StepOutcome] = {}
        self.running: dict[str, _Submission] = {}  # task key -> submission
        self.retries: list[_Retry] = []
        self.blocked: list[_Waiting] = []
        self.news: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.topic = TOPIC_PREFIX + state.run_id
        state.writer.flush()
        client.register_plugin(InterruptReleasedSteps(), name=InterruptReleasedSteps.name)
        client.subscribe_topic(self.topic, lambda event: self.news.put(("relay", event[1])))
        self._check_allowed_failures()
        # A task, not scattered data: if the workers holding it die, Dask computes it again.
        self.payload = client.submit(
            hold, payload_bytes(plan, state), key=f"assetline-payload-{state.run_id}", pure=False
        )

    def _check_allowed_failures(self) -> None:
        """A scheduler that re-runs the task of a dead worker itself
        (``distributed.scheduler.allowed-failures`` > 0) retries steps regardless of
        their ``Retry`` policy: say so in the run's log."""

        def allowed(dask_scheduler: Any) -> int:
            return int(dask_scheduler.allowed_failures)

        try:
            n = int(self.client.run_on_scheduler(allowed))
        except Exception:
            return
        if n > 0:
            self.state.writer.emit(
                "EXECUTOR_WARNING",
                f"The Dask scheduler {self.address} re-runs a task whose worker died up to "
                f"{n} time(s) on its own, whatever the step's Retry policy. Start it with "
                "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0 (see docs/deploy.md).",
                level="WARNING",
                data={"allowed_failures": n},
            )

    # -- the main loop -------------------------------------------------------------------
    def run(self, should_cancel: Callable[[], bool]) -> dict[str, StepOutcome]:
        while self.ready or self.running or self.retries or self.blocked:
            if should_cancel():
                raise RunCanceled()
            self._submit_ready()
            timeout = 0.02 if self.blocked else POLL_S
            if any(sub.finished_at is not None for sub in self.running.values()):
                timeout = min(timeout, 0.1)
            if self.retries:
                timeout = min(timeout, max(0.0, min(r.at for r in self.retries) - time.time()))
            news = []
            with contextlib.suppress(queue.Empty):
                news.append(self.news.get(timeout=timeout))
                while True:
                    news.append(self.news.get_nowait())
            self._handle(news)
        self.state.writer.flush()
        return self.status

    def _handle(self, news: list[tuple[str, Any]]) -> None:
        """Relayed batches in order, then the tasks that ended; the results of finished
        tasks are gathered in one round trip (one by one, the round trips were most of
        a run of small steps: profiled)."""
        done: list[_Submission] = []
        for kind, item in news:
            if kind == "relay":
                self._relayed(item)
            elif kind == "done":
                sub = self.running.get(item)
                if sub is not None and not sub.done:
                    done.append(sub)
        now = time.monotonic()
        for sub in done:
            if sub.future.status == "finished":
                sub.finished_at = now  # its end is on its way through the relay
            else:
                self._task_done(str(sub.future.key))
        late = [
            sub
            for sub in self.running.values()
            if sub.finished_at is not None and now - sub.finished_at > RELAY_GRACE_S
        ]
        if late:  # the relayed end did not come: fetch the results themselves
            results = self.client.gather([sub.future for sub in late], errors="skip")
            for sub, result in zip(late, results, strict=False):
                self._task_finished(sub, result)

    def _submit_ready(self) -> None:
        now = time.time()
        for retry in [r for r in self.retries if r.at <= now]:
            self.retries.remove(retry)
            self.blocked.append(_Waiting(retry.step_id, retry.attempt))
        while self.ready:
            sid = self.ready.pop(0)
            reason = skip_reason(self.steps[sid], self.status)
            if reason is not None:
                self._finish(sid, record_skip(self.state, self.steps[sid], reason))
            else:
                self.blocked.append(_Waiting(sid))
        batch = []
        for waiting in list(self.blocked):
            lease = self._take_slot(waiting)
            if lease is not None:
                self.blocked.remove(waiting)
                batch.append((waiting.step_id, waiting.first_attempt, lease))
        if batch:
            self._submit(batch)

    def _take_slot(self, waiting: _Waiting) -> str | None:
        """A lease of the step's pool slot ("" without a pool), or None: it waits."""
        step = self.steps[waiting.step_id]
        pool, slots = step.definition.pool, self.state.pools
        if pool is None or slots is None:
            return ""
        lease = slots.try_acquire(pool, self.state.run_id, step)
        if lease == "":
            warn_unlimited(self.state.writer, slots, pool, step)
        elif lease is None and not waiting.announced:
            waiting.announced = True
            announce_waiting(self.state.writer, self.state.run_id, step, pool, slots.limits[pool])
        return lease

    def _submit(self, batch: list[tuple[str, int, str]]) -> None:
        """Submit steps (id, first attempt, pool lease) in one message to the scheduler
        (one per step cost ~6 ms each on a busy machine: profiled)."""
        from assets_core.executors.dask_worker import run_step_task

        now = time.time()
        run_id = self.state.run_id
        for step_id, first_attempt, _ in batch:
            if first_attempt == 1:
                self.on_outcome(
                    self.steps[step_id], StepOutcome(step_id, "STARTED", started_at=now)
                )
        futures = self.client.map(
            run_step_task,
            [self.payload] * len(batch),
            [run_id] * len(batch),
            [sid for sid, _, _ in batch],
            [self._versions_for(self.steps[sid]) for sid, _, _ in batch],
            [attempt for _, attempt, _ in batch],
            key=[f"assetline-{sid}-{run_id[:12]}-{attempt}" for sid, attempt, _ in batch],
            pure=False,
        )
        for (step_id, first_attempt, lease), future in zip(batch, futures, strict=True):
            sub = _Submission(step_id, future, first_attempt, now, lease, first_attempt)
            self.running[str(future.key)] = sub
            future.add_done_callback(lambda f: self.news.put(("done", str(f.key))))

    def _versions_for(self, step: Step) -> dict[tuple[str, str | None], Any]:
        """The versions of the upstream materializations ``step`` consumes."""
        parents = self.parents[step.id]
        return {k: v for k, v in self.state.versions.items() if k[0] in parents}

    # -- what the cluster tells ------------------------------------------------------------
    def _relayed(self, msg: dict[str, Any]) -> None:
        key = msg.get("key")
        sub = self.running.get(key) if key else None
        if "end" in msg:
            if sub is not None and not sub.done:
                self._task_finished(sub, pickle.loads(msg["end"]))
            return
        batch: WriteBatch = pickle.loads(msg["batch"])
        if sub is not None:
            if sub.done:
                return  # late news from a task already given up on
            sub.relayed += 1
            for event in batch.events:
                if event.type == "STEP_RETRY" and event.data:
                    sub.attempt = int(event.data.get("attempt", sub.attempt)) + 1
        self.state.writer.commit(batch)

    def _task_done(self, key: str) -> None:
        from distributed import KilledWorker

        sub = self.running.get(key)
        if sub is None or sub.done:
            return
        future = sub.future
        if future.status == "finished":
            self._task_finished(sub, future.result())
        elif future.status == "error":
            error = future.exception()
            if isinstance(error, KilledWorker):
                self._worker_lost(sub, error.last_worker.address)
            else:
                self._task_crashed(sub, error, future.traceback())
        else:  # canceled by someone else than us: the scheduler is gone or restarted
            self._scheduler_lost()

    def _task_finished(self, sub: Any, result: Any) -> None:
        from assets_core.executors.dask_worker import TaskResult

        assert isinstance(result, TaskResult)
        deadline = time.monotonic() + 2.0
        while sub.relayed < result.relayed and time.monotonic() < deadline:
            # relayed batches are still on their way: keep the step's events in order
            with contextlib.suppress(queue.Empty):
                kind, item = self.news.get(timeout=0.01)
                if kind == "relay":
                    self._relayed(item)
                else:
                    self.news.put((kind, item))  # looked at in the next round
        self._end(sub)
        versions = self.state.versions
        for batch in result.batches:
            ids = self.state.writer.commit(batch)
            for m, mat_id in zip(batch.materializations, ids, strict=True):
                versions[(m.asset_key, m.partition)] = (mat_id, m.data_version)
        self._finish(sub.step_id, result.outcome)

    def _task_crashed(self, sub: Any, error: BaseException | None, tb: Any) -> None:
        """The task failed outside the step code: the worker could not unpickle the
        run (the code location is not installed there), ran out of memory..."""
        import traceback as tbm

        step = self.steps[sub.step_id]
        self._end(sub)
        message = self.state.redact(
            f"Dask worker could not run {step.id}: {type(error).__name__}: {error}"
            + (
                " (install the code location on the workers: the same package and version)"
                if isinstance(error, (ImportError, AttributeError))
                else ""
            )
        )
        trace = "".join(tbm.format_tb(tb)) if tb is not None else ""
        outcome = record_failure(
            self.state, step, sub.attempt, sub.submitted_at, message, self.state.redact(trace)
        )
        self._finish(sub.step_id, outcome)

    def _worker_lost(self, sub: Any, worker: str) -> None:
        step = self.steps[sub.step_id]
        self._end(sub)
        with contextlib.suppress(Exception):
            self.client.cancel([sub.future])  # Dask must not re-run it behind our back
        attempt = sub.attempt
        message = f"worker lost: Dask worker {worker} died while running {step.id}"
        retry = step.definition.retry
        if (
            retry is not None
            and attempt < retry.max_attempts
            and isinstance(WorkerLostError(message), retry.retry_on)
        ):
            delay = retry.delay_s(attempt)
            self.state.writer.emit(
                "STEP_RETRY",
                f"Attempt {attempt} of {step.id} failed: {message}; retrying in {delay:.1f}s",
                str(step.key),
                step.partition_key,
                "WARNING",
                {"attempt": attempt, "traceback": "", "worker": worker},
            )
            self.state.writer.flush()
            self.retries.append(_Retry(sub.step_id, time.time() + delay, attempt + 1))
            return
        outcome = record_failure(self.state, step, attempt, sub.submitted_at, message, "")
        self._finish(sub.step_id, outcome)

    def _scheduler_lost(self) -> None:
        """The scheduler dropped our tasks: fail what ran, skip the rest, end the run."""
        message = f"Dask scheduler {self.address} unreachable"
        if self.client.status == "running":
            message = f"Dask scheduler {self.address} dropped the run's tasks (restarted?)"
        for sub in list(self.running.values()):
            if not sub.done:
                self._end(sub)
                step = self.steps[sub.step_id]
                outcome = record_failure(
                    self.state, step, sub.attempt, sub.submitted_at, message, ""
                )
                self.status[sub.step_id] = outcome
                self.on_outcome(step, outcome)
        now = time.time()
        for sid, step in self.steps.items():
            if sid not in self.status:
                for k in step.keys:
                    for p in step.partition_keys or (None,):
                        self.state.writer.add_step(
                            StepRecord(
                                self.state.run_id, str(k), p, "SKIPPED", 0, None, now, message
                            )
                        )
        self.state.writer.flush()
        raise ExecutorLostError(
            f"{message}; the steps that finished are kept. Check the scheduler, then "
            "re-execute the run from failure."
        )

    # -- bookkeeping ------------------------------------------------------------------------
    def _end(self, sub: Any) -> None:
        sub.done = True
        self.running.pop(str(sub.future.key), None)
        if sub.lease and self.state.pools is not None:
            self.state.pools.release(sub.lease)

    def _finish(self, step_id: str, outcome: StepOutcome) -> None:
        self.status[step_id] = outcome
        self.on_outcome(self.steps[step_id], outcome)
        for child in self.children[step_id]:
            self.waiting_deps[child] -= 1
            if self.waiting_deps[child] == 0:
                self.ready.append(child)

    def cancel(self) -> None:
        """Cancel the futures (the plugin interrupts executing tasks) and record every
        step that did not finish as CANCELED."""
        futures = [sub.future for sub in self.running.values()]
        with contextlib.suppress(Exception):
            self.client.cancel(futures, reason="assetline-run-canceled")
        for sub in list(self.running.values()):
            self._end(sub)
        remaining = [s for sid, s in self.steps.items() if sid not in self.status]
        for outcome in record_canceled(self.state, remaining):
            self.status[outcome.step_id] = outcome

    def close(self) -> None:
        """Stop listening and let the cluster forget the run (unless the scheduler is
        gone: a call to it would wait the client's reconnect timeout, 20 s, before the
        run could end)."""
        for sub in list(self.running.values()):
            self._end(sub)
        if self.client.status != "running":
            return
        with contextlib.suppress(Exception):
            self.client.unsubscribe_topic(self.topic)
        with contextlib.suppress(Exception):
            self.payload.release()
        topic = self.topic

        def forget(dask_scheduler: Any) -> None:  # the scheduler keeps every topic's events
            dask_scheduler._broker._topics.pop(topic, None)

        with contextlib.suppress(Exception):
            self.client.run_on_scheduler(forget)


__all__ = ["execute_dask"]
