"""Partition mappings: which upstream partitions a downstream partition reads.

This module holds the mappings that match keys (identity, all, last, static lists) and
``validate_mapping``; ``time_mapping`` maps time windows onto time windows and
``dimension_mapping`` matches a multi-partitioned asset on one dimension.

Set on an input: ``ins={"orders": AssetIn("orders", partition_mapping=TimeWindowMapping(
start_offset=-6))}``. Without one, the identity mapping applies: a partition reads the
upstream partition with the same key, and an unpartitioned asset reads them all.
``validate_mapping`` is what the graph builder asks when it checks definitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from assets_core.errors import DefinitionError, did_you_mean
from assets_core.partitions.base import DynamicKeyStore, PartitionMapping, PartitionsDefinition
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
        dynamic_keys: DynamicKeyStore | None = None,
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
        dynamic_keys: DynamicKeyStore | None = None,
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
        dynamic_keys: DynamicKeyStore | None = None,
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
        dynamic_keys: DynamicKeyStore | None = None,
        *,
        current_time: datetime | None = None,
    ) -> list[str]:
        """Every downstream key."""
        return downstream.get_partition_keys(dynamic_keys, current_time=current_time)


def needs_upstream(mapping: PartitionMapping, upstream: PartitionsDefinition | None) -> str | None:
    """The start of a definition error when ``mapping`` maps the partitions of an
    upstream asset that is not partitioned, else None."""
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
        dynamic_keys: DynamicKeyStore | None = None,
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
        dynamic_keys: DynamicKeyStore | None = None,
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
        why = needs_upstream(self, upstream)
        return why and why + "remove the partition_mapping."


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
        dynamic_keys: DynamicKeyStore | None = None,
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
        dynamic_keys: DynamicKeyStore | None = None,
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
        why = needs_upstream(self, upstream)
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
