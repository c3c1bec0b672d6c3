"""What the automation API looks like to a type checker. Never run, only type-checked
(see test_typing_snippets.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, assert_type

from assets_core import (
    Automation,
    Definitions,
    RunRequest,
    Schedule,
    SensorContext,
    SensorDefinition,
    SkipReason,
    asset,
    sensor,
)


@sensor(interval="30s", select="orders")
def new_files(context: SensorContext) -> list[RunRequest] | SkipReason:
    if context.cursor is None:
        return SkipReason("nothing yet")
    context.update_cursor("x")
    return [RunRequest(partition="2024-01-01", run_key="a.csv")]


@sensor
def bare() -> None:
    return None


assert_type(bare, SensorDefinition[Callable[[], None]])
assert_type(new_files(SensorContext(cursor="[]")), list[RunRequest] | SkipReason)
assert_type(bare(), None)


def yesterday(tick: datetime) -> str:
    return tick.strftime("%Y-%m-%d")


daily = Schedule("daily", cron="0 6 * * *", select="orders", partition="previous_day")
by_function = Schedule("by_fn", cron="0 6 * * *", select="orders", partition=yesterday)


@asset(automation=Automation.eager() | Automation.on_missing(lookback=3))
def orders() -> int:
    return 1


defs = Definitions(assets=[orders], schedules=[daily, by_function], sensors=[new_files, bare])
assert_type(defs.sensors, tuple[SensorDefinition[Any], ...])

# E: Argument "partition" to "Schedule" has incompatible type "Literal[3]"; expected "Literal['previous_day', 'previous_hour', 'current'] | Callable[[datetime], str | Sequence[str]] | None"  [arg-type]
Schedule("bad", cron="0 6 * * *", select="orders", partition=3)  # type: ignore[arg-type]
