"""The core stays light: importing ``assets_core``, building the CLI and running
``assetline validate`` load no web, GraphQL or Dask module (ARCHITECTURE.md: the
dependencies point one way, ``assets_ui`` imports ``assets_core``, never the reverse)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WEB = ("assets_ui", "starlette", "strawberry", "graphql", "uvicorn", "dask", "distributed")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def loaded_after(code: str, packages: tuple[str, ...] = WEB) -> list[str]:
    """The modules of ``packages`` (and their submodules) loaded after running ``code``
    in a fresh interpreter."""
    probe = (
        f"{code}\nimport sys\nprint(sorted(m for m in sys.modules "
        f"if any(m == p or m.startswith(p + '.') for p in {packages!r})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    return list(eval(last))


def test_importing_the_core_loads_no_web_module() -> None:
    assert loaded_after("import assets_core, assets_core.testing") == []


def test_a_code_location_imports_the_definitions_not_the_engine() -> None:
    """``from assets_core import asset`` in a code location loads no catalog, engine or
    SQLAlchemy (each public name is imported on first use): the server and the run
    worker start by importing the code location."""
    heavy = ("sqlalchemy", "pandas", "pyarrow", "duckdb", "assets_core.catalog")
    code = "from assets_core import asset, Definitions, AssetKey"
    assert loaded_after(code, (*heavy, "assets_core.execution.run")) == []


def test_the_cli_loads_no_web_module_for_core_commands() -> None:
    code = "from assets_core.cli.main import build_parser\nbuild_parser(['validate'])"
    assert loaded_after(code) == []


def test_assetline_validate_loads_no_web_module() -> None:
    location = FIXTURES / "engine_branches.py"
    code = (
        "from assets_core.cli.main import main\n"
        f"assert main(['validate', '-f', {str(location)!r}]) == 0"
    )
    assert loaded_after(code) == []


def test_the_ui_command_comes_from_the_web_package() -> None:
    from assets_core.cli.main import build_parser

    parser = build_parser(["ui", "--help"])
    args = parser.parse_args(["ui", "--port", "3001"])
    assert args.func.__module__ == "assets_ui.cli"
