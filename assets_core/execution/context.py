"""The run context an asset function receives as its ``context`` parameter."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assets_core.definitions.resources import Resources
    from assets_core.keys import AssetKey
    from assets_core.partitions.base import PartitionsDefinition, TimeWindow

_python_log = logging.getLogger("assetline.asset")


class StepLog:
    """``context.log``: a logger whose records are stored with the run (and also go to
    the ``assetline.asset`` Python logger)."""

    __slots__ = ("_asset", "_emit", "_partition", "_redact")

    def __init__(
        self,
        emit: Callable[[str, str], None],
        asset: str,
        partition: str | None,
        redact: Callable[[str], str],
    ) -> None:
        self._emit = emit
        self._asset = asset
        self._partition = partition
        self._redact = redact

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        text = str(msg) % args if args else str(msg)
        if kwargs.get("exc_info"):
            import traceback

            text += "\n" + traceback.format_exc()
        text = self._redact(text)
        self._emit(logging.getLevelName(level), text)
        if _python_log.isEnabledFor(level):
            _python_log.log(level, "[%s] %s", self._asset, text)

    def debug(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.DEBUG, msg, *args, **kwargs)

    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.INFO, msg, *args, **kwargs)

    def warning(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.WARNING, msg, *args, **kwargs)

    warn = warning

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.ERROR, msg, *args, **kwargs)

    def exception(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.ERROR, msg, *args, exc_info=True, **kwargs)

    def critical(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.CRITICAL, msg, *args, **kwargs)


class AssetExecutionContext:
    """What an asset function knows about the run it is part of.

    Attributes:
        run_id: The run's id.
        asset_key: The key of the asset being computed (the first, for a multi_asset).
        asset_keys: Every key the step produces.
        partition_key: The partition being computed, or None.
        partition_keys: Every partition of the step (several with backfill="single_run").
        log: A logger whose lines are stored with the run.
        resources: The run's resources by name (``context.resources.warehouse``).
    """

    __slots__ = (
        "_metadata",
        "asset_key",
        "asset_keys",
        "log",
        "partition_key",
        "partition_keys",
        "partitions_def",
        "resources",
        "run_id",
        "started_at",
    )

    def __init__(
        self,
        *,
        run_id: str,
        asset_keys: tuple[AssetKey, ...],
        partition_key: str | None,
        partition_keys: tuple[str, ...],
        partitions_def: PartitionsDefinition | None,
        log: StepLog,
        resources: Resources,
    ) -> None:
        self.run_id = run_id
        self.asset_key = asset_keys[0]
        self.asset_keys = asset_keys
        self.partition_key = partition_key
        self.partition_keys = partition_keys
        self.partitions_def = partitions_def
        self.log = log
        self.resources = resources
        self.started_at = time.time()
        self._metadata: dict[str, Any] = {}

    @property
    def has_partition_key(self) -> bool:
        return self.partition_key is not None

    @property
    def partition_time_window(self) -> TimeWindow:
        """``TimeWindow(start, end)`` of the step's time partitions (end exclusive)."""
        from assets_core.errors import PartitionKeyError
        from assets_core.partitions.base import TimeWindow

        if self.partitions_def is None or not self.partition_keys:
            raise PartitionKeyError(f"Asset {self.asset_key} is not partitioned by time.")
        first = self.partitions_def.time_window_for(self.partition_keys[0])
        last = self.partitions_def.time_window_for(self.partition_keys[-1])
        if first is None or last is None:
            raise PartitionKeyError(
                f"Asset {self.asset_key} has {self.partitions_def.describe()} partitions, "
                "which have no time window."
            )
        return TimeWindow(first.start, last.end)

    def add_metadata(self, metadata: dict[str, Any] | None = None, **values: Any) -> None:
        """Attach metadata to this step's materialization(s)."""
        self._metadata.update(metadata or {}, **values)

    @property
    def added_metadata(self) -> dict[str, Any]:
        return self._metadata

    def __repr__(self) -> str:
        part = f" partition={self.partition_key}" if self.partition_key else ""
        return f"<AssetExecutionContext {self.asset_key}{part} run={self.run_id[:8]}>"
