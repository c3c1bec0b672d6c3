"""Temp files left behind by a killed write.

The ``fs`` IO manager writes ``.<name>.<pid>-<n>.tmp`` beside its target and renames it
over the target, so a writer killed with -9 can leave one behind. It never counts as a
stored value (readers look for ``data.parquet`` / ``data.pickle`` only); it is removed
the next time its folder is written, and by ``assetline catalog prune``, once its
writer is gone (a temp file of a live writer is being written right now).
"""

from __future__ import annotations

import os
import re

from assets_core.execution.processes import process_started_at

_TEMP = re.compile(r"^\.data\.(?:parquet|pickle)\.(\d+)-\d+\.tmp$")


def remove_leftover_temp_files(folder: str) -> int:
    """Remove the temp files in ``folder`` whose writer is gone; return how many.

    Args:
        folder: The folder of one stored value (its ``data.*`` files).
    """
    try:
        entries = os.scandir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    with entries:
        for entry in entries:
            name = entry.name
            if not name.endswith(".tmp") or (match := _TEMP.match(name)) is None:
                continue
            if _writer_gone(int(match.group(1)), entry):
                try:
                    os.unlink(entry.path)
                    removed += 1
                except FileNotFoundError:  # another process removed it first
                    pass
    return removed


def sweep_temp_files(root: str | os.PathLike[str]) -> int:
    """Remove every leftover temp file under the storage ``root``; return how many."""
    removed = 0
    for folder, _dirs, files in os.walk(root):
        if any(f.endswith(".tmp") for f in files):
            removed += remove_leftover_temp_files(folder)
    return removed


def _writer_gone(pid: int, entry: os.DirEntry[str]) -> bool:
    if pid == os.getpid():
        return False  # this process is writing it (another thread)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    started = process_started_at(pid)
    try:
        written = entry.stat().st_mtime
    except FileNotFoundError:
        return False
    # The pid now belongs to a process started after the file was last written.
    return started is not None and started > written + 2
