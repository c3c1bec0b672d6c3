"""`assetline daemon [--once] [--interval S]`: the process that makes runs happen by
themselves (schedules, sensors, automation conditions, the run queue)."""

from __future__ import annotations

import argparse
import logging
import sys

from assets_core.cli.common import add_location_args


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "daemon",
        help="Tick schedules, sensors and automation conditions; start queued runs.",
        description="Run the daemon of this code location and catalog: it ticks the "
        "running schedules and sensors, evaluates the automation conditions, starts "
        "queued runs within [tool.assetline.run_queue] limits (each in a process of its "
        "own), and ends runs whose worker died. One daemon is active per catalog; a "
        "second one waits and takes over when the first stops. SIGTERM or Ctrl-C stops "
        "it cleanly (runs it started go on). Settings: [tool.assetline.daemon].",
    )
    add_location_args(p)
    p.add_argument(
        "--once",
        action="store_true",
        help="One tick of everything, then exit (exit 1 if a tick failed, or if another "
        "daemon is running).",
    )
    p.add_argument(
        "--interval",
        type=float,
        default=None,
        metavar="S",
        help="Seconds between two loops (default: [tool.assetline.daemon] interval_s, 1).",
    )
    p.set_defaults(func=cmd_daemon)


def cmd_daemon(args: argparse.Namespace) -> int:
    from assets_core.automation.daemon import Daemon
    from assets_core.automation.settings import load_daemon_settings
    from assets_core.automation.validate import automation_errors, duplicate_names
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.connection import default_catalog_url
    from assets_core.definitions.loader import load_definitions

    settings = load_daemon_settings().with_interval(args.interval)
    _configure_logging()
    log = logging.getLogger("assetline.daemon")
    defs = load_definitions(module=args.module, file=args.file)
    defs.graph  # noqa: B018 - asset definition errors stop the daemon before it starts
    duplicates = duplicate_names(defs)
    if duplicates:
        raise duplicates[0]
    for error in automation_errors(defs):
        # A schedule whose selection no longer fits fails its own ticks; the rest runs.
        log.error("definition error (its ticks will fail): %s", error.message)
    url = default_catalog_url()
    catalog = Catalog.open(url)
    location = args.module or args.file or _default_location()
    daemon = Daemon(defs, catalog, location=location, catalog_url=url, settings=settings)
    log.info(
        "daemon for %s: %d schedule(s), %d sensor(s), %d asset(s) with conditions; catalog %s",
        location,
        len(defs.schedules),
        len(defs.sensors),
        len(daemon.automation.evaluator.conditioned),
        catalog.url,
    )
    try:
        result = daemon.run(once=args.once, wait_for_lease=not args.once)
    finally:
        catalog.close()
    if args.once:
        if result is None:
            return 1
        return 1 if result.failures else 0
    return 0


def _default_location() -> str:
    from assets_core.settings import load_settings

    return load_settings().module or "default"


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    for name in ("assetline.daemon", "assetline.sensor"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


__all__ = ["register"]
