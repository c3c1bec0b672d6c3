"""What a run's log says about each step: its failure (message, traceback trimmed to
the user's frames, ``file:line``) and its captured stdout/stderr.

Both travel as run events (``STEP_FAILURE``; ``STEP_OUTPUT`` chunks written while the
step runs), so every executor stores them the way it stores events, live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assets_core.catalog.records import EventRecord

STEP_FAILURE = "STEP_FAILURE"
STEP_OUTPUT = "STEP_OUTPUT"

StepId = tuple[str, "str | None"]


@dataclass(frozen=True, slots=True)
class StepFailure:
    """Why a step failed.

    Args:
        message: The step's error.
        traceback: Its traceback, trimmed to the user's frames ("" when none).
        location: The user's ``file:line`` that raised, if known.
        exception: The original exception in one line, if known.
    """

    message: str
    traceback: str
    location: str | None
    exception: str | None

    @property
    def headline(self) -> str:
        """``at marts.py:42: TypeError: ...`` (without the location when unknown)."""
        what = self.exception or self.message
        return f"at {self.location}: {what}" if self.location else what


def step_failures(events: Iterable[EventRecord]) -> dict[StepId, StepFailure]:
    """The last failure of each (asset, partition) among a run's ``events``.

    Args:
        events: Events of one run, in order.
    """
    out: dict[StepId, StepFailure] = {}
    for e in events:
        if e.type != STEP_FAILURE or e.asset_key is None:
            continue
        data = e.data or {}
        out[(e.asset_key, e.partition)] = StepFailure(
            message=str(data.get("error") or e.message),
            traceback=str(data.get("traceback") or ""),
            location=data.get("location"),
            exception=data.get("exception"),
        )
    return out


def step_output(events: Iterable[EventRecord]) -> dict[StepId, str]:
    """The captured output of each (asset, partition) among a run's ``events``, its
    chunks joined in order.

    Args:
        events: Events of one run, in order.
    """
    parts: dict[StepId, list[str]] = {}
    for e in events:
        if e.type == STEP_OUTPUT and e.asset_key is not None:
            parts.setdefault((e.asset_key, e.partition), []).append(e.message)
    return {k: "".join(v) for k, v in parts.items()}
