"""`assetline status`, `runs`, `run`, `catalog upgrade` and `partitions`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from assets_core.cli import catalog_check
from assets_core.cli.common import (
    add_format_arg,
    add_location_args,
    console,
    esc,
    iso,
    load_defs,
    note_empty_selection,
    open_catalog,
    print_json,
    run_id_arg,
    select_keys,
    short_time,
    styled,
)
from assets_core.errors import UsageError

#: -m/-f on the commands that read only the catalog (which does not depend on the code).
_LOCATION_NOTE = (
    "Like every command, this one takes the code location (-m MODULE or -f FILE.py): it is "
    "loaded and validated, so a wrong one fails here as it would elsewhere; the catalog "
    "it reads does not depend on it."
)
RUN_STATUSES = ("QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELING", "CANCELED")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "status",
        help="Status and stale reasons of assets.",
        description="MISSING, FRESH, STALE (with reasons), FAILED, OVERDUE "
        "or CHECK_FAILED per asset, from the catalog.",
    )
    add_location_args(p)
    p.add_argument("--select", default="*", help="Selection expression (default: *).")
    p.add_argument(
        "--partitions",
        metavar="KEY",
        default=None,
        help="Show the partition status of one partitioned asset.",
    )
    add_format_arg(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("runs", help="Recent runs, newest first.", description=_LOCATION_NOTE)
    add_location_args(p)
    p.add_argument("--status", choices=RUN_STATUSES, type=str.upper, default=None)
    p.add_argument("--limit", type=int, default=20)
    add_format_arg(p)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser(
        "run", help="One run: its steps and events, or their output.", description=_LOCATION_NOTE
    )
    add_location_args(p)
    p.add_argument("run_id", help="Run id (or a unique prefix of at least 4 characters).")
    p.add_argument(
        "--logs",
        action="store_true",
        help="Print the captured stdout/stderr of each step instead of the summary.",
    )
    p.add_argument(
        "--step", metavar="ASSET", default=None, help="With --logs: only this asset's output."
    )
    add_format_arg(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("catalog", help="Catalog maintenance.")
    csub = p.add_subparsers(dest="catalog_command", required=True, metavar="COMMAND")
    up = csub.add_parser(
        "upgrade", help="Apply pending catalog schema migrations.", description=_LOCATION_NOTE
    )
    add_location_args(up)
    up.set_defaults(func=cmd_catalog_upgrade)
    pr = csub.add_parser(
        "prune",
        help="Delete run events older than the retention, and temp files of killed writes.",
        description="Delete run events older than the retention, and the temp files "
        "that writes killed mid-way left in $ASSETLINE_HOME/storage.",
    )
    add_location_args(pr)
    pr.add_argument("--older-than-days", type=float, default=None)
    pr.set_defaults(func=cmd_catalog_prune)
    catalog_check.register(csub)

    p = sub.add_parser("partitions", help="Dynamic partitions.")
    psub = p.add_subparsers(dest="partitions_command", required=True, metavar="COMMAND")
    checked = (
        " When a code location is given (-m/-f or pyproject.toml), NAME must be the name "
        "of one of its DynamicPartitions."
    )
    add = psub.add_parser(
        "add",
        help="Add keys to a DynamicPartitions definition.",
        description="Add keys to the key set of DynamicPartitions(NAME)." + checked,
    )
    add_location_args(add)
    add.add_argument("name")
    add.add_argument("keys", nargs="+")
    add.set_defaults(func=cmd_partitions_add)
    ls = psub.add_parser(
        "list",
        help="List the keys of a DynamicPartitions definition.",
        description="List the keys of DynamicPartitions(NAME), in the order added." + checked,
    )
    add_location_args(ls)
    ls.add_argument("name")
    ls.set_defaults(func=cmd_partitions_list)


def materialization_json(m: Any) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "id": m.id,
        "run_id": m.run_id,
        "timestamp": iso(m.timestamp),
        "partition": m.partition,
        "code_version": m.code_version,
        "data_version": m.data_version,
        "row_count": m.metadata.get("row_count"),
    }


def cmd_status(args: argparse.Namespace) -> int:
    from assets_core.catalog.status import asset_statuses

    defs = load_defs(args)
    graph = defs.graph
    catalog = open_catalog(recover=True)
    if args.partitions:
        if args.select != "*":
            raise UsageError(
                "--partitions KEY shows the partitions of one asset; --select does not apply "
                "to it. Drop one of them."
            )
        return _partition_status(graph, catalog, args)
    keys = select_keys(defs, args.select)
    if not keys:
        note_empty_selection(args.select)
    statuses = asset_statuses(graph, catalog, keys, with_records=True)
    if args.format == "json":
        print_json(
            {
                "assets": [
                    {
                        "key": str(k),
                        "status": s.status,
                        "reasons": s.reasons,
                        "latest_materialization": materialization_json(s.latest),
                        **(
                            {
                                "partitions": {
                                    "total": s.partition_stats.total,
                                    "materialized": s.partition_stats.materialized,
                                    "failed": s.partition_stats.failed,
                                    "missing": s.partition_stats.missing,
                                }
                            }
                            if s.partition_stats
                            else {}
                        ),
                    }
                    for k, s in statuses.items()
                ]
            }
        )
        return 0
    from rich.table import Table

    table = Table(title_justify="left")
    for col in ("asset", "status", "last materialized", "partitions", "why"):
        table.add_column(col, overflow="fold")
    for k, s in statuses.items():
        parts = "-"
        if s.partition_stats:
            ps = s.partition_stats
            parts = f"{ps.materialized}/{ps.total}" + (
                f" ({ps.failed} failed)" if ps.failed else ""
            )
        why = "; ".join(s.reasons + [f"check {c} failed" for c in s.failed_checks])
        table.add_row(
            esc(k),
            styled(s.status),
            short_time(s.latest.timestamp if s.latest else None),
            parts,
            esc(why),
        )
    console().print(table)
    return 0


def _partition_status(graph: Any, catalog: Any, args: argparse.Namespace) -> int:
    from assets_core.catalog.status import partition_status

    key = graph.resolve(args.partitions)
    pdef = graph.get(key).spec.partitions
    if pdef is None:
        raise UsageError(f"Asset {key} is not partitioned; drop --partitions.")
    report = partition_status(graph, catalog, key).to_dict(pdef, catalog)
    ranges = report.pop("ranges")
    if args.format == "json":
        print_json(
            {
                "key": str(key),
                "partitions": pdef.describe(),
                **report,
                "ranges": {s: [list(r) for r in rs] for s, rs in ranges.items()},
            }
        )
        return 0
    out = console()
    out.print(f"[bold]{esc(key)}[/] ({esc(pdef.describe())}): {report['total']} partitions")
    styles = (
        ("materialized", "green"),
        ("stale", "yellow"),
        ("failed", "red"),
        ("missing", "grey50"),
    )
    for status, style in styles:
        spans = ", ".join(a if a == b else f"{a}...{b}" for a, b in ranges[status][:20])
        more = " ..." if len(ranges[status]) > 20 else ""
        out.print(f"  [{style}]{status:>12}[/] {report[status]:>7}  {esc(spans)}{more}")
    return 0


def run_json(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "status": r.status,
        "selection": r.selection,
        "partitions": r.partitions,
        "started_at": iso(r.started_at),
        "ended_at": iso(r.ended_at),
    }


def _given_location(args: argparse.Namespace) -> None:
    """Load and validate the code location when -m/-f names one."""
    if args.module or args.file:
        load_defs(args)


def cmd_runs(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be 1 or more.")
    _given_location(args)
    runs = open_catalog(recover=True).list_runs(status=args.status, limit=args.limit)
    if args.format == "json":
        print_json({"runs": [run_json(r) for r in runs]})
        return 0
    from rich.table import Table

    table = Table(title_justify="left")
    for col in ("id", "status", "selection", "partitions", "started", "duration", "by"):
        table.add_column(col, overflow="fold")
    for r in runs:
        dur = f"{r.ended_at - r.started_at:.2f}s" if r.started_at and r.ended_at else "-"
        table.add_row(
            r.id[:12],
            styled(r.status),
            esc(r.selection),
            esc(", ".join(r.partitions) or "-"),
            short_time(r.started_at),
            dur,
            esc(r.launched_by or "-"),
        )
    console().print(table)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from assets_core.execution.run_logs import STEP_OUTPUT, step_failures

    if args.step is not None and not args.logs:
        raise UsageError("--step selects whose output --logs prints: add --logs.")
    _given_location(args)
    catalog = open_catalog(recover=True)
    run = run_id_arg(args.run_id, catalog)
    if args.logs:
        return _print_logs(catalog, run.id, args)
    steps = catalog.steps(run.id)
    events = [e for e in catalog.events(run.id) if e.type != STEP_OUTPUT]
    failures = step_failures(events)
    if args.format == "json":
        print_json(
            {
                **run_json(run),
                "steps": [
                    {
                        "asset": s.asset_key,
                        "partition": s.partition,
                        "status": s.status,
                        "attempts": s.attempts,
                        "duration_s": round(s.duration_s, 6) if s.duration_s is not None else None,
                        "error": s.error,
                        **_failure_json(failures.get((s.asset_key, s.partition))),
                    }
                    for s in steps
                ],
                "events": [
                    {
                        "timestamp": iso(e.timestamp),
                        "type": e.type,
                        "asset": e.asset_key,
                        "partition": e.partition,
                        "message": e.message,
                    }
                    for e in events
                ],
            }
        )
        return 0
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(
        f"Run [bold]{esc(run.id)}[/] {styled(run.status)}  selection: {esc(run.selection)}  "
        f"partitions: {esc(', '.join(run.partitions) or '-')}"
    )
    if run.error:
        out.print(f"[red]{esc(run.error)}[/]")
    table = Table(title="steps", title_justify="left")
    for col in ("asset", "partition", "status", "attempts", "duration", "error"):
        table.add_column(col, overflow="fold")
    for s in steps:
        dur = f"{s.duration_s:.3f}s" if s.duration_s is not None else "-"
        table.add_row(
            esc(s.asset_key),
            esc(s.partition or "-"),
            styled(s.status),
            str(s.attempts),
            dur,
            esc(s.error or ""),
        )
    out.print(table)
    table = Table(title="events", title_justify="left")
    for col in ("time", "type", "asset", "message"):
        table.add_column(col, overflow="fold")
    for e in events:
        table.add_row(short_time(e.timestamp), e.type, esc(e.asset_key or ""), esc(e.message))
    out.print(table)
    for (asset, partition), f in failures.items():
        step = asset + (f"[{partition}]" if partition else "")
        out.print(Text(f"{step} FAILED {f.headline}", style="red"))
        if f.traceback:
            out.print(Text(f.traceback.rstrip("\n"), style="dim"))
    return 0


def _failure_json(failure: Any) -> dict[str, Any]:
    if failure is None:
        return {"traceback": None, "location": None}
    return {"traceback": failure.traceback or None, "location": failure.location}


def _print_logs(catalog: Any, run_id: str, args: argparse.Namespace) -> int:
    """``run RUN_ID --logs [--step ASSET]``: each step's captured output."""
    from assets_core.execution.run_logs import STEP_OUTPUT, step_output

    if args.step is not None:
        known = {s.asset_key for s in catalog.steps(run_id)}
        if args.step not in known:
            raise UsageError(
                f"Run {run_id} has no step for asset {args.step!r}; its assets: "
                f"{', '.join(sorted(known)) or 'none'}."
            )
    logs = step_output(catalog.events_of_types(run_id, [STEP_OUTPUT], args.step))
    if args.format == "json":
        print_json(
            {
                "id": run_id,
                "logs": [
                    {"asset": asset, "partition": partition, "output": text}
                    for (asset, partition), text in logs.items()
                ],
            }
        )
        return 0
    for (asset, partition), text in logs.items():
        step = asset + (f"[{partition}]" if partition else "")
        sys.stdout.write(f"=== {step} ===\n{text}")
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
    if not logs:
        sys.stderr.write(f"No captured output in run {run_id}.\n")
    return 0


