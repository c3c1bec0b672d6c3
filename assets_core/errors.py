"""The errors Assetline raises, each with a stable ``code`` and a message that says
what happened, where, and what to do.

::

    AssetlineError                       code
    ├── DefinitionError                  DEFINITION_ERROR     (exit 2)
    │   ├── InvalidKeyError              INVALID_KEY
    │   ├── DuplicateKeyError            DUPLICATE_KEY
    │   ├── UnknownAssetError            UNKNOWN_ASSET
    │   ├── CycleError                   CYCLE
    │   ├── AmbiguousInputError          AMBIGUOUS_INPUT
    │   ├── UnknownResourceError         UNKNOWN_RESOURCE
    │   ├── UnknownIOManagerError        UNKNOWN_IO_MANAGER
    │   ├── PartitionMappingError        PARTITION_MAPPING
    │   └── CodeLocationError            CODE_LOCATION
    ├── UsageError                       USAGE_ERROR          (exit 2)
    │   ├── SelectionError               INVALID_SELECTION
    │   ├── PartitionKeyError            INVALID_PARTITION
    │   └── ConfigError                  INVALID_CONFIG
    ├── ExecutionError                   EXECUTION_ERROR      (exit 1)
    │   └── UserCodeError                USER_CODE_ERROR
    └── CatalogError                     CATALOG_ERROR        (exit 1)
        └── NotFoundError                NOT_FOUND

Exceptions are picklable (they cross process and Dask boundaries): every
constructor argument is kept in ``args``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a definition was written: ``file:line``."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class AssetlineError(Exception):
    """Base of every error Assetline raises on purpose.

    Args:
        message: What happened, where, and what to do.
    """

    code = "ASSETLINE_ERROR"
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (type(self), (self.message,))


class DefinitionError(AssetlineError):
    """A code location's definitions are wrong; nothing can run until they are fixed."""

    code = "DEFINITION_ERROR"
    exit_code = 2


class InvalidKeyError(DefinitionError):
    code = "INVALID_KEY"


class DuplicateKeyError(DefinitionError):
    code = "DUPLICATE_KEY"


class UnknownAssetError(DefinitionError):
    code = "UNKNOWN_ASSET"


class CycleError(DefinitionError):
    code = "CYCLE"


class AmbiguousInputError(DefinitionError):
    code = "AMBIGUOUS_INPUT"


class UnknownResourceError(DefinitionError):
    code = "UNKNOWN_RESOURCE"


class UnknownIOManagerError(DefinitionError):
    code = "UNKNOWN_IO_MANAGER"


class PartitionMappingError(DefinitionError):
    code = "PARTITION_MAPPING"


class CodeLocationError(DefinitionError):
    code = "CODE_LOCATION"


class UsageError(AssetlineError):
    """The user asked for something that cannot be done as asked (bad argument)."""

    code = "USAGE_ERROR"
    exit_code = 2


class SelectionError(UsageError):
    """A selection expression does not parse or names no known asset."""

    code = "INVALID_SELECTION"


class PartitionKeyError(UsageError):
    """A partition key or range is not one of the asset's partitions."""

    code = "INVALID_PARTITION"


class ConfigError(UsageError):
    code = "INVALID_CONFIG"


class ExecutionError(AssetlineError):
    """Something failed while running: an asset, a check, a value being stored or
    loaded, or the whole run (``materialize(..., raise_on_error=True)``)."""

    code = "EXECUTION_ERROR"


class UserCodeError(ExecutionError):
    """An exception raised by user code (an asset, a check, an IO manager), with which
    asset raised it. The original exception is kept as ``__cause__`` and its formatted
    traceback in ``user_traceback``.

    Args:
        message: Which asset (or check, or IO manager) raised what.
        user_traceback: The user code's formatted traceback.
    """

    code = "USER_CODE_ERROR"

    def __init__(self, message: str, user_traceback: str = "") -> None:
        super().__init__(message)
        self.user_traceback = user_traceback

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # type: ignore[override]
        return (type(self), (self.message, self.user_traceback))


class CatalogError(AssetlineError):
    """The catalog database cannot be opened, migrated, read or written."""

    code = "CATALOG_ERROR"


class NotFoundError(CatalogError):
    """A run asked for by id is not in the catalog."""

    code = "NOT_FOUND"


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str:
    """`` Did you mean 'x' or 'y'?`` for the closest candidates, or an empty string."""
    import difflib

    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
    if not matches:
        short = {c.rsplit("/", 1)[-1]: c for c in pool}
        matches = [short[m] for m in difflib.get_close_matches(name, list(short), n=3, cutoff=0.6)]
    if not matches:
        return ""
    quoted = [f"'{m}'" for m in matches]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" Did you mean {joined}?"
