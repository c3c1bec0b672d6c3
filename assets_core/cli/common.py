"""Shared CLI plumbing: code location flags, opening the catalog, output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.repository import Definitions


def add_location_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("code location")
    group.add_argument("-m", "--module", help="Python module exposing `defs` (or assets).")
    group.add_argument("-f", "--file", help="Python file exposing `defs` (or assets).")


def add_format_arg(
    parser: argparse.ArgumentParser,
    choices: tuple[str, ...] = ("table", "json"),
    default: str = "table",
) -> None:
    parser.add_argument(
        "--format",
        choices=choices,
        default=default,
        help=f"Output format (default {default}); json is stable, see README.",
    )


def load_defs(args: argparse.Namespace) -> Definitions:
    """Load and validate the code location named by -m/-f or pyproject.toml: its
    assets, then its schedules and sensors."""
    from assets_core.automation.validate import check_automation
    from assets_core.definitions.loader import load_definitions

    defs = load_definitions(module=args.module, file=args.file)
    defs.graph  # noqa: B018 - validate now so errors surface before any work
    if defs.schedules or defs.sensors:
        check_automation(defs)
    return defs


def select_keys(defs: Definitions, expr: str) -> list[Any]:
    """Evaluate a selection; ``changed`` compares with the catalog's latest snapshot."""
    from assets_core.catalog.snapshots import changed_keys
    from assets_core.graph.select import select_sorted

    graph = defs.graph
    return select_sorted(
        graph, expr, changed=lambda: changed_keys(graph, open_catalog().latest_snapshot())
    )


def note_empty_selection(expr: str, doing: str = "") -> None:
    """Say on stderr that ``expr`` is valid but selects no asset (an empty intersection,
    ``not group:x`` when every asset is in ``x``); the command still exits 0."""

    tail = f": {doing}" if doing else "."
    console(stderr=True).print(
        f"The selection {esc(repr(expr))} selects no assets (its filters all match, "
        f"the expression as a whole is empty){tail}"
    )


def run_id_arg(run_id: str, catalog: Catalog | None = None) -> Any:
    """The run ``RUN_ID`` on the command line names: a missing run is a usage error
    (exit 2), as any argument that names nothing is."""
    from assets_core.errors import NotFoundError, UsageError

    try:
        return (catalog or open_catalog()).get_run(run_id)
    except NotFoundError as e:
        raise UsageError(str(e)) from None


def open_catalog(*, recover: bool = False) -> Catalog:
    """The catalog of ``$ASSETLINE_CATALOG_URL`` / ``$ASSETLINE_HOME``.

    Args:
        recover: First end the runs whose worker is gone (``execution/recovery.py``,
            one query when none is running), saying so on stderr: commands that show
            or start runs pass True, so a run killed with -9 is never shown STARTED.
    """
    from assets_core.catalog.catalog import Catalog

    catalog = Catalog.open()
    if recover:
        recover_runs(catalog)
    return catalog


def recover_runs(catalog: Catalog) -> list[str]:
    """End the runs of ``catalog`` whose worker is gone; print one line per run ended
    on stderr (plain text: the reason holds user paths and host names)."""
    from assets_core.execution.recovery import recover_dead_runs

    try:
        ended = recover_dead_runs(catalog)
    except Exception as e:  # e.g. a read-only catalog: the command itself still works
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        print(f"note: runs whose worker died were not ended: {first}", file=sys.stderr)
        return []
    for run_id in ended:
        run = catalog.get_run(run_id)
        print(f"note: run {run_id[:12]} ended {run.status}: {run.error}", file=sys.stderr)
    return ended


def console(stderr: bool = False, own_fd: bool = False) -> Console:
    """A Rich console on stdout (or stderr).

    Args:
        stderr: Write to stderr.
        own_fd: Write through a duplicate of the stream's file descriptor, so that
            capturing a step's output (which redirects fds 1 and 2 while user code
            runs) does not capture the progress display.
    """
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Logs (CI, pipes) are not 80 columns wide: don't fold asset keys there.
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    file: Any = None
    if own_fd:
        try:
            stream.flush()
            file = os.fdopen(os.dup(stream.fileno()), "w", buffering=1, encoding="utf-8")
        except (OSError, ValueError, AttributeError):
            file = None  # not a real file (a test's capture): nothing to protect
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width, file=file)


def esc(value: object) -> str:
    """``value`` as text that Rich prints as is: user text (asset keys, partition keys,
    error messages, paths) is never read as markup, so ``[/red]`` or ``[columns]`` in
    it neither crashes the output nor disappears. Every string the CLI prints through
    Rich that it did not write itself passes here."""
    from rich.markup import escape

    return escape(str(value))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def short_time(ts: float | None) -> str:
    if ts is None:
        return "-"
    from datetime import datetime

    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


STATUS_STYLE = {
    "SUCCESS": "green",
    "FRESH": "green",
    "PASSED": "green",
    "FAILED": "red",
    "FAILURE": "red",
    "ERRORED": "red",
    "CHECK_FAILED": "magenta",
    "STALE": "yellow",
    "OVERDUE": "dark_orange",
    "MISSING": "grey50",
    "SKIPPED": "grey50",
    "CANCELED": "grey50",
    "CANCELING": "yellow",
    "STARTED": "cyan",
    "QUEUED": "cyan",
}


def styled(status: str) -> str:
    style = STATUS_STYLE.get(status)
    return f"[{style}]{status}[/]" if style else status