def cmd_catalog_upgrade(args: argparse.Namespace) -> int:
    from assets_core.catalog.connection import default_catalog_url, make_engine, upgrade

    _given_location(args)
    url = default_catalog_url()
    applied = upgrade(make_engine(url))
    console().print(
        "Catalog migrated to the latest schema." if applied else "Catalog schema is up to date."
    )
    return 0


def cmd_catalog_prune(args: argparse.Namespace) -> int:
    from assets_core.catalog.connection import assetline_home
    from assets_core.io.temp_files import sweep_temp_files
    from assets_core.settings import load_settings

    _given_location(args)
    storage = assetline_home() / "storage"
    removed = sweep_temp_files(storage)
    if removed:
        print(f"Removed {removed} temp files left by killed writes under {storage}.")
    days = args.older_than_days
    if days is None:
        days = load_settings().retention_days
    if days is None:
        raise UsageError(
            "No retention configured: pass --older-than-days N or set "
            "[tool.assetline.retention] events_days = N in pyproject.toml."
        )
    n = open_catalog().prune_events(days * 86400)
    console().print(f"Deleted {n} events older than {days:g} days.")
    return 0


def _check_dynamic_name(args: argparse.Namespace) -> None:
    """A usage error when a code location is given (flags or pyproject.toml) and has no
    ``DynamicPartitions(args.name)``; without one there is nothing to check against."""
    from assets_core.definitions.loader import configured_module
    from assets_core.partitions.dynamic import dynamic_partition_names, unknown_dynamic_name

    if not (args.module or args.file or configured_module()):
        return
    graph = load_defs(args).graph
    names = dynamic_partition_names(n.spec.partitions for n in graph.nodes.values())
    problem = unknown_dynamic_name(args.name, names)
    if problem:
        raise UsageError(problem)


def cmd_partitions_add(args: argparse.Namespace) -> int:
    from assets_core.partitions.dynamic import DynamicPartitions

    _check_dynamic_name(args)
    keys = DynamicPartitions(args.name).validate_new_keys(args.keys)
    catalog = open_catalog()
    added = catalog.add_dynamic_partitions(args.name, keys)
    console().print(
        f"Added {added} new key(s) to {esc(args.name)} ({len(args.keys) - added} already present)."
    )
    return 0


def cmd_partitions_list(args: argparse.Namespace) -> int:
    _check_dynamic_name(args)
    for k in open_catalog().dynamic_partitions(args.name):
        print(k)
    return 0
