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
    from rich.markup import escape

    tail = f": {doing}" if doing else "."
    console(stderr=True).print(
        f"The selection {escape(repr(expr))} selects no assets (its filters all match, "
        f"the expression as a whole is empty){tail}"
    )


def run_id_arg(run_id: str) -> Any:
    """The run ``RUN_ID`` on the command line names: a missing run is a usage error
    (exit 2), as any argument that names nothing is."""
    from assets_core.errors import NotFoundError, UsageError

    try:
        return open_catalog().get_run(run_id)
    except NotFoundError as e:
        raise UsageError(str(e)) from None


def open_catalog() -> Catalog:
    from assets_core.catalog.catalog import Catalog

    return Catalog.open()


def console(stderr: bool = False) -> Console:
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Logs (CI, pipes) are not 80 columns wide: don't fold asset keys there.
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


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
