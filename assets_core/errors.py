"""The errors Assetline raises, each with a stable ``code`` and a message that says
what happened, where, and what to do.

::

    AssetlineError                       code
    ├── DefinitionError                  DEFINITION_ERROR     (exit 2)
    │   ├── DefinitionErrors             DEFINITION_ERROR     (several at once: ``errors``)
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
        ├── NotFoundError                NOT_FOUND
        ├── CatalogDamagedError          CATALOG_DAMAGED      (a corrupt database file)
        └── CatalogWriteError            CATALOG_WRITE_FAILED (disk full, I/O error)

A ``DefinitionError`` has fields: the ``problem``, the ``suggestion`` (the fix), the
``location`` in the user's code (found on the stack when not given: the first frame
outside Assetline, see ``user_location``), the ``asset_key`` concerned and the
``highlight`` (the text to mark on the source line). They are rendered here and nowhere
else: ``message`` is one line (``file:line: problem fix``, what APIs and logs show) and
``render()`` adds the offending source line with a marker under it (what the CLI
prints)::

    Asset orders uses io_manager='duckbd', which is not defined.
     --> pipeline.py:8
      |
    8 | @asset(io_manager="duckbd")
      |                    ^^^^^^
      = fix: Did you mean 'duckdb'? Known: duckdb, fs, memory; ...

Exceptions are picklable (they cross process and Dask boundaries): ``__reduce__``
passes every constructor argument back.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache, partial
from types import FrameType
from typing import Any, Final, Literal


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a definition was written: ``file:line``, and optionally the columns of the
    offending text (1-based, ``end_column`` exclusive), as a ``SyntaxError`` has them."""

    file: str
    line: int
    column: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class _Caller(Enum):
    CALLER = "caller"


#: ``DefinitionError(location=CALLER)`` (the default): find the user's line on the stack.
CALLER: Final = _Caller.CALLER


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

    def render(self) -> str:
        """The full text for a person reading a terminal (the CLI prints it)."""
        return self.message

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), (self.message,))


class DefinitionError(AssetlineError):
    """A code location's definitions are wrong; nothing can run until they are fixed.

    Args:
        problem: What is wrong, as a sentence naming the asset, check or option.
        suggestion: What to do about it ("Did you mean ...?", the corrected code).
        location: Where the user wrote it. By default the first stack frame outside
            Assetline when the error is made, if that frame is the user's code; pass
            ``None`` when there is no such place (errors found while building the
            graph, which is called from anywhere).
        asset_key: The asset (``a/b``) the error is about, if one.
        highlight: Text on the source line (or the lines down to the ``def``) to mark
            with carets; the whole line is marked when it is not found.
    """

    code = "DEFINITION_ERROR"
    exit_code = 2

    def __init__(
        self,
        problem: str,
        suggestion: str | None = None,
        *,
        location: SourceLocation | Literal[_Caller.CALLER] | None = CALLER,
        asset_key: str | None = None,
        highlight: str | None = None,
    ) -> None:
        self.problem = problem
        self.suggestion = suggestion
        self.location = user_location() if location is CALLER else location
        self.asset_key = asset_key
        self.highlight = highlight
        text = f"{problem} {suggestion}" if suggestion else problem
        super().__init__(f"{self.location}: {text}" if self.location else text)

    def render(self) -> str:
        """The problem, ``--> file:line`` with the source line marked, and the fix."""
        if self.location is None:
            return self.message
        excerpt = source_excerpt(self.location, self.highlight)
        width = max((len(n) for n, _ in excerpt), default=1)
        lines = [self.problem, f"{' ' * width}--> {self.location}"]
        if excerpt:
            lines.append(f"{' ' * width} |")
            lines.extend(f"{n:>{width}} | {text}".rstrip() for n, text in excerpt)
        if self.suggestion:
            lines.append(f"{' ' * width} = fix: {self.suggestion}")
        return "\n".join(lines)

    def with_location(self, location: SourceLocation | None) -> DefinitionError:
        """The same error (type and fields) located at ``location``."""
        copy = type(self)(
            self.problem,
            self.suggestion,
            location=location,
            asset_key=self.asset_key,
            highlight=self.highlight,
        )
        copy.__cause__ = self.__cause__
        return copy

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        rebuild = partial(
            type(self), location=self.location, asset_key=self.asset_key, highlight=self.highlight
        )
        return (rebuild, (self.problem, self.suggestion))


