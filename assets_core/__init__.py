"""Assetline: software-defined data assets, a fast materialization engine and a
lineage catalog. This module is the public API; it re-exports and holds no logic."""

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
