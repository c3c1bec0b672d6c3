"""The server ends runs whose worker is gone (``assets_core.execution.recovery``): once
at start and then every ``RECOVERY_EVERY_S``, so a run killed with -9 anywhere (a CLI
run, a run child of a server that died) does not stay STARTED in the UI."""

from __future__ import annotations

import asyncio
import logging
import os

from assets_core.execution.recovery import recover_dead_runs
from assets_ui.state import ServerState

logger = logging.getLogger("assetline.ui")

#: Seconds between two sweeps (``$ASSETLINE_RECOVERY_EVERY_S`` overrides it).
RECOVERY_EVERY_S = 30.0


def recovery_interval() -> float:
    """``$ASSETLINE_RECOVERY_EVERY_S`` or the default; a bad value is a usage error."""
    from assets_core.errors import UsageError

    raw = os.environ.get("ASSETLINE_RECOVERY_EVERY_S")
    if not raw:
        return RECOVERY_EVERY_S
    try:
        every = float(raw)
    except ValueError:
        every = -1.0
    if not every > 0:
        raise UsageError(
            f"ASSETLINE_RECOVERY_EVERY_S={raw!r}: write a number of seconds greater than 0."
        )
    return every


def sweep_once(state: ServerState) -> list[str]:
    """End the dead runs of the server's catalog now; log each; never raise (a catalog
    that is unreachable for a moment is tried again at the next sweep)."""
    try:
        ended = recover_dead_runs(state.catalog)
    except Exception as e:
        logger.warning("crash recovery skipped: %s", str(e).splitlines()[0] if str(e) else e)
        return []
    for run_id in ended:
        logger.warning("run %s: its worker is gone; ended", run_id[:12])
    return ended


async def sweep_dead_runs(state: ServerState, every_s: float) -> None:
    """Sweep at once, then every ``every_s`` seconds until cancelled."""
    while True:
        await asyncio.to_thread(sweep_once, state)
        await asyncio.sleep(every_s)
