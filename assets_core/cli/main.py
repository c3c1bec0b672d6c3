"""The `assetline` command: parsing, dispatch and exit codes.

Exit codes: 0 success; 1 a run, asset or blocking check failed; 2 a usage or
definition error (printed without a traceback); 130 canceled with Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from assets_core.errors import AssetlineError


def build_parser() -> argparse.ArgumentParser:
    from assets_core.cli import catalog_cmds, check_cmd, graph_cmds, materialize

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
    _register_ui(sub)
    return parser


def _register_ui(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    try:
        from assets_ui.cli import add_ui_parser
    except ImportError:  # the web extra is not installed
        return
    add_ui_parser(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AssetlineError as e:
        print(f"error: {e.render()}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
