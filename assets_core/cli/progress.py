"""Live progress of a run in the terminal, and the summary table at its end."""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from rich.text import Text

from assets_core.cli.common import console, esc, styled

if TYPE_CHECKING:
    from assets_core.execution.plan import ExecutionPlan, Step
    from assets_core.execution.run import RunResult
    from assets_core.execution.step import StepOutcome

SUMMARY_ROWS = 40


def _said(outcome: StepOutcome) -> str:
    """A finished step's error, with the user's file and line when known."""
    if outcome.location:
        return f"at {outcome.location}: {outcome.exception or outcome.error}"
    return outcome.error or ""


class RunProgress:
    """Per-step state, done/total counts and elapsed time; a live bar on a terminal,
    one line per finished step otherwise (CI logs)."""

    def __init__(
        self, plan: ExecutionPlan, run_id: str, live: bool | None = None, skipped: int = 0
    ) -> None:
        self.plan = plan
        self.run_id = run_id
        self.total = len(plan.steps)
        self.skipped = skipped
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self.console = console(own_fd=True)
        self.live = sys.stdout.isatty() if live is None else live
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> RunProgress:
        done = f" ({self.skipped} already done, skipped)" if self.skipped else ""
        self.console.print(f"Run [bold]{esc(self.run_id)}[/]: {self.total} steps{done}")
        if self.live:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("materializing", total=self.total, counts="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, step: Step, outcome: StepOutcome) -> None:
        if outcome.status == "STARTED":
            if self._progress is not None:
                self._progress.update(self._task, description=f"[cyan]{esc(step.id)}[/]")
            return
        self.counts[outcome.status] += 1
        if self._progress is not None:
            parts = [f"{styled(s)} {n}" for s, n in sorted(self.counts.items())]
            self._progress.update(self._task, advance=1, counts=" ".join(parts))
            if outcome.status == "FAILED":
                self._progress.console.print(f"[red]✗[/] {esc(step.id)}: {esc(_said(outcome))}")
        else:
            mark = {"SUCCESS": "[green]✓[/]", "FAILED": "[red]✗[/]"}.get(outcome.status, "-")
            took = ""
            if outcome.started_at and outcome.ended_at:
                took = f" ({outcome.ended_at - outcome.started_at:.2f}s)"
            detail = f": {esc(_said(outcome))}" if outcome.error else ""
            self.console.print(f"{mark} {esc(step.id)} {styled(outcome.status)}{took}{detail}")

    def failures(self, outcomes: list[StepOutcome]) -> None:
        """Each failure with the user's file and line and its trimmed traceback:
        ``revenue FAILED at marts.py:42: TypeError: ...``."""
        for o in outcomes:
            if o.status != "FAILED" or not (o.location or o.traceback):
                continue
            where = f" at {o.location}" if o.location else ""
            what = o.exception or o.error or ""
            self.console.print(Text(f"{o.step_id} FAILED{where}: {what}", style="red"))
            if o.traceback:
                self.console.print(Text(o.traceback.rstrip("\n"), style="dim"))

    def summary(self, result: RunResult) -> None:
        from rich.table import Table

        elapsed = time.monotonic() - self.started
        outcomes = list(result.steps.values())
        shown = (
            outcomes
            if len(outcomes) <= SUMMARY_ROWS
            else [o for o in outcomes if o.status != "SUCCESS"][:SUMMARY_ROWS]
        )
        if shown:
            table = Table(title_justify="left")
            for col in ("step", "status", "attempts", "duration", "error"):
                table.add_column(col, overflow="fold")
            for o in shown:
                dur = f"{o.ended_at - o.started_at:.3f}s" if o.started_at and o.ended_at else "-"
                table.add_row(
                    esc(o.step_id), styled(o.status), str(o.attempts), dur, esc(o.error or "")
                )
            self.console.print(table)
        self.failures(outcomes)
        counts = Counter(o.status for o in outcomes)
        text = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
        checks = self._checks(result)
        self.console.print(
            f"Run {esc(result.run_id)} {styled(result.status)} in {elapsed:.2f}s: "
            f"{text or 'nothing to do'}.{checks}"
        )

    def _checks(self, result: RunResult) -> str:
        """Print the reason of each check that did not pass (blocking ones first); return
        `` Checks: 3 passed, 1 failed, 1 warned.`` for the summary line."""
        records = result.catalog.check_results_for_run(result.run_id)
        if not records:
            return ""
        bad = [r for r in records if not r.passed]
        bad.sort(key=lambda r: not (r.blocking and r.severity == "error"))
        for r in bad[:SUMMARY_ROWS]:
            part = f"[{r.partition}]" if r.partition else ""
            failed = r.severity == "error"
            mark = "[red]✗[/]" if failed else "[yellow]![/]"
            kind = ("blocking " if r.blocking and failed else "") + (
                "check" if failed else "warning"
            )
            reason = r.error or r.metadata.get("description") or _metadata_reason(r.metadata)
            self.console.print(
                f"{mark} {kind} {esc(f'{r.asset_key}{part}:{r.check_name}')} "
                f"{r.status}: {esc(str(reason))}"
            )
        passed = sum(r.passed for r in records)
        failed_n = sum(not r.passed and r.severity == "error" for r in records)
        warned = len(records) - passed - failed_n
        return f" Checks: {passed} passed, {failed_n} failed, {warned} warned."


def _metadata_reason(metadata: dict[str, Any]) -> str:
    """``failed (bad_rows=1)``: what a check without a description recorded."""
    shown = [f"{k}={v}" for k, v in metadata.items() if k not in ("traceback", "description")]
    text = ", ".join(shown)
    if len(text) > 200:
        text = text[:199] + "…"
    return f"failed ({text})" if text else "failed"
