"""The built-in IO managers and how a code location's own ones replace them.

This module is the one list of built-in names: ``Definitions`` and the graph builder
ask it which IO manager names exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from assets_core.errors import DefinitionError
from assets_core.io.base import IOManager
from assets_core.io.duckdb_table import DuckDBIOManager
from assets_core.io.memory import MemoryIOManager
from assets_core.io.parquet_fs import FilesystemIOManager

#: Each built-in IO manager by name, made from ``$ASSETLINE_HOME``.
_BUILTINS: dict[str, Callable[[Path], IOManager]] = {
    "fs": lambda home: FilesystemIOManager(home / "storage"),
    "duckdb": lambda home: DuckDBIOManager(home / "warehouse.duckdb", keep_alive_s=1.0),
    "memory": lambda home: MemoryIOManager(),
}

#: The names of the built-in IO managers (``fs``, ``duckdb``, ``memory``).
BUILTIN_IO_MANAGERS: tuple[str, ...] = tuple(_BUILTINS)


def builtin_io_managers(home: Path) -> dict[str, IOManager]:
    """``fs`` (``home/storage``), ``duckdb`` (``home/warehouse.duckdb``) and ``memory``.

    Nothing is created or connected until a value is stored.

    Args:
        home: The Assetline home folder (``$ASSETLINE_HOME``).
    """
    home = Path(home)
    return {name: make(home) for name, make in _BUILTINS.items()}


def known_io_managers(user: Iterable[str]) -> set[str]:
    """The IO manager names an asset may use: the built-ins and the code location's.

    Args:
        user: The names registered in ``Definitions(io_managers=...)``.
    """
    return set(BUILTIN_IO_MANAGERS) | set(user)


def check_io_managers(user: Mapping[Any, Any]) -> None:
    """Raise a ``DefinitionError`` for an entry of ``Definitions(io_managers=...)`` that
    is not a name and an ``IOManager`` instance.

    Args:
        user: The code location's IO managers by name.
    """
    for name, manager in user.items():
        if not isinstance(name, str) or not name:
            raise DefinitionError(
                f"Definitions(io_managers=...) has the name {name!r}; IO manager names are "
                "non-empty strings such as 'warehouse'."
            )
        if not isinstance(manager, IOManager):
            if isinstance(manager, type) and issubclass(manager, IOManager):
                hint = f"It is the class itself: pass an instance, {manager.__name__}(...)."
            else:
                hint = (
                    "Subclass assets_core.IOManager and implement store(context, value) and "
                    "load(context)."
                )
            raise DefinitionError(
                f"Definitions(io_managers={{{name!r}: ...}}) is {manager!r} "
                f"({type(manager).__name__}), not an IOManager.",
                hint,
                highlight=name,
            )


def resolve_io_managers(home: Path, user: Mapping[str, IOManager]) -> dict[str, IOManager]:
    """The built-ins with the code location's IO managers added; a user entry named like
    a built-in (``fs``, ``duckdb``, ``memory``) replaces it.

    Args:
        home: The Assetline home folder (``$ASSETLINE_HOME``).
        user: The code location's IO managers by name.

    Raises:
        DefinitionError: A name is not a non-empty string, or a value is not an
            ``IOManager`` instance.
    """
    check_io_managers(user)
    return {**builtin_io_managers(home), **user}
