"""Partitions: how an asset is split (time windows, static keys, dynamic keys and their
products), how partitions of one asset map onto another's, and compact partition sets."""

from assets_core.partitions.base import (
    DynamicKeyStore,
    PartitionMapping,
    PartitionsDefinition,
    TimeWindow,
)
from assets_core.partitions.dimension_mapping import DimensionMapping
from assets_core.partitions.dynamic import (
    DynamicKeyCache,
    DynamicPartitions,
    dynamic_partition_names,
)
from assets_core.partitions.mappings import (
    AllPartitions,
    IdentityMapping,
    LastPartition,
    StaticMapping,
    validate_mapping,
)
from assets_core.partitions.multi import MultiPartitionKey, MultiPartitions
from assets_core.partitions.static import StaticPartitions, key_problem
from assets_core.partitions.subset import PartitionStatus, PartitionSubset
from assets_core.partitions.time import (
    DailyPartitions,
    HourlyPartitions,
    MonthlyPartitions,
    TimePartitions,
    WeeklyPartitions,
)
from assets_core.partitions.time_mapping import TimeWindowMapping

__all__ = [
    "AllPartitions",
    "DailyPartitions",
    "DimensionMapping",
    "DynamicKeyCache",
    "DynamicKeyStore",
    "DynamicPartitions",
    "HourlyPartitions",
    "IdentityMapping",
    "LastPartition",
    "MonthlyPartitions",
    "MultiPartitionKey",
    "MultiPartitions",
    "PartitionMapping",
    "PartitionStatus",
    "PartitionSubset",
    "PartitionsDefinition",
    "StaticMapping",
    "StaticPartitions",
    "TimePartitions",
    "TimeWindow",
    "TimeWindowMapping",
    "WeeklyPartitions",
    "dynamic_partition_names",
    "key_problem",
    "validate_mapping",
]
