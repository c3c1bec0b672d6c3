"""Project settings from ``[tool.assetline]`` in the working directory's pyproject.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assets_core.errors import UsageError


@dataclass(frozen=True, slots=True)
class Settings:
    """``module``: the code location; ``retention_days``: how long run events are kept
    (``[tool.assetline.retention] events_days``); ``pools``: concurrency limits."""

    module: str | None = None
    retention_days: float | None = None
    pools: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def load_settings(cwd: Path | None = None) -> Settings:
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
    if not all(isinstance(v, int) and v > 0 for v in pools.values()):
        raise UsageError(f"[tool.assetline.pools] in {path}: each limit must be an int > 0.")
    module = data.get("module")
    return Settings(
        module=module if isinstance(module, str) else None,
        retention_days=float(retention) if retention is not None else None,
        pools=dict(pools),
        raw=data,
    )
