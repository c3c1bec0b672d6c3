"""`assetline catalog check`: SQLite's integrity check and orphan rows; exit 1 on
problems."""

from __future__ import annotations

import argparse

from assets_core.cli.common import add_format_arg, console, esc, print_json


def register(csub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = csub.add_parser(
        "check",
        help="Check the catalog for damage and orphan rows.",
        description="SQLite: PRAGMA integrity_check (damaged pages and indexes). Both "
        "backends: rows that point at nothing (steps, events, materializations of no run; "
        "latest outcomes and provenance of a missing materialization). Reads only. Exit 0 "
        "when sound, 1 when a problem is found.",
    )
    add_format_arg(p, choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_catalog_check)


def cmd_catalog_check(args: argparse.Namespace) -> int:
    from assets_core.catalog.connection import default_catalog_url, make_engine
    from assets_core.catalog.faults import catalog_location, damaged_error
    from assets_core.catalog.integrity import check_catalog

    url = default_catalog_url()
    where = catalog_location(url)
    engine = make_engine(url)  # not Catalog.open: no migration, a damaged file is read as is
    try:
        problems = check_catalog(engine)
    finally:
        engine.dispose()
    if args.format == "json":
        print_json(
            {"catalog": where, "ok": not problems, "problems": [p.to_dict() for p in problems]}
        )
        return 1 if problems else 0
    out = console()
    if not problems:
        checks = "integrity ok, " if engine.dialect.name == "sqlite" else ""
        out.print(f"[green]✓[/] Catalog {esc(where)}: {checks}no orphan rows.")
        return 0
    for p in problems:
        table = f" ({p.table})" if p.table else ""
        out.print(f"[red]✗[/] {p.kind}{esc(table)}: {esc(p.detail)}")
    out.print(f"Catalog {esc(where)}: {len(problems)} problem(s).")
    if any(p.kind != "orphans" for p in problems) and engine.dialect.name == "sqlite":
        out.print(esc(damaged_error(where, "see above", check_hint=False).message))
    return 1
