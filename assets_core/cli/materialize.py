"""`assetline materialize`, `backfill` and `reexecute`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from assets_core.cli.common import (
    add_location_args,
    load_defs,
    note_empty_selection,
    open_catalog,
    run_id_arg,
)
from assets_core.errors import UsageError

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.definitions.repository import Definitions
    from assets_core.execution.plan import PartitionRequest
    from assets_core.execution.request import Resume, RunSpec


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "materialize",
        help="Materialize selected assets.",
        description="Plan the selected assets in dependency order and run "
        "them. Exit 0 when all succeed, 1 when any failed, 2 on usage errors.",
    )
    add_location_args(p)
    p.add_argument("--select", default="*", help="Selection expression (default: *).")
    _partition_args(p)
    _run_args(p)
    p.set_defaults(func=cmd_materialize)

    p = sub.add_parser(
        "backfill",
        help="Materialize a partition range, resumably.",
        description="Materialize every partition from --from to --to "
        "(inclusive) in dependency order. Partitions already materialized "
        "are skipped unless --force, so a backfill can be rerun to resume.",
    )
    add_location_args(p)
    p.add_argument("--select", default="*", help="Selection expression (default: *).")
    p.add_argument("--from", dest="start", required=True, help="First partition key.")
    p.add_argument("--to", dest="end", required=True, help="Last partition key (inclusive).")
    p.add_argument(
        "--missing-only",
        action="store_true",
        help="Only partitions never materialized (failed ones are not retried).",
    )
    p.add_argument("--force", action="store_true", help="Recompute materialized partitions.")
    p.add_argument(
        "--max-parallel",
        type=int,
        default=1,
        help="Partitions computed at once (uses worker processes when > 1).",
    )
    _run_args(p, workers=False)
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser(
        "reexecute",
        help="Re-run a run, or only what failed.",
        description="Re-run a previous run's selection; with --from-failure "
        "only the assets that failed, were skipped or never ran.",
    )
    add_location_args(p)
    p.add_argument("run_id", help="Run id (or a unique prefix).")
    p.add_argument("--from-failure", action="store_true")
    p.set_defaults(func=cmd_reexecute)


def _partition_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--partition", help="One partition key.")
    p.add_argument("--from", dest="start", help="First partition key of a range.")
    p.add_argument("--to", dest="end", help="Last partition key of a range (inclusive).")


def _run_args(p: argparse.ArgumentParser, *, workers: bool = True) -> None:
    from assets_core.execution.request import EXECUTORS

    p.add_argument("--config", help="Run config file (.json or .toml), keyed by asset key.")
    p.add_argument(
        "--tag", action="append", default=[], metavar="K=V", help="Tag the run (repeatable)."
    )
    p.add_argument(
        "--executor",
        default=None,
        choices=EXECUTORS,
        help="Where steps run (default: [tool.assetline] executor, else inprocess).",
    )
    if workers:
        p.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker processes of the multiprocess executor (default: the CPU count) "
            "or of the local Dask cluster (default 2).",
        )
    p.add_argument(
        "--dask-address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="A running Dask scheduler for --executor dask (default: $ASSETLINE_DASK_ADDRESS, "
        "[tool.assetline] dask_address, else a local cluster of --workers processes).",
    )


def parse_tags(items: list[str]) -> dict[str, str]:
    tags = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--tag {item!r}: write it as key=value.")
        k, v = item.split("=", 1)
        tags[k.strip()] = v.strip()
    return tags


def partition_request(args: argparse.Namespace) -> PartitionRequest:
    from assets_core.execution.plan import PartitionRequest

    if args.partition and (args.start or args.end):
        raise UsageError("Use either --partition KEY or --from A --to B, not both.")
    if bool(args.start) != bool(args.end):
        raise UsageError("--from and --to go together: pass both (the range is inclusive).")
    if args.partition:
        return PartitionRequest(key=args.partition)
    if args.start:
        return PartitionRequest(start=args.start, end=args.end)
    return PartitionRequest()


def run_spec(
    args: argparse.Namespace,
    partitions: PartitionRequest,
    *,
    resume: Resume = "none",
    workers: int | None = None,
) -> RunSpec:
    """The run request of a ``materialize`` or ``backfill`` command line."""
    from assets_core.execution.config import load_config_file
    from assets_core.execution.request import RunSpec, requested_executor

    return RunSpec(
        selection=args.select,
        partitions=partitions,
        config=load_config_file(args.config) if args.config else {},
        tags=parse_tags(args.tag),
        executor=requested_executor(args.executor, workers, args.dask_address),
        resume=resume,
    )


def run_and_report(defs: Definitions, spec: RunSpec, catalog: Catalog | None = None) -> int:
    """Plan, record and execute ``spec`` with a live progress display and a summary;
    return the exit code."""
    from assets_core.cli.progress import RunProgress
    from assets_core.execution.execute import execute_run
    from assets_core.execution.run import plan_run, start_run

    catalog = catalog or open_catalog(recover=True)
    planned = plan_run(defs, catalog, spec)
    if not planned.plan.selected:
        note_empty_selection(spec.selection, "nothing to materialize, no run recorded")
        return 0
    started = start_run(defs, catalog, planned)
    with RunProgress(started.plan, started.record.id, skipped=planned.skipped) as progress:
        result = execute_run(started, on_outcome=progress.update, handle_signals=True)
    progress.summary(result)
    if result.status == "CANCELED":
        return 130
    return 0 if result.success else 1


def cmd_materialize(args: argparse.Namespace) -> int:
    defs = load_defs(args)
    return run_and_report(defs, run_spec(args, partition_request(args), workers=args.workers))


def cmd_backfill(args: argparse.Namespace) -> int:
    from assets_core.execution.plan import PartitionRequest

    if args.max_parallel < 1:
        raise UsageError("--max-parallel must be 1 or more.")
    from assets_core.execution.request import requested_executor

    workers = None
    if args.max_parallel > 1:
        chosen = requested_executor(args.executor, dask_address=args.dask_address)
        if chosen.name == "inprocess":
            args.executor = "multiprocess"
        elif chosen.dask_address is not None:
            raise UsageError(
                "--max-parallel sizes the worker processes started for the backfill; on the "
                f"Dask scheduler {chosen.dask_address} its workers decide. Drop --max-parallel."
            )
        workers = args.max_parallel
    if args.force and args.missing_only:
        raise UsageError("--force recomputes everything; --missing-only skips what ran: pick one.")
    resume: Resume = (
        "none" if args.force else "missing_only" if args.missing_only else "materialized"
    )
    defs = load_defs(args)
    spec = run_spec(
        args, PartitionRequest(start=args.start, end=args.end), resume=resume, workers=workers
    )
    return run_and_report(defs, spec)


def cmd_reexecute(args: argparse.Namespace) -> int:
    from assets_core.execution.launch import reexecution_spec

    defs = load_defs(args)
    catalog = open_catalog(recover=True)  # a run whose worker died can be re-executed
    run = run_id_arg(args.run_id, catalog)
    _, spec = reexecution_spec(catalog, run.id, from_failure=args.from_failure)
    return run_and_report(defs, spec, catalog)
