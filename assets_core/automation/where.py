"""Where a schedule or sensor was defined, and definition errors that say so."""

from __future__ import annotations

import sys
from pathlib import Path

from assets_core.errors import DefinitionError, SourceLocation

_PACKAGE = str(Path(__file__).resolve().parent.parent)


def user_location() -> SourceLocation | None:
    """The first stack frame outside Assetline (and the standard library's
    ``dataclasses``): the user's line that made the object being built."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith(_PACKAGE) and not name.startswith("<"):
            return SourceLocation(name, frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return None


def definition_error(
    problem: str, fix: str | None = None, location: SourceLocation | None = None
) -> DefinitionError:
    """A ``DefinitionError``: where (``file:line``), what is wrong, and what to do."""
    text = f"{problem} {fix}" if fix else problem
    return DefinitionError(f"{location}: {text}" if location else text)


__all__ = ["definition_error", "user_location"]
