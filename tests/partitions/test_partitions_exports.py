"""The partitions API is exported from ``assets_core`` and ``assets_core.partitions``."""

from __future__ import annotations

import assets_core
import assets_core.partitions as partitions

PUBLIC = [
    "AllPartitions",
    "DailyPartitions",
    "DimensionMapping",
    "DynamicPartitions",
    "HourlyPartitions",
    "IdentityMapping",
    "LastPartition",
    "MonthlyPartitions",
    "MultiPartitionKey",
    "MultiPartitions",
    "PartitionSubset",
    "StaticMapping",
    "StaticPartitions",
    "TimeWindowMapping",
    "WeeklyPartitions",
]


def test_public_names_are_exported_from_assets_core() -> None:
    for name in PUBLIC:
        assert name in assets_core.__all__
        assert getattr(assets_core, name) is getattr(partitions, name)


def test_partitions_all_is_sorted_and_complete() -> None:
    assert partitions.__all__ == sorted(partitions.__all__)
    for name in partitions.__all__:
        assert hasattr(partitions, name)


def test_time_definition_to_dict_keeps_the_constructor_arguments() -> None:
    weekly = partitions.WeeklyPartitions("2024-01-03", timezone="Europe/Berlin", day_offset=2)
    assert weekly.to_dict() == {
        "kind": "weekly",
        "description": "weekly from 2024-01-03, weeks start on Wednesday (Europe/Berlin)",
        "start": "2024-01-03",
        "end": None,
        "timezone": "Europe/Berlin",
        "fmt": None,
        "end_offset": 0,
        "day_offset": 2,
    }
    multi = partitions.MultiPartitions({"r": partitions.StaticPartitions(["eu"])})
    assert multi.to_dict()["dimensions"] == {
        "r": {"kind": "static", "description": "static (eu)", "keys": ["eu"]}
    }
