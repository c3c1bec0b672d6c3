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
    │   ├── UserCodeError                USER_CODE_ERROR
    │   ├── WorkerLostError              WORKER_LOST          (a step's worker died)
    │   └── ExecutorLostError            EXECUTOR_LOST        (e.g. the Dask scheduler)
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
    """Base of every error Assetline raises on purpose."""

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
    code = "INVALID_SELECTION"


class PartitionKeyError(UsageError):
    code = "INVALID_PARTITION"


class ConfigError(UsageError):
    code = "INVALID_CONFIG"


class ExecutionError(AssetlineError):
    code = "EXECUTION_ERROR"


class UserCodeError(ExecutionError):
    """An exception raised by user code (an asset, a check, an IO manager), with which
    asset raised it. The original exception is kept as ``__cause__`` and its formatted
    traceback in ``user_traceback``."""

    code = "USER_CODE_ERROR"

    def __init__(self, message: str, user_traceback: str = "") -> None:
        super().__init__(message)
        self.user_traceback = user_traceback

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # type: ignore[override]
        return (type(self), (self.message, self.user_traceback))


class WorkerLostError(ExecutionError):
    """The process running a step died (a Dask worker killed, out of memory...). A
    step's ``Retry`` policy retries it like an exception its function raised."""

    code = "WORKER_LOST"


class ExecutorLostError(ExecutionError):
    """The executor itself went away mid-run (the Dask scheduler became unreachable):
    the run ends FAILURE with this message; finished steps are kept."""

    code = "EXECUTOR_LOST"


class CatalogError(AssetlineError):
    code = "CATALOG_ERROR"


class NotFoundError(CatalogError):
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
