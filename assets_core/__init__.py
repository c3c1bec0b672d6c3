"""Assetline: software-defined data assets, a fast materialization engine and a
lineage catalog. This module is the public API; it re-exports and holds no logic.

Names are imported on first use (PEP 562): ``from assets_core import asset`` loads
the definitions, not the engine, the catalog or SQLAlchemy, so a code location, the
CLI and the server load only what they use.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from assets_core.automation.schedules import Schedule
    from assets_core.automation.sensors import (
        RunRequest,
        SensorContext,
        SensorDefinition,
        SkipReason,
        sensor,
    )
    from assets_core.checks.check import AssetCheckDefinition, CheckResult, asset_check
    from assets_core.checks.runner import CheckContext
    from assets_core.definitions.alerts import Webhook, webhook
    from assets_core.definitions.asset import AssetsDefinition, asset
    from assets_core.definitions.external import external_asset
    from assets_core.definitions.loader import load_definitions
    from assets_core.definitions.multi_asset import AssetOut, multi_asset
    from assets_core.definitions.policies import Automation, Freshness, Retry
    from assets_core.definitions.repository import Definitions
    from assets_core.definitions.resources import EnvVar
    from assets_core.definitions.results import MaterializeResult, Observation, Output
    from assets_core.definitions.spec import AssetIn, AssetSpec
    from assets_core.definitions.sql_asset import sql_asset
    from assets_core.errors import (
        AssetlineError,
        CatalogDamagedError,
        CatalogError,
        CatalogWriteError,
        DefinitionError,
        DefinitionErrors,
        ExecutionError,
        NotFoundError,
        PartitionKeyError,
        SelectionError,
        UsageError,
        UserCodeError,
    )
    from assets_core.execution.context import AssetExecutionContext
    from assets_core.execution.observe import ObserveContext, ObserveResult, observe
    from assets_core.execution.run import RunResult, materialize
    from assets_core.graph.asset_graph import AssetGraph, AssetNode
    from assets_core.graph.select import parse_selection, select, select_sorted
    from assets_core.io import (
        DuckDBIOManager,
        FilesystemIOManager,
        InputContext,
        IOManager,
        MemoryIOManager,
        OutputContext,
    )
    from assets_core.keys import AssetKey
    from assets_core.partitions import (
        AllPartitions,
        DailyPartitions,
        DimensionMapping,
        DynamicKeyCache,
        DynamicKeyStore,
        DynamicPartitions,
        HourlyPartitions,
        IdentityMapping,
        LastPartition,
        MonthlyPartitions,
        MultiPartitionKey,
        MultiPartitions,
        PartitionSubset,
        StaticMapping,
        StaticPartitions,
        TimeWindowMapping,
        WeeklyPartitions,
    )
    from assets_core.partitions.base import PartitionMapping, PartitionsDefinition, TimeWindow

#: Each public name and the module that defines it.
_EXPORTS: dict[str, str] = {
    "AllPartitions": "assets_core.partitions",
    "AssetCheckDefinition": "assets_core.checks.check",
    "AssetExecutionContext": "assets_core.execution.context",
    "AssetGraph": "assets_core.graph.asset_graph",
    "AssetIn": "assets_core.definitions.spec",
    "AssetKey": "assets_core.keys",
    "AssetNode": "assets_core.graph.asset_graph",
    "AssetOut": "assets_core.definitions.multi_asset",
    "AssetSpec": "assets_core.definitions.spec",
    "AssetlineError": "assets_core.errors",
    "AssetsDefinition": "assets_core.definitions.asset",
    "Automation": "assets_core.definitions.policies",
    "CatalogDamagedError": "assets_core.errors",
    "CatalogError": "assets_core.errors",
    "CatalogWriteError": "assets_core.errors",
    "CheckContext": "assets_core.checks.runner",
    "CheckResult": "assets_core.checks.check",
    "DailyPartitions": "assets_core.partitions",
    "DefinitionError": "assets_core.errors",
    "DefinitionErrors": "assets_core.errors",
    "Definitions": "assets_core.definitions.repository",
    "DimensionMapping": "assets_core.partitions",
    "DuckDBIOManager": "assets_core.io",
    "DynamicKeyCache": "assets_core.partitions",
    "DynamicKeyStore": "assets_core.partitions",
    "DynamicPartitions": "assets_core.partitions",
    "EnvVar": "assets_core.definitions.resources",
    "ExecutionError": "assets_core.errors",
    "FilesystemIOManager": "assets_core.io",
    "Freshness": "assets_core.definitions.policies",
    "HourlyPartitions": "assets_core.partitions",
    "IOManager": "assets_core.io",
    "IdentityMapping": "assets_core.partitions",
    "InputContext": "assets_core.io",
    "LastPartition": "assets_core.partitions",
    "MaterializeResult": "assets_core.definitions.results",
    "MemoryIOManager": "assets_core.io",
    "MonthlyPartitions": "assets_core.partitions",
    "MultiPartitionKey": "assets_core.partitions",
    "MultiPartitions": "assets_core.partitions",
    "NotFoundError": "assets_core.errors",
    "Observation": "assets_core.definitions.results",
    "ObserveContext": "assets_core.execution.observe",
    "ObserveResult": "assets_core.execution.observe",
    "Output": "assets_core.definitions.results",
    "OutputContext": "assets_core.io",
    "PartitionKeyError": "assets_core.errors",
    "PartitionMapping": "assets_core.partitions.base",
    "PartitionSubset": "assets_core.partitions",
    "PartitionsDefinition": "assets_core.partitions.base",
    "Retry": "assets_core.definitions.policies",
    "RunRequest": "assets_core.automation.sensors",
    "RunResult": "assets_core.execution.run",
    "Schedule": "assets_core.automation.schedules",
    "SelectionError": "assets_core.errors",
    "SensorContext": "assets_core.automation.sensors",
    "SensorDefinition": "assets_core.automation.sensors",
    "SkipReason": "assets_core.automation.sensors",
    "StaticMapping": "assets_core.partitions",
    "StaticPartitions": "assets_core.partitions",
    "TimeWindow": "assets_core.partitions.base",
    "TimeWindowMapping": "assets_core.partitions",
    "UsageError": "assets_core.errors",
    "UserCodeError": "assets_core.errors",
    "Webhook": "assets_core.definitions.alerts",
    "WeeklyPartitions": "assets_core.partitions",
    "asset": "assets_core.definitions.asset",
    "asset_check": "assets_core.checks.check",
    "external_asset": "assets_core.definitions.external",
    "load_definitions": "assets_core.definitions.loader",
    "materialize": "assets_core.execution.run",
    "multi_asset": "assets_core.definitions.multi_asset",
    "observe": "assets_core.execution.observe",
    "parse_selection": "assets_core.graph.select",
    "select": "assets_core.graph.select",
    "select_sorted": "assets_core.graph.select",
    "sensor": "assets_core.automation.sensors",
    "sql_asset": "assets_core.definitions.sql_asset",
    "webhook": "assets_core.definitions.alerts",
}

__all__ = [
    "AllPartitions",
    "AssetCheckDefinition",
    "AssetExecutionContext",
    "AssetGraph",
    "AssetIn",
    "AssetKey",
    "AssetNode",
    "AssetOut",
    "AssetSpec",
    "AssetlineError",
    "AssetsDefinition",
    "Automation",
    "CatalogDamagedError",
    "CatalogError",
    "CatalogWriteError",
    "CheckContext",
    "CheckResult",
    "DailyPartitions",
    "DefinitionError",
    "DefinitionErrors",
    "Definitions",
    "DimensionMapping",
    "DuckDBIOManager",
    "DynamicKeyCache",
    "DynamicKeyStore",
    "DynamicPartitions",
    "EnvVar",
    "ExecutionError",
    "FilesystemIOManager",
    "Freshness",
    "HourlyPartitions",
    "IOManager",
    "IdentityMapping",
    "InputContext",
    "LastPartition",
    "MaterializeResult",
    "MemoryIOManager",
    "MonthlyPartitions",
    "MultiPartitionKey",
    "MultiPartitions",
    "NotFoundError",
    "Observation",
    "ObserveContext",
    "ObserveResult",
    "Output",
    "OutputContext",
    "PartitionKeyError",
    "PartitionMapping",
    "PartitionSubset",
    "PartitionsDefinition",
    "Retry",
    "RunRequest",
    "RunResult",
    "Schedule",
    "SelectionError",
    "SensorContext",
    "SensorDefinition",
    "SkipReason",
    "StaticMapping",
    "StaticPartitions",
    "TimeWindow",
    "TimeWindowMapping",
    "UsageError",
    "UserCodeError",
    "Webhook",
    "WeeklyPartitions",
    "asset",
    "asset_check",
    "external_asset",
    "load_definitions",
    "materialize",
    "multi_asset",
    "observe",
    "parse_selection",
    "select",
    "select_sorted",
    "sensor",
    "sql_asset",
    "webhook",
]


def __getattr__(name: str) -> _typing.Any:
    """Import a public name's module on first use and keep the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assets_core' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
