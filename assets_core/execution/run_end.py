"""Ending a run: its last events and its final status, written even when the catalog
refuses writes (a full disk), so that a run never stays STARTED because of it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from assets_core.catalog.faults import catalog_fault
from assets_core.errors import CatalogConnectionLostError

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.errors import CatalogError
    from assets_core.execution.step import RunState

#: How many times the final status update is tried when the database refuses it.
END_ATTEMPTS = 3


def _url(catalog: Catalog) -> str:
    return catalog.engine.url.render_as_string(hide_password=False)


def run_error(e: BaseException, catalog: Catalog) -> str:
    """The error recorded for a run that ``e`` ended: the one-line catalog fault
    (``catalog write failed: database or disk is full (PATH)``) when it is one."""
    fault = catalog_fault(e, _url(catalog))
    return fault.message if fault is not None else f"{type(e).__name__}: {e}"


def close_writer(state: RunState, catalog: Catalog) -> CatalogError | None:
    """Flush the run's last events; the catalog fault when the database refused them
    (other errors are raised)."""
    try:
        state.writer.close()
    except CatalogConnectionLostError as e:  # PostgreSQL gone for good
        return e
    except Exception as e:
        fault = catalog_fault(e, _url(catalog))
        if fault is None:
            raise
        return fault
    return None


def end_run_status(
    catalog: Catalog, run_id: str, status: str, ended: float, error: str | None
) -> None:
    """Record a run's final status. When the database refuses the write (a full disk),
    it is tried again after closing this process's connections (SQLite then folds its
    write-ahead log into the database, which can free the room one row needs); a run
    that still cannot be ended is ended by the next process that finds its worker gone
    (``execution/recovery.py``)."""
    for attempt in range(END_ATTEMPTS):
        try:
            catalog.update_run(run_id, status=status, ended_at=ended, error=error)
            return
        except Exception as e:
            if catalog_fault(e, _url(catalog)) is None or attempt == END_ATTEMPTS - 1:
                raise
            catalog.release_connections()
            time.sleep(0.05 * (attempt + 1))
