"""`assetline observe`: run the observe functions of external assets and record what
they saw (data version and metadata)."""

from __future__ import annotations

import argparse

from assets_core.cli.common import (
    add_location_args,
    console,
    esc,
    load_defs,
    open_catalog,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "observe",
        help="Observe external assets (run their observe= functions).",
        description="Run the observe= functions of the selected external assets and "
        "record each one's data version and metadata in the catalog. A new data "
        "version makes downstream assets stale; the same one leaves them fresh. "
        "Exit 1 when an observation fails.",
    )
    add_location_args(p)
    p.add_argument("--select", help="Selection expression (default: every asset with observe=).")
    p.add_argument("--partition", help="The partition to observe (partitioned assets).")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_observe)


def cmd_observe(args: argparse.Namespace) -> int:
    from assets_core.execution.observe import observe

    defs = load_defs(args)
    catalog = open_catalog()
    try:
        result = observe(defs, args.select, partition=args.partition, catalog=catalog)
    finally:
        catalog.close()
    if args.format == "json":
        print_json(
            {
                "run_id": result.run_id,
                "status": result.status,
                "observed": [
                    {
                        "asset": o.asset_key,
                        "partition": o.partition,
                        "status": o.status,
                        "data_version": o.data_version,
                        "metadata": o.metadata,
                        "error": o.error,
                    }
                    for o in result.observed
                ],
            }
        )
    else:
        out = console()
        for o in result.observed:
            where = f"[{o.partition}]" if o.partition else ""
            if o.status == "OBSERVED":
                out.print(
                    f"[green]✓[/green] {esc(o.asset_key + where)} data version "
                    f"{esc(o.data_version or '')}"
                )
            else:
                out.print(f"[red]✗[/red] {esc(o.asset_key + where)}: {esc(o.error or '')}")
        out.print(f"Run {result.run_id} {esc(result.status)}: {len(result.observed)} observed.")
    return 0 if result.success else 1
