"""Partition mappings: which upstream partitions a downstream partition reads.

(Placeholder to be completed by the partitions work: identity only for now.)
"""

from __future__ import annotations

from assets_core.partitions.base import PartitionMapping, PartitionsDefinition


def validate_mapping(
    mapping: PartitionMapping | None,
    upstream: PartitionsDefinition | None,
    downstream: PartitionsDefinition | None,
) -> str | None:
    """Why ``mapping`` (None: the default) cannot map ``upstream`` onto ``downstream``."""
    if mapping is not None:
        return mapping.validate(upstream, downstream)
    return None
