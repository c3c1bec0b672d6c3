"""``DimensionMapping``: match a multi-partitioned asset and another asset on one
dimension (a day reads every region of that day; ``2024-01-01|eu`` reads
``2024-01-01``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assets_core.errors import did_you_mean
from assets_core.partitions.base import DynamicKeyStore, PartitionMapping, PartitionsDefinition
from assets_core.partitions.mappings import IdentityMapping, needs_upstream, validate_mapping
from assets_core.partitions.multi import MultiPartitions


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
        dynamic_keys: DynamicKeyStore | None = None,
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
        dynamic_keys: DynamicKeyStore | None = None,
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
        dynamic_keys: DynamicKeyStore | None,
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
        why = needs_upstream(self, upstream)
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
    dynamic_keys: DynamicKeyStore | None,
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
