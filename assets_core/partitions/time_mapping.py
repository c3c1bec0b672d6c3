"""``TimeWindowMapping``: a time partition reads the upstream partitions that overlap
its window, shifted by offsets (rolling windows, the previous period)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from assets_core.errors import DefinitionError
from assets_core.partitions.base import DynamicKeyStore, PartitionMapping, PartitionsDefinition
from assets_core.partitions.multi import MultiPartitions
from assets_core.partitions.time import TimePartitions


@dataclass(frozen=True, slots=True)
class TimeWindowMapping(PartitionMapping):
    """A time partition reads the upstream partitions that overlap its window, widened by
    offsets counted in downstream windows.

    ``TimeWindowMapping()`` reads the overlapping partitions (the days of a month);
    ``TimeWindowMapping(start_offset=-6)`` on daily assets reads 7 days (a rolling
    window); ``start_offset=-1, end_offset=-1`` reads the previous window only. Keys
    outside the upstream's range are left out.

    Attributes:
        start_offset: Windows to move the start by (negative: earlier).
        end_offset: Windows to move the end by.
    """

    start_offset: int = 0
    end_offset: int = 0

    def __post_init__(self) -> None:
        if not (isinstance(self.start_offset, int) and isinstance(self.end_offset, int)):
            raise DefinitionError("TimeWindowMapping offsets must be ints.")
        if self.start_offset > self.end_offset:
            raise DefinitionError(
                f"TimeWindowMapping(start_offset={self.start_offset}, end_offset="
                f"{self.end_offset}) is empty: start_offset must not be after end_offset."
            )

    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The upstream keys overlapping the shifted window of ``downstream_key``."""
        if downstream_key is None:
            return upstream.get_partition_keys(dynamic_keys, current_time=current_time)
        down, up = _time_pair(downstream, upstream)
        i = down.index_of(downstream_key, current_time=current_time)
        start = down.window_at(i + self.start_offset).start
        end = down.window_at(i + self.end_offset).end
        return up.keys_overlapping(start, end, current_time=current_time)

    def downstream_keys(
        self,
        upstream_key: str,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The downstream keys whose shifted windows overlap ``upstream_key``'s."""
        down, up = _time_pair(downstream, upstream)
        window = up.time_window_for(upstream_key, current_time=current_time)
        first = down.index_at(window.start) - self.end_offset
        last = down.index_at(window.end - timedelta(microseconds=1)) - self.start_offset
        return down.keys_in_index_range(first, last + 1, current_time=current_time)

    def validate(
        self, upstream: PartitionsDefinition | None, downstream: PartitionsDefinition | None
    ) -> str | None:
        """Both sides must be time-window partitioned."""
        for side, d in (("upstream", upstream), ("downstream", downstream)):
            if isinstance(d, TimePartitions):
                continue
            what = "not partitioned" if d is None else f"{d.kind}-partitioned"
            fix = "remove the partition_mapping"
            if isinstance(d, MultiPartitions) and d.time_dimension:
                fix = (
                    f"use DimensionMapping(dimension={d.time_dimension!r}, "
                    f"mapping={self!r}) to apply it to the time dimension"
                )
            elif d is None and side == "downstream":
                fix = "remove it to read every partition, or use LastPartition()"
            return (
                f"TimeWindowMapping needs time partitions on both sides, but the {side} "
                f"is {what}; {fix}."
            )
        return None


def _time_pair(
    down: PartitionsDefinition | None, up: PartitionsDefinition
) -> tuple[TimePartitions, TimePartitions]:
    if not (isinstance(down, TimePartitions) and isinstance(up, TimePartitions)):
        raise TypeError("TimeWindowMapping maps time partitions onto time partitions")
    return down, up
