"""Where a schedule or sensor was defined, and definition errors that say so."""

from __future__ import annotations

from assets_core.errors import (
    AssetlineError,
    DefinitionError,
    SourceLocation,
    caller_location,
    is_user_file,
)


def user_location() -> SourceLocation | None:
    """The user's line that is making the object being built (the first stack frame
    outside Assetline and generated code), or None when Assetline itself makes it."""
    location = caller_location()
    return location if location is not None and is_user_file(location.file) else None


def definition_error(
    problem: str,
    fix: str | None = None,
    location: SourceLocation | None = None,
    highlight: str | None = None,
) -> DefinitionError:
    """A ``DefinitionError``: what is wrong, what to do, and where (``file:line``)."""
    return DefinitionError(problem, fix, location=location, highlight=highlight)


def text_of(error: AssetlineError) -> str:
    """An error's text without its location (to quote it inside another message)."""
    if isinstance(error, DefinitionError):
        return f"{error.problem} {error.suggestion}" if error.suggestion else error.problem
    # A selection error draws a caret under the expression on the next lines: the
    # quoting message names the expression already.
    return error.message.split("\n", 1)[0]


__all__ = ["definition_error", "text_of", "user_location"]
