"""`assetline list`, `lineage` and `validate`: looking at the graph."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assets_core.cli.common import (
    add_format_arg,
    add_location_args,
    console,
    esc,
    load_defs,
    note_empty_selection,
    print_json,
    select_keys,
)

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetGraph


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "list",
        help="List assets.",
        description="List the assets of the code "
        "location, optionally filtered by a selection expression.",
    )
    add_location_args(p)
    p.add_argument("--select", default="*", help="Selection expression (default: *).")
    add_format_arg(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "lineage",
        help="Show an asset's upstream/downstream lineage.",
        description="Draw the lineage of one asset as a tree.",
    )
    add_location_args(p)
    p.add_argument("key", help="Asset key or unique name.")
    direction = p.add_mutually_exclusive_group()
    direction.add_argument(
        "--upstream",
        dest="direction",
        action="store_const",
        const="upstream",
        help="Walk towards sources (default).",
    )
    direction.add_argument(
        "--downstream",
        dest="direction",
        action="store_const",
        const="downstream",
        help="Walk towards consumers.",
    )
    p.add_argument("--depth", type=int, default=None, help="Levels to walk (default: all).")
    add_format_arg(p, ("tree", "json"), "tree")
    p.set_defaults(func=cmd_lineage, direction="upstream")

    p = sub.add_parser(
        "validate",
        help="Check the definitions (fast lint for CI).",
        description="Load the code location and report every definition "
        "error: cycles, unknown upstreams, duplicate keys, ambiguous inputs, "
        "unknown resources or IO managers, bad partition mappings, and columns that "
        "checks read but their asset does not have (where its columns are declared or "
        "derived from SQL).",
    )
    add_location_args(p)
    p.set_defaults(func=cmd_validate)


def asset_json(graph: AssetGraph, key: Any) -> dict[str, Any]:
    from assets_core.definitions.static_metadata import static_metadata

    node = graph.get(key)
    spec = node.spec
    return {
        "key": str(key),
        "group": spec.group,
        "kind": spec.kind,
        "upstream": [str(p) for p in node.parents],
        "partitions": spec.partitions.describe() if spec.partitions else None,
        "owners": list(spec.owners),
        "tags": dict(spec.tags),
        "description": spec.description,
        "metadata": static_metadata(node.definition, node.key),
    }


def cmd_list(args: argparse.Namespace) -> int:
    defs = load_defs(args)
    graph = defs.graph
    keys = select_keys(defs, args.select)
    if not keys:
        note_empty_selection(args.select)
    if args.format == "json":
        print_json({"assets": [asset_json(graph, k) for k in keys]})
        return 0
    from rich.table import Table

    table = Table(title=f"{len(keys)} assets", title_justify="left")
    for col in ("key", "group", "kind", "upstream", "partitions", "owners"):
        table.add_column(col, overflow="fold")
    for k in keys:
        a = asset_json(graph, k)
        table.add_row(
            esc(a["key"]),
            esc(a["group"]),
            esc(a["kind"]),
            esc(", ".join(a["upstream"]) or "-"),
            esc(a["partitions"] or "-"),
            esc(", ".join(a["owners"]) or "-"),
        )
    console().print(table)
    return 0


def cmd_lineage(args: argparse.Namespace) -> int:
    from assets_core.errors import UsageError

    graph = load_defs(args).graph
    if args.depth is not None and args.depth < 0:
        raise UsageError("--depth must be 0 or more.")
    root = graph.resolve(args.key)
    depths = graph.depths(root, args.direction, args.depth)
    step = graph.parents if args.direction == "upstream" else graph.children
    edges = []
    for k, d in depths.items():
        if args.depth is not None and d >= args.depth:
            continue
        for n in step(k):
            if n in depths:
                src, dst = (n, k) if args.direction == "upstream" else (k, n)
                edges.append({"source": str(src), "target": str(dst)})
    if args.format == "json":
        print_json(
            {
                "root": str(root),
                "direction": args.direction,
                "nodes": [
                    {"key": str(k), "depth": d}
                    for k, d in sorted(depths.items(), key=lambda kv: (kv[1], str(kv[0])))
                ],
                "edges": edges,
            }
        )
        return 0
    from rich.tree import Tree

    def label(k: Any) -> str:
        node = graph.get(k)
        return f"[bold]{esc(k)}[/] [dim]({esc(node.kind)}, {esc(node.group)})[/]"

    tree = Tree(label(root))
    seen = {root}

    def grow(branch: Tree, key: Any, level: int) -> None:
        if args.depth is not None and level >= args.depth:
            return
        for n in step(key):
            if n in seen:
                branch.add(f"{esc(n)} [dim](see above)[/]")
                continue
            seen.add(n)
            grow(branch.add(label(n)), n, level + 1)

    grow(tree, root, 0)
    console().print(tree)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from assets_core.checks.check_columns import check_column_errors
    from assets_core.errors import DefinitionErrors

    defs = load_defs(args)
    graph = defs.graph
    errors = check_column_errors(graph)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DefinitionErrors(errors)
    out = console()
    out.print(
        f"[green]✓[/] {_n(len(graph), 'asset')} in {_n(len(graph.groups), 'group')}, "
        f"{_n(len(graph.checks), 'check')}"
        + (f", {_n(len(defs.schedules), 'schedule')}" if defs.schedules else "")
        + (f", {_n(len(defs.sensors), 'sensor')}" if defs.sensors else "")
        + ": definitions are valid."
    )
    return 0


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
