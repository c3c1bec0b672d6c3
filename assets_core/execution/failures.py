"""What a failed step shows: the traceback trimmed to the user's frames and the
user's file and line where it was raised (``marts.py:42``)."""

from __future__ import annotations

import os
import traceback

from assets_core.errors import is_user_file


def user_traceback(e: BaseException) -> tuple[str, str | None]:
    """The formatted traceback of ``e`` keeping only the user's frames (all frames when
    none is the user's: a failure inside Assetline or a library called by no user code),
    and where the innermost user frame is, as ``path:line`` (the path relative to the
    working directory when below it), or ``None``.

    Args:
        e: The exception the user's code raised.
    """
    frames = traceback.extract_tb(e.__traceback__)
    mine = [f for f in frames if is_user_file(f.filename)]
    kept = traceback.StackSummary.from_list(mine or list(frames))
    lines = ["Traceback (most recent call last):\n", *kept.format()]
    lines += traceback.format_exception_only(type(e), e)
    location = None
    if mine:
        last = mine[-1]
        location = f"{display_path(last.filename)}:{last.lineno}"
    return "".join(lines), location


def display_path(filename: str) -> str:
    """``filename`` relative to the working directory when below it, else as is.

    Args:
        filename: An absolute or relative file name.
    """
    try:
        rel = os.path.relpath(filename)
    except ValueError:  # another drive (Windows)
        return filename
    return filename if rel.startswith(os.pardir) else rel


def exception_line(e: BaseException) -> str:
    """``TypeError: message``: the exception's type and its first line of text.

    Args:
        e: An exception.
    """
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__
