"""Project settings from ``[tool.assetline]`` in the working directory's pyproject.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assets_core.errors import UsageError
from assets_core.lineage.openlineage import OpenLineageSettings, parse_openlineage


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``[tool.assetline]`` says.

    Args:
        module: The code location.
        retention_days: How long run events are kept
            (``[tool.assetline.retention] events_days``).
        pools: Concurrency limits by pool name (``[tool.assetline.pools]``).
        executor: The executor of runs that name none (``executor = "dask"``).
        workers: Its worker processes (``workers = 4``).
        dask_address: The Dask scheduler of the ``dask`` executor
            (``dask_address = "tcp://host:8786"``; ``$ASSETLINE_DASK_ADDRESS`` wins).
        max_step_log_bytes: At most this much of each step's captured stdout/stderr
            is stored (``max_step_log_bytes = 1000000``, the default).
        openlineage: Where runs send OpenLineage events (``[tool.assetline.openlineage]``).
        raw: The whole table.
    """

    module: str | None = None
    retention_days: float | None = None
    pools: dict[str, int] = field(default_factory=dict)
    executor: str | None = None
    workers: int | None = None
    dask_address: str | None = None
    max_step_log_bytes: int = 1_000_000
    openlineage: OpenLineageSettings | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def load_settings(cwd: Path | None = None) -> Settings:
    """Read ``[tool.assetline]`` of ``cwd``'s pyproject.toml (none: the defaults).

    Args:
        cwd: The project directory; default: the working directory.

    Raises:
        UsageError: The file does not parse, or a setting has the wrong type.
    """
    path = (cwd or Path.cwd()) / "pyproject.toml"
    if not path.is_file():
        return Settings()
    try:
        with path.open("rb") as f:
            data = tomllib.load(f).get("tool", {}).get("assetline", {})
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path} does not parse: {e}") from None
    retention = data.get("retention", {}).get("events_days")
    if retention is not None and (not isinstance(retention, (int, float)) or retention <= 0):
        raise UsageError(
            f"[tool.assetline.retention] events_days in {path} must be a positive number of days."
        )
    pools = data.get("pools", {})
    if not isinstance(pools, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in pools.values()
    ):
        raise UsageError(
            f"[tool.assetline.pools] in {path}: each limit must be an int > 0 (e.g. warehouse = 2)."
        )
    module = data.get("module")
    return Settings(
        module=module if isinstance(module, str) else None,
        retention_days=float(retention) if retention is not None else None,
        pools=dict(pools),
        executor=_executor_setting(data, path),
        workers=_workers_setting(data, path),
        dask_address=_string_setting(data, "dask_address", path),
        max_step_log_bytes=_log_bytes_setting(data, path),
        openlineage=parse_openlineage(data.get("openlineage"), path),
        raw=data,
    )


def _executor_setting(data: dict[str, Any], path: Path) -> str | None:
    from assets_core.execution.request import EXECUTORS

    name = _string_setting(data, "executor", path)
    if name is not None and name not in EXECUTORS:
        raise UsageError(
            f"[tool.assetline] executor = {name!r} in {path} is not an executor; "
            f"use one of {', '.join(EXECUTORS)}."
        )
    return name


def _workers_setting(data: dict[str, Any], path: Path) -> int | None:
    workers = data.get("workers")
    if workers is None:
        return None
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise UsageError(f"[tool.assetline] workers in {path} must be an int >= 1.")
    return workers


def _log_bytes_setting(data: dict[str, Any], path: Path) -> int:
    value = data.get("max_step_log_bytes", 1_000_000)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise UsageError(
            f"[tool.assetline] max_step_log_bytes in {path} must be an int >= 0 "
            "(bytes of captured output kept per step; 0 keeps none)."
        )
    return value


def _string_setting(data: dict[str, Any], name: str, path: Path) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise UsageError(f"[tool.assetline] {name} in {path} must be a string.")
    return value
