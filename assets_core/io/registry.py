"""The built-in IO managers and how a code location's own ones replace them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from assets_core.errors import DefinitionError
from assets_core.io.base import IOManager
from assets_core.io.duckdb_table import DuckDBIOManager
from assets_core.io.memory import MemoryIOManager
from assets_core.io.parquet_fs import FilesystemIOManager


def builtin_io_managers(home: Path) -> dict[str, IOManager]:
    """``fs`` (``home/storage``), ``duckdb`` (``home/warehouse.duckdb``) and ``memory``.

    Nothing is created or connected until a value is stored.
    """
    home = Path(home)
    return {
        "fs": FilesystemIOManager(home / "storage"),
        "duckdb": DuckDBIOManager(home / "warehouse.duckdb", keep_alive_s=1.0),
        "memory": MemoryIOManager(),
    }


def resolve_io_managers(home: Path, user: Mapping[str, IOManager]) -> dict[str, IOManager]:
    """The built-ins with the code location's IO managers added; a user entry named like
    a built-in (``fs``, ``duckdb``, ``memory``) replaces it.

    Raises:
        DefinitionError: A name is not a non-empty string, or a value is not an
            ``IOManager`` instance.
    """
    managers = builtin_io_managers(home)
    for name, manager in user.items():
        if not isinstance(name, str) or not name:
            raise DefinitionError(
                f"Definitions(io_managers=...) has the name {name!r}; IO manager names are "
                "non-empty strings such as 'warehouse'."
            )
        if not isinstance(manager, IOManager):
            if isinstance(manager, type) and issubclass(manager, IOManager):
                hint = f" It is the class itself: pass an instance, {manager.__name__}(...)."
            else:
                hint = (
                    " Subclass assets_core.IOManager and implement store(context, value) and "
                    "load(context)."
                )
            raise DefinitionError(
                f"Definitions(io_managers={{{name!r}: ...}}) is {manager!r} "
                f"({type(manager).__name__}), not an IOManager.{hint}"
            )
        managers[name] = manager
    return managers
