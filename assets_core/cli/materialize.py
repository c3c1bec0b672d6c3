"""`assetline materialize`, `backfill` and `reexecute`."""

from __future__ import annotations

import argparse
from typing import Any

from assets_core.cli.common import add_location_args, load_defs, open_catalog, select_keys
from assets_core.errors import UsageError


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
    _run_args(p)
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


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="Run config file (.json or .toml), keyed by asset key.")
    p.add_argument(
        "--tag", action="append", default=[], metavar="K=V", help="Tag the run (repeatable)."
    )
    p.add_argument(
        "--executor",
        default="inprocess",
        choices=("inprocess", "multiprocess", "dask"),
        help="Where steps run.",
    )
    p.add_argument("--workers", type=int, default=None, help="Worker processes.")
    p.add_argument("--dask-address", default=None, help="tcp://host:port of a Dask scheduler.")


def parse_tags(items: list[str]) -> dict[str, str]:
    tags = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--tag {item!r}: write it as key=value.")
        k, v = item.split("=", 1)
        tags[k.strip()] = v.strip()
    return tags


def partition_request(args: argparse.Namespace) -> Any:
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


def run_and_report(
    defs: Any,
    keys: list[Any],
    selection: str,
    request: Any,
    args: argparse.Namespace,
    parent_run_id: str | None = None,
    skip: Any = None,
    config: dict[str, Any] | None = None,
) -> int:
    from assets_core.cli.progress import RunProgress
    from assets_core.execution.config import load_config_file
    from assets_core.execution.run import execute_prepared, prepare_run

    if getattr(args, "config", None):
        config = load_config_file(args.config)
    catalog = open_catalog()
    prepared = prepare_run(
        defs,
        catalog,
        keys,
        selection=selection,
        request=request,
        config=config,
        tags=parse_tags(getattr(args, "tag", [])),
        executor=getattr(args, "executor", "inprocess"),
        parent_run_id=parent_run_id,
    )
    if skip is not None:
        prepared.plan = skip(prepared.plan, catalog)
    with RunProgress(prepared.plan, prepared.record.id) as progress:
        result = execute_prepared(
            prepared,
            on_outcome=progress.update,
            handle_signals=True,
            executor=getattr(args, "executor", "inprocess"),
            workers=getattr(args, "workers", None),
        )
    progress.summary(result)
    if result.status == "CANCELED":
        return 130
    return 0 if result.success else 1


def cmd_materialize(args: argparse.Namespace) -> int:
    defs = load_defs(args)
    keys = select_keys(defs, args.select)
    return run_and_report(defs, keys, args.select, partition_request(args), args)


def cmd_backfill(args: argparse.Namespace) -> int:
    from assets_core.execution.backfill import resumable_plan
    from assets_core.execution.plan import PartitionRequest

    if args.max_parallel < 1:
        raise UsageError("--max-parallel must be 1 or more.")
    if args.max_parallel > 1 and args.executor == "inprocess":
        args.executor, args.workers = "multiprocess", args.max_parallel
    defs = load_defs(args)
    keys = select_keys(defs, args.select)
    request = PartitionRequest(start=args.start, end=args.end)

    def skip(plan: Any, catalog: Any) -> Any:
        return resumable_plan(plan, catalog, force=args.force, missing_only=args.missing_only)

    return run_and_report(defs, keys, args.select, request, args, skip=skip)


def cmd_reexecute(args: argparse.Namespace) -> int:
    from assets_core.execution.backfill import FROM_FAILURE_TAG, without_succeeded
    from assets_core.execution.launch import reexecution_selection, request_from_partitions

    defs = load_defs(args)
    catalog = open_catalog()
    parent, selection = reexecution_selection(defs, catalog, args.run_id, args.from_failure)
    keys = select_keys(defs, selection)
    ns = argparse.Namespace(
        config=None,
        tag=[f"{k}={v}" for k, v in parent.tags.items()],
        executor=parent.executor or "inprocess",
        workers=None,
    )

    def skip(plan: Any, catalog: Any) -> Any:
        origin = parent.tags.get(FROM_FAILURE_TAG)
        return without_succeeded(plan, catalog, origin) if origin else plan

    return run_and_report(
        defs,
        keys,
        selection,
        request_from_partitions(parent.partitions),
        ns,
        parent_run_id=parent.id,
        skip=skip,
        config=parent.config,
    )
