"""`assetline check`: run asset checks against stored values, for CI."""

from __future__ import annotations

import argparse
from typing import Any

from assets_core.cli.common import (
    add_location_args,
    console,
    esc,
    load_defs,
    note_empty_selection,
    open_catalog,
    print_json,
)
from assets_core.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "check",
        help="Run asset checks (for CI).",
        description="Run the checks of the selected assets against their "
        "latest stored values (or materialize first). Exit 0 when all pass, 1 "
        "when an error-severity check fails (warnings too with --strict), 2 on "
        "a definition or usage error.",
    )
    add_location_args(p)
    p.add_argument("--select", default="*", help="Selection expression (default: *).")
    p.add_argument(
        "--materialize",
        action="store_true",
        help="Materialize the selection first (checks run inside the run).",
    )
    p.add_argument("--partition", help="Check this partition of partitioned assets.")
    p.add_argument(
        "--all-partitions", action="store_true", help="Check every materialized partition."
    )
    p.add_argument("--from", dest="start", help="With --materialize: first partition key.")
    p.add_argument("--to", dest="end", help="With --materialize: last partition key.")
    p.add_argument("--junit", metavar="PATH", help="Write a JUnit XML report.")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="Failed warnings fail too.")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from assets_core.checks.standalone import run_checks
    from assets_core.graph.select import select_sorted

    if args.partition and args.all_partitions:
        raise UsageError("Use either --partition KEY or --all-partitions, not both.")
    if (args.start or args.end) and not args.materialize:
        raise UsageError(
            "--from/--to choose what --materialize computes; without it use "
            "--partition KEY or --all-partitions."
        )
    if args.all_partitions and args.materialize:
        raise UsageError(
            "--all-partitions checks every stored partition; with --materialize the checks "
            "run on what the run computes: choose it with --partition KEY or --from/--to."
        )
    if bool(args.start) != bool(args.end):
        raise UsageError("--from and --to go together: pass both (the range is inclusive).")
    defs = load_defs(args)
    graph = defs.graph
    catalog = open_catalog()
    from assets_core.catalog.snapshots import changed_keys

    baseline = catalog.latest_snapshot()
    keys = select_sorted(graph, args.select, changed=lambda: changed_keys(graph, baseline))
    checked = [k for k in keys if graph.checks_for(k)]
    chooses = (args.partition or args.all_partitions) and not args.materialize
    if chooses and checked and all(graph.get(k).spec.partitions is None for k in checked):
        flag = "--partition" if args.partition else "--all-partitions"
        raise UsageError(
            f"{flag} chooses partitions of partitioned assets, and no checked asset of "
            "the selection is partitioned: drop it."
        )
    if not keys:
        note_empty_selection(args.select, "no checks to run")
    elif not any(graph.checks_for(k) for k in keys):
        console(stderr=True).print("No checks on the selected assets.")
    evaluations, notes = run_checks(
        defs,
        catalog,
        keys,
        materialize_first=args.materialize,
        partition=args.partition,
        all_partitions=args.all_partitions,
        partition_range=(args.start, args.end) if args.start else None,
    )
    if args.junit:
        from assets_core.checks.junit import write_junit

        write_junit(evaluations, args.junit, strict=args.strict)
    failed = [e for e in evaluations if e.fails_run(args.strict)]
    if args.format == "json":
        print_json(
            {"checks": [e.to_dict() for e in evaluations], "notes": notes, "passed": not failed}
        )
    else:
        _print_text(evaluations, notes)
    return 1 if failed or any(n.startswith("run failed") for n in notes) else 0


def _print_text(evaluations: list[Any], notes: list[str]) -> None:
    out = console()
    for note in notes:
        out.print(f"[yellow]![/] {esc(note)}")
    for e in evaluations:
        mark = (
            "[green]✓[/]" if e.passed else "[red]✗[/]" if e.severity == "error" else "[yellow]![/]"
        )
        part = f"[{e.partition_key}]" if e.partition_key else ""
        line = f"{mark} {esc(f'{e.asset_key}{part}:{e.check_name}')} {e.status}"
        if not e.passed:
            line += f" ({e.severity}) {esc(e.message)}"
        out.print(line)
    passed = sum(e.passed for e in evaluations)
    out.print(f"{passed} passed, {len(evaluations) - passed} failed")
