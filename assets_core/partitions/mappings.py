"""Partition mappings: which upstream partitions a downstream partition reads.

Set on an input: ``ins={"orders": AssetIn("orders", partition_mapping=TimeWindowMapping(
start_offset=-6))}``. Without one, the identity mapping applies: a partition reads the
upstream partition with the same key, and an unpartitioned asset reads them all.
``validate_mapping`` is what the graph builder asks when it checks definitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assets_core.errors import DefinitionError, did_you_mean
from assets_core.partitions.base import DynamicKeys, PartitionMapping, PartitionsDefinition
from assets_core.partitions.multi import MultiPartitions
from assets_core.partitions.time import TimePartitions


def validate_mapping(
    mapping: PartitionMapping | None,
    upstream: PartitionsDefinition | None,
    downstream: PartitionsDefinition | None,
) -> str | None:
    """Why ``mapping`` (None: the default) cannot map ``upstream`` onto ``downstream``:
    the body of a definition error that says what to do, or None when it fits."""
    return (mapping or IdentityMapping()).validate(upstream, downstream)


def _suggest(up: PartitionsDefinition, down: PartitionsDefinition) -> str:
    for multi, single in ((up, down), (down, up)):
        if isinstance(multi, MultiPartitions) and not isinstance(single, MultiPartitions):
            for name, d in multi.dimensions:
                if d.key_mismatch(single) is None:
                    return f"DimensionMapping(dimension={name!r})) to match keys on {name!r}"
    if isinstance(up, TimePartitions) and isinstance(down, TimePartitions):
        return "TimeWindowMapping()) to read the upstream partitions overlapping each window"
    return "StaticMapping({downstream_key: [upstream_keys]})) to list what each key reads"


@dataclass(frozen=True, slots=True)
class IdentityMapping(PartitionMapping):
    """The default: a partition reads the upstream partition with the same key; an
    unpartitioned asset reads every upstream partition."""

    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """``[downstream_key]`` when upstream has it (else ``[]``); all keys for None."""
        if downstream_key is None:
            return upstream.get_partition_keys(dynamic_keys, current_time=current_time)
        found = upstream.has_key(downstream_key, dynamic_keys, current_time=current_time)
        return [downstream_key] if found else []

    def downstream_keys(
        self,
        upstream_key: str,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """``[upstream_key]`` when downstream has it, else ``[]``."""
        found = downstream.has_key(upstream_key, dynamic_keys, current_time=current_time)
        return [upstream_key] if found else []

    def validate(
        self, upstream: PartitionsDefinition | None, downstream: PartitionsDefinition | None
    ) -> str | None:
        """Fine unless both sides are partitioned with different keys."""
        if upstream is None or downstream is None:
            return None
        why = upstream.key_mismatch(downstream)
        if why is None:
            return None
        return (
            f"the default identity mapping needs the same partitions on both sides ({why}); "
            f"set AssetIn(..., partition_mapping={_suggest(upstream, downstream)}, "
            "or partition_mapping=AllPartitions() to read them all."
        )


@dataclass(frozen=True, slots=True)
class AllPartitions(PartitionMapping):
    """Every partition reads every upstream partition."""

    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """Every upstream key."""
        return upstream.get_partition_keys(dynamic_keys, current_time=current_time)

    def downstream_keys(
        self,
        upstream_key: str,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """Every downstream key."""
        return downstream.get_partition_keys(dynamic_keys, current_time=current_time)


def _needs_upstream(mapping: PartitionMapping, upstream: PartitionsDefinition | None) -> str | None:
    if upstream is None:
        name = type(mapping).__name__
        return f"{name} maps upstream partitions, but the upstream asset is not partitioned; "
    return None


@dataclass(frozen=True, slots=True)
class LastPartition(PartitionMapping):
    """Every partition (or an unpartitioned asset) reads the latest upstream partition."""

    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """``[last upstream key]``, or ``[]`` when there is none yet."""
        n = upstream.num_partitions(dynamic_keys, current_time=current_time)
        return [upstream.key_at(n - 1, dynamic_keys, current_time=current_time)] if n else []

    def downstream_keys(
        self,
        upstream_key: str,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """Every downstream key when ``upstream_key`` is the last one, else ``[]``."""
        last = self.upstream_keys(None, None, upstream, dynamic_keys, current_time=current_time)
        if last != [upstream_key]:
            return []
        return downstream.get_partition_keys(dynamic_keys, current_time=current_time)

    def validate(
        self, upstream: PartitionsDefinition | None, downstream: PartitionsDefinition | None
    ) -> str | None:
        """The upstream must be partitioned."""
        why = _needs_upstream(self, upstream)
        return why and why + "remove the partition_mapping."


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
        dynamic_keys: DynamicKeys = None,
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
        dynamic_keys: DynamicKeys = None,
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


@dataclass(frozen=True, slots=True, init=False)
class StaticMapping(PartitionMapping):
    """Explicit keys: ``StaticMapping({"emea": ["eu", "uk"], "amer": "us"})`` makes
    downstream ``emea`` read upstream ``eu`` and ``uk``. Unlisted keys read nothing.

    Attributes:
        pairs: ``(downstream_key, upstream_keys)`` pairs.
    """

    pairs: tuple[tuple[str, tuple[str, ...]], ...]

    def __init__(self, mapping: Mapping[str, str | Sequence[str]]) -> None:
        """Keep ``mapping``; raises ``DefinitionError`` unless it maps keys to keys."""
        pairs = []
        for down, ups in dict(mapping).items():
            ups = (ups,) if isinstance(ups, str) else tuple(ups)
            if not isinstance(down, str) or not all(isinstance(u, str) for u in ups):
                raise DefinitionError(
                    f"StaticMapping maps a downstream key to an upstream key or a list of "
                    f"them, e.g. StaticMapping({{'emea': ['eu', 'uk']}}); got {down!r}: {ups!r}."
                )
            pairs.append((down, ups))
        object.__setattr__(self, "pairs", tuple(pairs))

    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The listed upstream keys of ``downstream_key`` (all listed ones for None)."""
        wanted = {u for d, ups in self.pairs for u in ups if downstream_key in (None, d)}
        keys = upstream.get_partition_keys(dynamic_keys, current_time=current_time)
        return [k for k in keys if k in wanted]

    def downstream_keys(
        self,
        upstream_key: str,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The downstream keys that list ``upstream_key``."""
        wanted = {d for d, ups in self.pairs if upstream_key in ups}
        keys = downstream.get_partition_keys(dynamic_keys, current_time=current_time)
        return [k for k in keys if k in wanted]

    def validate(
        self, upstream: PartitionsDefinition | None, downstream: PartitionsDefinition | None
    ) -> str | None:
        """Both sides partitioned, every listed key a key of its side (not checked for
        dynamic partitions, whose keys come later)."""
        why = _needs_upstream(self, upstream)
        if why or downstream is None:
            why = why or "StaticMapping maps downstream keys, but the downstream asset is not "
            return why + "partitioned; remove the partition_mapping or use AllPartitions()."
        assert upstream is not None
        sides = (
            ("downstream", downstream, [d for d, _ in self.pairs]),
            ("upstream", upstream, [u for _, ups in self.pairs for u in ups]),
        )
        for side, definition, listed in sides:
            bad = _unknown_keys(definition, listed)
            if bad:
                try:
                    hint = did_you_mean(bad[0], definition.get_partition_keys()[:1000])
                except ValueError:
                    hint = ""
                return (
                    f"StaticMapping lists {', '.join(map(repr, bad))}, not {side} partition "
                    f"keys of {definition.describe()}.{hint}"
                )
        return None


def _unknown_keys(definition: PartitionsDefinition, keys: Sequence[str]) -> list[str]:
    try:
        return [k for k in dict.fromkeys(keys) if not definition.has_key(k)]
    except ValueError:  # dynamic partitions: the keys are only known at run time
        return []


@dataclass(frozen=True, slots=True)
class DimensionMapping(PartitionMapping):
    """Match a multi-partitioned asset and another asset on one dimension.

    - Multi upstream, single downstream: a downstream partition reads every upstream
      partition whose ``dimension`` part is its key (a day reads all regions of it).
    - Single upstream, multi downstream: ``2024-01-01|eu`` reads ``2024-01-01``.
    - Multi on both sides: the ``dimension`` parts are matched, the dimensions both have
      are matched key for key, and upstream-only dimensions are read whole.

    ``mapping`` maps the ``dimension`` part (default: identity), e.g.
    ``DimensionMapping("date", TimeWindowMapping(start_offset=-6))``.

    Attributes:
        dimension: The dimension name.
        mapping: How the ``dimension`` parts map; None is the identity.
    """

    dimension: str
    mapping: PartitionMapping | None = None

    def _sides(
        self, down: PartitionsDefinition | None, up: PartitionsDefinition
    ) -> tuple[PartitionsDefinition, PartitionsDefinition]:
        down_d = down.dimension(self.dimension) if isinstance(down, MultiPartitions) else down
        up_d = up.dimension(self.dimension) if isinstance(up, MultiPartitions) else up
        if down_d is None:
            raise TypeError("DimensionMapping needs a partitioned downstream asset")
        return down_d, up_d

    def upstream_keys(
        self,
        downstream_key: str | None,
        downstream: PartitionsDefinition | None,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The upstream keys matching ``downstream_key`` on the dimension."""
        if downstream_key is None:
            return upstream.get_partition_keys(dynamic_keys, current_time=current_time)
        if downstream is None:
            raise TypeError("DimensionMapping needs a partitioned downstream asset")
        inner = (self.mapping or IdentityMapping()).upstream_keys
        return self._map(
            downstream_key,
            downstream,
            upstream,
            downstream,
            upstream,
            inner,
            dynamic_keys,
            current_time,
        )

    def downstream_keys(
        self,
        upstream_key: str,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        dynamic_keys: DynamicKeys = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """The downstream keys matching ``upstream_key`` on the dimension."""
        inner = (self.mapping or IdentityMapping()).downstream_keys
        return self._map(
            upstream_key,
            upstream,
            downstream,
            downstream,
            upstream,
            inner,
            dynamic_keys,
            current_time,
        )

    def _map(
        self,
        key: str,
        source: PartitionsDefinition,
        target: PartitionsDefinition,
        downstream: PartitionsDefinition,
        upstream: PartitionsDefinition,
        inner: Any,
        dynamic_keys: DynamicKeys,
        current_time: datetime | None,
    ) -> list[str]:
        """Map ``key`` of ``source`` to keys of ``target`` (either direction): the
        inner mapping on the dimension, the other shared dimensions pinned."""
        down_d, up_d = self._sides(downstream, upstream)
        part = source.split(key)[self.dimension] if isinstance(source, MultiPartitions) else key
        values = inner(part, down_d, up_d, dynamic_keys, current_time=current_time)
        if not isinstance(target, MultiPartitions):
            return list(values)
        pinned = _pinned(source, target, key, dynamic_keys, current_time)
        if pinned is None:
            return []
        choices = pinned | {self.dimension: values}
        return target.keys_matching(choices, dynamic_keys, current_time=current_time)

    def validate(
        self, upstream: PartitionsDefinition | None, downstream: PartitionsDefinition | None
    ) -> str | None:
        """A multi side with the dimension, and an inner mapping that fits it."""
        why = _needs_upstream(self, upstream)
        if why or downstream is None:
            why = why or "DimensionMapping needs a partitioned downstream asset, which is not "
            return why + "remove the partition_mapping."
        assert upstream is not None
        if not isinstance(upstream, MultiPartitions) and not isinstance(
            downstream, MultiPartitions
        ):
            return (
                "DimensionMapping needs a multi-partitioned asset on one side, but neither "
                "is; use IdentityMapping(), TimeWindowMapping() or StaticMapping({...})."
            )
        for side, d in (("upstream", upstream), ("downstream", downstream)):
            if isinstance(d, MultiPartitions) and self.dimension not in d.names:
                return (
                    f"DimensionMapping(dimension={self.dimension!r}): the {side} has no such "
                    f"dimension (it has {', '.join(d.names)})."
                    f"{did_you_mean(self.dimension, d.names)}"
                )
        down_d, up_d = self._sides(downstream, upstream)
        inner = validate_mapping(self.mapping, up_d, down_d)
        if inner:
            return f"in dimension {self.dimension!r}: {inner}"
        if isinstance(upstream, MultiPartitions) and isinstance(downstream, MultiPartitions):
            for name in _shared_names(downstream, upstream, self.dimension):
                why = upstream.dimension(name).key_mismatch(downstream.dimension(name))
                if why:
                    return f"the shared dimension {name!r} differs ({why})."
        return None


def _shared_names(a: MultiPartitions, b: MultiPartitions, skip: str) -> list[str]:
    return [n for n in a.names if n in b.names and n != skip]


def _pinned(
    source: PartitionsDefinition | None,
    target: PartitionsDefinition,
    key: str,
    dynamic_keys: DynamicKeys,
    current_time: datetime | None,
) -> dict[str, list[str]] | None:
    """For multi on both sides: the target dimensions shared with the source, pinned to
    the source key's parts; None when a part is not a key of the target dimension."""
    if not (isinstance(source, MultiPartitions) and isinstance(target, MultiPartitions)):
        return {}
    parts = source.split(key)
    pinned = {}
    for name in target.names:
        if name in source.names:
            d = target.dimension(name)
            if not d.has_key(parts[name], dynamic_keys, current_time=current_time):
                return None
            pinned[name] = [parts[name]]
    return pinned
