"""What the built-in checks share: defining a check from a function, column lists,
and short, human renderings of values and durations for their messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from assets_core.checks.check import (
    AssetCheckDefinition,
    CheckResult,
    Severity,
    validate_check_options,
)
from assets_core.checks.runner import to_json_safe
from assets_core.errors import DefinitionError, caller_location
from assets_core.keys import AssetKey

SAMPLE_ROWS = 5
MAX_UNEXPECTED = 20
TABLE = "asset_value"


def define(
    asset: Any,
    fn: Callable[..., CheckResult],
    name: object,
    description: str,
    severity: Severity,
    blocking: bool,
    needs_value: bool = True,
    columns: Sequence[str] = (),
) -> AssetCheckDefinition:
    location = caller_location()  # the user's line that called the built-in
    key = AssetKey.parse(asset)
    if not isinstance(name, str):
        raise DefinitionError(
            f"Check on {key}: name= must be a string, got {name!r}.",
            location=location,
            highlight="name",
        )
    check_name = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "check"
    validate_check_options(severity, blocking, f"{check_name} on {key}", location)
    return AssetCheckDefinition(
        name=check_name,
        asset_key=key,
        fn=fn,
        severity=severity,
        blocking=blocking,
        description=description,
        takes_context=True,
        value_param="value" if needs_value else None,
        location=location,
        columns=tuple(("", c) for c in columns),
    )


def column_list(columns: str | Sequence[str], check: str, single: bool = False) -> list[str]:
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols or not all(isinstance(c, str) and c for c in cols) or (single and len(cols) > 1):
        what = "a column name" if single else "a column name or a list of column names"
        raise DefinitionError(f"{check}: give {what}, got {columns!r}.")
    return cols


def fmt(value: Any) -> str:
    return short(repr(to_json_safe(value)), 60)


def fmt_key(key: dict[str, Any]) -> str:
    values = [fmt(v) for v in key.values()]
    return values[0] if len(values) == 1 else f"({', '.join(values)})"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def human(delta: timedelta) -> str:
    """``1d 2h 5m``, ``26h`` -> ``1d 2h``, ``90s`` -> ``1m 30s``."""
    total = int(abs(delta.total_seconds()))
    parts = [
        (total // 86400, "d"),
        (total % 86400 // 3600, "h"),
        (total % 3600 // 60, "m"),
        (total % 60, "s"),
    ]
    text = " ".join(f"{n}{unit}" for n, unit in parts if n) or f"{abs(delta.total_seconds()):g}s"
    return ("-" if delta < timedelta(0) else "") + text