class DefinitionErrors(DefinitionError):
    """Several definition errors found together (``assetline validate`` shows them all);
    ``errors`` holds each, in the order found.

    Args:
        errors: The definition errors, at least two.
    """

    def __init__(self, errors: Sequence[DefinitionError]) -> None:
        self.errors = tuple(errors)
        items = "\n".join(f"- {e.message}" for e in self.errors)
        super().__init__(f"{len(self.errors)} definition errors:\n{items}", location=None)

    def render(self) -> str:
        """Each error rendered in full, separated by blank lines."""
        parts = [f"{len(self.errors)} definition errors:", *(e.render() for e in self.errors)]
        return "\n\n".join(parts)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), (self.errors,))


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
        user_traceback: The user code's formatted traceback (trimmed to its frames).
        location: The user's file and line that raised, as ``path:line``.
        exception: The original exception in one line (``TypeError: ...``).
    """

    code = "USER_CODE_ERROR"

    def __init__(
        self,
        message: str,
        user_traceback: str = "",
        location: str | None = None,
        exception: str | None = None,
    ) -> None:
        super().__init__(message)
        self.user_traceback = user_traceback
        self.location = location
        self.exception = exception

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (
            type(self),
            (self.message, self.user_traceback, self.location, self.exception),
        )


class WorkerLostError(ExecutionError):
    """The process running a step died (a Dask worker killed, out of memory...). A
    step's ``Retry`` policy retries it like an exception its function raised."""

    code = "WORKER_LOST"


class ExecutorLostError(ExecutionError):
    """The executor itself went away mid-run (the Dask scheduler became unreachable):
    the run ends FAILURE with this message; finished steps are kept."""

    code = "EXECUTOR_LOST"


class CatalogError(AssetlineError):
    """The catalog database cannot be opened, migrated, read or written."""

    code = "CATALOG_ERROR"


class NotFoundError(CatalogError):
    """A run asked for by id is not in the catalog."""

    code = "NOT_FOUND"


class CatalogConnectionLostError(CatalogError):
    """The connection to the catalog's server (PostgreSQL) was lost and could not be
    opened again in time, or was lost while a transaction was committing."""

    code = "CATALOG_CONNECTION_LOST"


class CatalogDamagedError(CatalogError):
    """The catalog's database file is corrupt ("database disk image is malformed"): the
    message names the file and how to recover it (a backup, ``sqlite3 .recover``)."""

    code = "CATALOG_DAMAGED"


class CatalogWriteError(CatalogError):
    """The database refused a write (disk full, I/O error): the message is one line,
    ``catalog write failed: database or disk is full (PATH)``."""

    code = "CATALOG_WRITE_FAILED"


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


# -- where the user's code is -------------------------------------------------------------

_PACKAGE_DIR: Final = os.path.join(os.path.dirname(__file__), "")
#: Code made at run time by the standard library (dataclass __init__, importlib).
_GENERATED: Final = ("<string>", "<frozen ")


def caller_location() -> SourceLocation | None:
    """Where Assetline was called from: the innermost frame on the current stack outside
    ``assets_core`` (and outside code the standard library generates, such as a
    dataclass ``__init__``). ``None`` when there is none."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_PACKAGE_DIR) or filename.startswith(_GENERATED)):
            return SourceLocation(filename, frame.f_lineno)
        frame = frame.f_back
    return None


def user_location() -> SourceLocation | None:
    """Where the user's code called into Assetline (``caller_location``), or ``None``
    when the caller is not the user's code: the standard library, an installed
    package, the ``assetline`` program or the server called Assetline directly."""
    location = caller_location()
    return location if location is not None and is_user_file(location.file) else None


def is_user_file(filename: str) -> bool:
    """Whether ``filename`` is the user's code: not Assetline, the standard library,
    an installed package or a generated function."""
    if filename.startswith(_GENERATED):
        return False
    return not filename.startswith(_library_dirs())


@cache
def _library_dirs() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib", "scripts")}
    root = os.path.dirname(os.path.dirname(_PACKAGE_DIR))
    dirs |= {_PACKAGE_DIR, os.path.join(root, "assets_ui")}
    return tuple(os.path.join(d, "") for d in sorted(dirs))


#: How far below a definition's first line (its decorators) to look for the highlight.
_SEARCH_LINES: Final = 12


def source_excerpt(location: SourceLocation, highlight: str | None) -> list[tuple[str, str]]:
    """The lines to show under an error, as (gutter, text) pairs: the source from
    ``location`` down to the line holding ``highlight`` (at most to the ``def`` line of
    a decorated function), then a line of carets under the marked text. Empty when the
    source cannot be read."""
    import linecache

    source = linecache.getlines(location.file)
    if not 0 < location.line <= len(source):
        return []
    first = location.line
    target, start, end = first, -1, -1
    if location.column is not None:
        start = location.column - 1
        end = max(location.end_column or 0, location.column + 1) - 1
    elif highlight:
        word = re.compile(rf"(?<!\w){re.escape(highlight)}(?!\w)")
        for n in range(first, min(first + _SEARCH_LINES, len(source)) + 1):
            match = word.search(source[n - 1])
            if match:
                target, start, end = n, match.start(), match.end()
                break
            if n > first and source[n - 1].lstrip().startswith(("def ", "async def ")):
                break
    text = {n: source[n - 1].rstrip("\r\n").replace("\t", " ") for n in range(first, target + 1)}
    if start < 0:
        line = text[target]
        start, end = len(line) - len(line.lstrip()), len(line.rstrip())
    shown = list(text) if target - first < 6 else [first, target]
    out = [(str(n), text[n]) for n in shown]
    if shown != list(text):
        out.insert(1, ("...", ""))
    out.append(("", " " * start + "^" * max(1, end - start)))
    return out
