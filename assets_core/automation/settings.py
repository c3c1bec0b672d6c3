"""The daemon's settings: ``[tool.assetline.daemon]`` and ``[tool.assetline.run_queue]``
in the working directory's pyproject.toml::

    [tool.assetline.daemon]
    interval_s = 1               # the loop period (also: assetline daemon --interval)
    automation_interval_s = 10   # how often the automation conditions are evaluated
    sensor_timeout_s = 60        # a sensor evaluation taking longer is stopped
    max_parallel_sensors = 4     # sensors evaluated side by side
    lease_ttl_s = 30             # a daemon that stops renewing its lease for this long
                                 # is replaced by a waiting one
    heartbeat_timeout_s = 120    # a run whose worker (on another host) has not
                                 # heartbeated for this long is ended FAILURE
    max_catchup_ticks = 10       # ticks a schedule catches up after a daemon outage
    skipped_ticks_days = 7       # SKIPPED ticks older than this are deleted
    evaluations_days = 30        # condition evaluations older than this are deleted
                                 # (each asset's latest is kept)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from assets_core.automation.run_queue import QueueSettings
from assets_core.errors import UsageError


@dataclass(frozen=True, slots=True)
class DaemonSettings:
    """How the daemon runs (see the module docstring for each setting)."""

    interval_s: float = 1.0
    automation_interval_s: float = 10.0
    sensor_timeout_s: float = 60.0
    max_parallel_sensors: int = 4
    lease_ttl_s: float = 30.0
    heartbeat_timeout_s: float = 120.0
    max_catchup_ticks: int = 10
    skipped_ticks_days: float = 7.0
    evaluations_days: float = 30.0
    queue: QueueSettings = field(default_factory=QueueSettings)

    def with_interval(self, interval_s: float | None) -> DaemonSettings:
        """These settings with another loop period (``--interval``)."""
        if interval_s is None:
            return self
        if interval_s <= 0:
            raise UsageError(f"--interval must be a positive number of seconds (got {interval_s}).")
        return replace(self, interval_s=interval_s)


_INTS = {"max_parallel_sensors", "max_catchup_ticks"}


def parse_daemon_settings(
    daemon: Mapping[str, Any], queue: Mapping[str, Any], where: str = "pyproject.toml"
) -> DaemonSettings:
    """The settings of the two tables; usage errors for unknown or bad values."""
    table = "[tool.assetline.daemon]"
    known = [f.name for f in fields(DaemonSettings) if f.name != "queue"]
    unknown = sorted(set(daemon) - set(known))
    if unknown:
        raise UsageError(
            f"{table} in {where}: unknown setting(s) {', '.join(unknown)}; known: "
            f"{', '.join(known)}."
        )
    values: dict[str, Any] = {}
    for name, value in daemon.items():
        if name in _INTS:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
            kind = "an int >= 1"
        else:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
            kind = "a positive number of seconds" if name.endswith("_s") else "a positive number"
        if not ok:
            raise UsageError(f"{table} {name} in {where} must be {kind} (got {value!r}).")
        values[name] = value
    return DaemonSettings(**values, queue=QueueSettings.parse(queue, where))


def load_daemon_settings(cwd: Path | None = None) -> DaemonSettings:
    """The daemon's settings from ``./pyproject.toml`` (defaults when absent)."""
    from assets_core.settings import load_settings

    raw = load_settings(cwd).raw
    path = (cwd or Path.cwd()) / "pyproject.toml"
    daemon, queue = raw.get("daemon", {}), raw.get("run_queue", {})
    for name, table in (("daemon", daemon), ("run_queue", queue)):
        if not isinstance(table, Mapping):
            raise UsageError(f"[tool.assetline.{name}] in {path} must be a table.")
    return parse_daemon_settings(daemon, queue, str(path))


__all__ = ["DaemonSettings", "load_daemon_settings", "parse_daemon_settings"]
