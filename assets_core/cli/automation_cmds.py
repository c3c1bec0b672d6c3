"""`assetline schedules`, `sensors`, `ticks` and `automation why`: looking at and
switching the automation (SPEC §9). `assetline daemon` is in daemon_cmd.py."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assets_core.cli.common import (
    add_format_arg,
    add_location_args,
    console,
    esc,
    iso,
    load_defs,
    open_catalog,
    print_json,
    short_time,
    styled,
)
from assets_core.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    from assets_core.automation.schedules import Schedule
    from assets_core.automation.sensors import SensorDefinition
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.ticks import TickRecord
    from assets_core.definitions.repository import Definitions


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for kind in ("schedules", "sensors"):
        p = sub.add_parser(
            kind,
            help=f"List, start and stop {kind}.",
            description=f"The {kind} of the code location and their state in the catalog "
            "(start/stop is stored there; the daemon ticks the running ones).",
        )
        ksub = p.add_subparsers(dest=f"{kind}_command", required=True, metavar="COMMAND")
        ls = ksub.add_parser("list", help=f"The {kind}, their status and next tick.")
        add_location_args(ls)
        add_format_arg(ls)
        ls.set_defaults(func=cmd_list, kind=kind)
        for action in ("start", "stop"):
            a = ksub.add_parser(action, help=f"{action.capitalize()} one of the {kind}.")
            add_location_args(a)
            a.add_argument("name")
            a.set_defaults(func=cmd_switch, kind=kind, action=action)
        if kind == "sensors":
            pv = ksub.add_parser(
                "preview",
                help="Evaluate a sensor once and print its run requests.",
                description="Call the sensor once with its stored cursor and print what it "
                "requests. Nothing is launched, the cursor is not changed and no dynamic "
                "partition is added.",
            )
            add_location_args(pv)
            pv.add_argument("name")
            pv.add_argument("--cursor", default=None, help="Use this cursor instead.")
            add_format_arg(pv)
            pv.set_defaults(func=cmd_preview)

    p = sub.add_parser(
        "ticks",
        help="Recent ticks of schedules, sensors and the automation conditions.",
        description="Each evaluation by the daemon: its status (SUCCESS, SKIPPED, FAILURE), "
        "why, and the runs it queued; newest first.",
    )
    add_location_args(p)
    p.add_argument("name", nargs="?", help="A schedule, a sensor, or 'automation'.")
    p.add_argument("--limit", type=int, default=20)
    add_format_arg(p)
    p.set_defaults(func=cmd_ticks)

    p = sub.add_parser("automation", help="Why an asset did or did not run by itself.")
    asub = p.add_subparsers(dest="automation_command", required=True, metavar="COMMAND")
    why = asub.add_parser(
        "why",
        help="An asset's condition and its latest evaluations, with their reasons.",
    )
    add_location_args(why)
    why.add_argument("asset", help="Asset key or unique name.")
    why.add_argument("--partition", default=None, help="Only evaluations about this key.")
    why.add_argument("--limit", type=int, default=10)
    add_format_arg(why)
    why.set_defaults(func=cmd_why)


# -- schedules and sensors ------------------------------------------------------------
def _find(defs: Definitions, kind: str, name: str) -> Schedule | SensorDefinition:
    items: dict[str, Any] = {
        i.name: i for i in (defs.schedules if kind == "schedules" else defs.sensors)
    }
    if name in items:
        found: Schedule | SensorDefinition = items[name]
        return found
    noun = kind[:-1]
    known = ", ".join(sorted(items)) or f"none: add {kind}= to Definitions"
    raise UsageError(f"Unknown {noun} {name!r}.{did_you_mean(name, list(items))} Known: {known}.")


def cmd_list(args: argparse.Namespace) -> int:
    defs = load_defs(args)
    catalog = open_catalog()
    if args.kind == "schedules":
        return _list_schedules(args, defs, catalog)
    return _list_sensors(args, defs, catalog)


def _list_schedules(args: argparse.Namespace, defs: Definitions, catalog: Catalog) -> int:
    from assets_core.automation.listing import schedule_infos

    infos = schedule_infos(defs, catalog)
    if args.format == "json":
        print_json(
            {
                "schedules": [
                    {
                        "name": i.schedule.name,
                        "cron": i.schedule.cron,
                        "timezone": i.schedule.timezone,
                        "select": i.schedule.select,
                        "status": i.status,
                        "next_tick_at": iso(i.next_tick_at),
                    }
                    for i in infos
                ]
            }
        )
        return 0
    from rich.table import Table

    table = Table(title_justify="left")
    for col in ("name", "status", "cron", "select", "partition", "next tick", "last tick"):
        table.add_column(col, overflow="fold")
    for i in infos:
        s = i.schedule
        choice = s.partition if isinstance(s.partition, str) or s.partition is None else "fn"
        table.add_row(
            esc(s.name),
            styled(i.status),
            esc(f"{s.cron} ({s.timezone})"),
            esc(s.select),
            esc(choice or "-"),
            short_time(i.next_tick_at),
            _last_tick(i.last_ticks),
        )
    _print_or_empty(table, infos, "No schedules: add Definitions(schedules=[Schedule(...)]).")
    return 0


def _list_sensors(args: argparse.Namespace, defs: Definitions, catalog: Catalog) -> int:
    from assets_core.automation.listing import sensor_infos

    infos = sensor_infos(defs, catalog)
    if args.format == "json":
        print_json(
            {
                "sensors": [
                    {
                        "name": i.sensor.name,
                        "interval_s": i.sensor.interval_s,
                        "select": i.sensor.select,
                        "status": i.status,
                        "cursor": i.cursor,
                    }
                    for i in infos
                ]
            }
        )
        return 0
    from rich.table import Table

    table = Table(title_justify="left")
    for col in ("name", "status", "interval", "select", "cursor", "last tick"):
        table.add_column(col, overflow="fold")
    for i in infos:
        cursor = i.cursor if i.cursor is not None else "-"
        table.add_row(
            esc(i.sensor.name),
            styled(i.status),
            f"{i.sensor.interval_s:g}s",
            esc(i.sensor.select or "-"),
            esc(cursor if len(cursor) <= 40 else cursor[:37] + "..."),
            _last_tick(i.last_ticks),
        )
    _print_or_empty(table, infos, "No sensors: add Definitions(sensors=[...]).")
    return 0


def _last_tick(ticks: list[TickRecord] | None) -> str:
    if not ticks:
        return "-"
    t = ticks[0]
    return f"{short_time(t.timestamp)} {styled(t.status)}"


def _print_or_empty(table: Any, rows: Any, empty: str) -> None:
    if rows:
        console().print(table)
    else:
        console().print(empty)


def cmd_switch(args: argparse.Namespace) -> int:
    defs = load_defs(args)
    item = _find(defs, args.kind, args.name)
    from assets_core.automation.listing import switch

    catalog = open_catalog()
    kind = args.kind[:-1]
    status = "RUNNING" if args.action == "start" else "STOPPED"
    # A started schedule begins at the current time: it does not run the ticks it
    # missed while stopped.
    before, _ = switch(catalog, item, kind, status)
    verb = "Started" if status == "RUNNING" else "Stopped"
    note = " (it already was)" if before == status else ""
    extra = ""
    if kind == "schedule" and status == "RUNNING":
        from assets_core.automation.listing import next_tick

        state = catalog.instigator_states().get(item.name)
        extra = f"; next tick {short_time(next_tick(item, state, status))}"  # type: ignore[arg-type]
    console().print(esc(f"{verb} {kind} {item.name}{note}{extra}."))
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    import sys

    from assets_core.automation.isolation import describe_error
    from assets_core.automation.sensors import SensorContext, SensorDefinition, evaluate_sensor

    defs = load_defs(args)
    found = _find(defs, "sensors", args.name)
    assert isinstance(found, SensorDefinition)
    catalog = open_catalog()
    state = catalog.instigator_states().get(found.name)
    cursor = args.cursor if args.cursor is not None else (state.cursor if state else None)
    from assets_core.automation.sensors import as_datetime

    context = SensorContext(
        found.name,
        cursor,
        as_datetime(state.last_tick_at if state else None),
        defs.resources,
        catalog,
        dry_run=True,
    )
    try:
        result = evaluate_sensor(found, context)
    except Exception as e:
        print(f"error: sensor {found.name} failed: {describe_error(e)}", file=sys.stderr)
        return 1
    requests: list[dict[str, Any]] = [
        {
            "select": r.select or found.select,
            "partitions": r.partition_keys,
            "run_key": r.run_key,
            "tags": dict(r.tags or {}),
        }
        for r in result.requests
    ]
    if args.format == "json":
        print_json(
            {"sensor": found.name, "skip_reason": result.skip_reason, "run_requests": requests}
        )
        return 0
    out = console()
    if result.skip_reason is not None:
        out.print(esc(f"Sensor {found.name} skips: {result.skip_reason}"))
    for r in requests:
        parts = ", ".join(r["partitions"]) or "-"
        key = f" run_key={r['run_key']}" if r["run_key"] else ""
        out.print(esc(f"RunRequest select={r['select']} partitions={parts}{key}"))
    for name, keys in result.added_partitions:
        out.print(
            esc(f"Would add {len(keys)} key(s) to dynamic partitions {name}: {', '.join(keys)}")
        )
    if result.cursor_updated:
        out.print(esc(f"Would set the cursor to {result.cursor!r} (unchanged: this is a preview)."))
    return 0


# -- ticks and evaluations -----------------------------------------------------------
def cmd_ticks(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be 1 or more.")
    catalog = open_catalog()
    names = None
    if args.name is not None:
        defs = load_defs(args)
        known = {s.name for s in defs.schedules} | {s.name for s in defs.sensors}
        known |= {"automation"} | set(catalog.instigator_states())
        if args.name not in known:
            raise UsageError(
                f"No schedule or sensor named {args.name!r}."
                f"{did_you_mean(args.name, list(known))} Known: {', '.join(sorted(known))}."
            )
        names = [args.name]
    ticks = catalog.list_ticks(names, limit=args.limit)
    if args.format == "json":
        print_json({"ticks": [tick_json(t) for t in ticks]})
        return 0
    from rich.table import Table

    table = Table(title_justify="left")
    for col in ("time", "name", "kind", "status", "reason / error", "runs"):
        table.add_column(col, overflow="fold")
    for t in ticks:
        table.add_row(
            short_time(t.timestamp),
            esc(t.name),
            esc(t.kind),
            styled(t.status),
            esc((t.error if t.status == "FAILURE" else t.reason) or "-"),
            ", ".join(r[:8] for r in t.run_ids) or "-",
        )
    _print_or_empty(table, ticks, "No ticks yet: run `assetline daemon`.")
    return 0


def tick_json(t: TickRecord) -> dict[str, Any]:
    """A tick as ``assetline ticks --format json`` prints it (SPEC §9)."""
    return {
        "name": t.name,
        "kind": t.kind,
        "timestamp": iso(t.timestamp),
        "status": t.status,
        "reason": t.error if t.status == "FAILURE" else t.reason,
        "run_ids": list(t.run_ids),
    }


def cmd_why(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be 1 or more.")
    defs = load_defs(args)
    graph = defs.graph
    key = graph.resolve(args.asset)
    node = graph.get(key)
    catalog = open_catalog()
    condition = node.spec.automation
    fetch = args.limit if args.partition is None else max(args.limit * 20, 200)
    records = catalog.evaluations(str(key), limit=fetch)
    if args.partition is not None:
        records = _about_partition(defs, catalog, key, args.partition, records)[: args.limit]
    if args.format == "json":
        print_json(
            {
                "asset": str(key),
                "condition": condition.describe() if condition else None,
                "evaluations": [
                    {
                        "timestamp": iso(e.timestamp),
                        "requested": e.requested,
                        "reason": e.reason,
                        "partitions": [list(r) for r in e.partitions] if e.partitions else None,
                        "partition_count": e.partition_count,
                        "run_id": e.run_id,
                    }
                    for e in records
                ],
            }
        )
        return 0

    out = console()
    if condition is None:
        out.print(
            f"{key} has no automation condition (automation=...): the daemon never requests "
            "it by itself."
        )
    else:
        out.print(f"{key}: automation = {esc(condition.describe())}")
    if not records:
        out.print("No evaluation recorded yet: run `assetline daemon`.")
    for e in records:
        verdict = "[green]requested[/]" if e.requested else "[grey50]not requested[/]"
        parts = _ranges_text(e.partitions, e.partition_count)
        run = f" → run {e.run_id[:8]}" if e.run_id else ""
        out.print(f"{short_time(e.timestamp)}  {verdict}{esc(parts)}: {esc(e.reason)}{run}")
    return 0


def _ranges_text(ranges: list[tuple[str, str]] | None, count: int) -> str:
    if not ranges:
        return ""
    shown = ", ".join(a if a == b else f"{a}…{b}" for a, b in ranges[:3])
    more = f" and {len(ranges) - 3} more ranges" if len(ranges) > 3 else ""
    return f" [{shown}{more}; {count} partition{'s' if count != 1 else ''}]"


def _about_partition(
    defs: Definitions, catalog: Catalog, key: Any, partition: str, records: list[Any]
) -> list[Any]:
    pdef = defs.graph.get(key).spec.partitions
    if pdef is None:
        raise UsageError(f"Asset {key} is not partitioned; drop --partition.")
    dyn = catalog
    index = pdef.index_of(partition, dyn)
    out = []
    for e in records:
        for a, b in e.partitions or ():
            try:
                if pdef.index_of(a, dyn) <= index <= pdef.index_of(b, dyn):
                    out.append(e)
                    break
            except Exception:  # a key of older definitions
                continue
    return out


__all__ = ["register", "tick_json"]
