"""The `assetline` command: parsing, dispatch and exit codes.

Exit codes: 0 success; 1 a run, asset or blocking check failed; 2 a usage or
definition error (printed without a traceback); 130 canceled with Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from assets_core.errors import AssetlineError

#: Entry-point group of commands that other packages add (``assets_ui`` adds ``ui``).
PLUGIN_GROUP = "assetline.commands"


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``assetline`` parser. Commands of other packages (entry points in
    ``PLUGIN_GROUP``) are looked up only when ``argv`` names no built-in command, so
    ``assetline validate`` neither scans installed packages nor imports the web stack."""
    from assets_core.cli import (
        automation_cmds,
        catalog_cmds,
        check_cmd,
        daemon_cmd,
        graph_cmds,
        materialize,
        observe_cmd,
    )

    parser = argparse.ArgumentParser(
        prog="assetline",
        description="Assetline: software-defined data assets, materialized with lineage.",
        epilog="The code location comes from -m MODULE, -f FILE.py, or [tool.assetline] "
        "module in ./pyproject.toml. The catalog lives in $ASSETLINE_HOME "
        "(default .assetline/) or at $ASSETLINE_CATALOG_URL.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    graph_cmds.register(sub)
    materialize.register(sub)
    check_cmd.register(sub)
    catalog_cmds.register(sub)
    automation_cmds.register(sub)
    daemon_cmd.register(sub)
    observe_cmd.register(sub)
    command = next((a for a in (sys.argv[1:] if argv is None else argv) if a[:1] != "-"), None)
    if command is None or command not in sub.choices:
        _register_plugins(sub)
    return parser


def _register_plugins(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from importlib.metadata import entry_points

    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            register = entry.load()
        except ImportError:  # a plugin whose dependencies are not installed
            continue
        register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AssetlineError as e:
        print(f"error: {e.render()}", file=sys.stderr)
        return e.exit_code
    except Exception as e:
        # A damaged catalog file or a full disk, wherever it surfaced: one line that
        # names the file and what to do, not a database driver's traceback.
        from assets_core.catalog.faults import catalog_fault

        fault = catalog_fault(e)
        if fault is None:
            raise
        print(f"error: {fault.render()}", file=sys.stderr)
        return fault.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
