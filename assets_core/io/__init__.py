"""IO managers: where asset values are stored and how they are loaded (SPEC §3)."""

from assets_core.io.base import (
    InputContext,
    IOManager,
    MissingValueError,
    OutputContext,
    UnreadableValueError,
)
from assets_core.io.duckdb_table import DuckDBIOManager
from assets_core.io.memory import MemoryIOManager
from assets_core.io.parquet_fs import FilesystemIOManager
from assets_core.io.registry import builtin_io_managers, resolve_io_managers

__all__ = [
    "DuckDBIOManager",
    "FilesystemIOManager",
    "IOManager",
    "InputContext",
    "MemoryIOManager",
    "MissingValueError",
    "OutputContext",
    "UnreadableValueError",
    "builtin_io_managers",
    "resolve_io_managers",
]
