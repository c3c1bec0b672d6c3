"""``assetline ui``: serve the GraphQL API and the lineage UI (SPEC §7).

The engine's CLI wires it in::

    from assets_ui.cli import add_ui_parser, run_ui
    parser = add_ui_parser(subparsers)   # then: return run_ui(args)

It also runs alone: ``python -m assets_ui.cli [-m MODULE | -f FILE] [--port 3000]``.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
MAX_WORKERS = 64


def add_ui_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``ui`` command and its options to an argparse ``subparsers``; the
    parsed namespace's ``func`` is ``run_ui``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "ui",
        help="serve the GraphQL API and the lineage UI",
        description="Serve the GraphQL API (/graphql), the lineage UI (/), /metrics and /healthz.",
    )
    add_ui_arguments(parser)
    parser.set_defaults(func=run_ui)
    return parser


def add_ui_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``assetline ui``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    location = parser.add_mutually_exclusive_group()
    location.add_argument("-m", "--module", help="the code location as a module")
    location.add_argument("-f", "--file", help="the code location as a Python file")
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument(
        "--auth",
        type=Path,
        metavar="FILE",
        help="a TOML or JSON file of hashed tokens with roles and groups (see "
        "'assetline auth hash'); read again on SIGHUP",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port (default 1); see the README's process model",
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_ui(args: argparse.Namespace) -> int:
    """Load the code location, open the catalog and serve until interrupted.

    Returns:
        0 after a clean shutdown, 2 when the code location or the options are wrong.
    """
    # Importing the server and loading the definitions allocate hundreds of thousands
    # of objects that live as long as the server: collecting garbage meanwhile only
    # walks them again and again. ``settle_heap`` freezes them and turns it back on.
    gc.disable()
    import uvicorn

    from assets_core.errors import AssetlineError
    from assets_ui.app import create_app

    if not 0 < args.port < 65536:
        print(f"assetline ui: --port {args.port} is not a port number.", file=sys.stderr)
        return EXIT_USAGE
    if not 1 <= args.workers <= MAX_WORKERS:
        print(
            f"assetline ui: --workers {args.workers} must be between 1 and {MAX_WORKERS}.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.auth is not None and not args.auth.is_file():
        print(f"assetline ui: --auth {args.auth}: no such file.", file=sys.stderr)
        return EXIT_USAGE
    secured = args.auth is not None or os.environ.get("ASSETLINE_AUTH_TOKENS")
    if not is_loopback(args.host) and not secured:
        print(
            f"assetline ui: warning: serving on {args.host} without ASSETLINE_AUTH_TOKENS "
            "or --auth; anyone who can reach it can run assets.",
            file=sys.stderr,
        )
    banner = f"Assetline UI on http://{args.host}:{args.port} (GraphQL at /graphql)"
    from assets_ui.security import hide_server_credentials

    hide_server_credentials()  # read into os.environ already; runs must not find them
    if args.workers > 1:
        from assets_ui.workers import serve

        def make_app() -> Any:
            return create_app(module=args.module, file=args.file, auth_file=args.auth)

        try:
            print(f"{banner}, {args.workers} worker processes", flush=True)
            return serve(make_app, args.host, args.port, args.workers, args.log_level)
        except AssetlineError as e:
            print(f"assetline ui: {e.render()}", file=sys.stderr)
            return e.exit_code
    try:
        app = create_app(module=args.module, file=args.file, auth_file=args.auth)
    except AssetlineError as e:
        print(f"assetline ui: {e.render()}", file=sys.stderr)
        return e.exit_code
    if args.auth is not None:
        from assets_ui.auth_file import on_sighup, reload_auth

        on_sighup(lambda: reload_auth(app.state.assetline))
    print(banner, flush=True)
    # A websocket message is capped like an HTTP body ([tool.assetline.server]).
    ws_max_size = app.state.assetline.max_body_bytes
    # uvicorn handles SIGTERM (a service manager stopping the server), shuts down
    # gracefully, then raises the signal again under the handler it found: exit 0, not
    # death by signal. Before uvicorn takes over, SIGTERM stops the start the same way.
    signal.signal(signal.SIGTERM, _exit_ok)
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=args.log_level, ws_max_size=ws_max_size
    )
    return EXIT_OK


def _exit_ok(signum: int, frame: object) -> None:
    raise SystemExit(EXIT_OK)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m assets_ui.cli``."""
    parser = argparse.ArgumentParser(prog="assetline ui", description=__doc__)
    add_ui_arguments(parser)
    return run_ui(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
