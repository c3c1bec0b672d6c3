"""Finding and loading a code location: ``-m MODULE``, ``-f FILE.py``, or the module
named in pyproject.toml; what is collected from it; and the errors when it cannot be
loaded."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from assets_core import Definitions, load_definitions
from assets_core.definitions.loader import configured_module
from assets_core.errors import CodeLocationError, UsageError

LOCATIONS = Path(__file__).resolve().parents[1] / "fixtures" / "locations"


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a location puts its folder on sys.path; undo that after each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def unique_name(prefix: str) -> str:
    """A module name no other test has imported (modules stay in sys.modules)."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def write_module(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


def keys(defs: Definitions) -> list[str]:
    return sorted(str(k) for a in defs.assets for k in a.keys)


def test_file_collects_module_level_assets_and_checks() -> None:
    defs = load_definitions(file=LOCATIONS / "valid_small.py")
    assert keys(defs) == ["big_orders", "orders", "revenue"]
    assert [c.name for c in defs.checks] == ["amounts_positive"]


def test_defs_wins_over_collected_objects() -> None:
    defs = load_definitions(file=LOCATIONS / "unknown_resource.py")
    assert list(defs.resources) == ["warehouse_db"]


def test_module_is_imported_from_the_given_directory() -> None:
    defs = load_definitions(module="valid_small", cwd=LOCATIONS)
    assert keys(defs) == ["big_orders", "orders", "revenue"]


def test_module_named_in_pyproject(tmp_path: Path) -> None:
    name = unique_name("pipeline")
    (tmp_path / "pyproject.toml").write_text(f'[tool.assetline]\nmodule = "{name}"\n')
    write_module(tmp_path, name, (LOCATIONS / "valid_small.py").read_text())
    assert configured_module(tmp_path) == name
    assert keys(load_definitions(cwd=tmp_path)) == ["big_orders", "orders", "revenue"]


@pytest.mark.parametrize(
    "pyproject",
    [None, "[project]\nname = 'x'\n", "[tool.assetline]\nmodule = 3\n"],
    ids=["no-file", "no-section", "not-a-string"],
)
def test_no_configured_module(tmp_path: Path, pyproject: str | None) -> None:
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    assert configured_module(tmp_path) is None
    with pytest.raises(UsageError) as info:
        load_definitions(cwd=tmp_path)
    assert str(info.value) == (
        "No code location: pass -m MODULE or -f FILE.py, or set "
        '[tool.assetline] module = "..." in pyproject.toml.'
    )


def test_module_and_file_together_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        load_definitions(module="valid_small", file=LOCATIONS / "valid_small.py")
    assert str(info.value) == "Give either -m MODULE or -f FILE.py, not both."


def test_missing_module(tmp_path: Path) -> None:
    name = unique_name("no_such_pipeline")
    with pytest.raises(CodeLocationError) as info:
        load_definitions(module=name, cwd=tmp_path)
    assert str(info.value) == (
        f"Cannot import code location module {name!r} from {tmp_path}: No module named "
        f"{name!r}. Check the name, or run from the project's directory."
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodeLocationError) as info:
        load_definitions(file=tmp_path / "pipeline.py")
    assert str(info.value) == f"Code location file {tmp_path / 'pipeline.py'} does not exist."


def test_module_whose_import_fails_names_file_and_line(tmp_path: Path) -> None:
    name = unique_name("pipeline")
    path = write_module(
        tmp_path,
        name,
        "from assets_core import asset\n\nRATES = {}\nDEFAULT_RATE = RATES['eur']\n",
    )
    with pytest.raises(CodeLocationError) as info:
        load_definitions(module=name, cwd=tmp_path)
    assert str(info.value) == (
        f"{path}:4: Importing code location {name} failed: KeyError: 'eur'. "
        "Fix the error in that file, then run `assetline validate`."
    )
    assert isinstance(info.value.__cause__, KeyError)


def test_module_importing_a_missing_package_names_the_import_line(tmp_path: Path) -> None:
    name = unique_name("pipeline")
    missing = unique_name("warehouse_client")
    path = write_module(tmp_path, name, f'"""Docs."""\n\nimport {missing}\n')
    with pytest.raises(CodeLocationError) as info:
        load_definitions(module=name, cwd=tmp_path)
    assert str(info.value) == (
        f"{path}:3: Importing code location {name} failed: ModuleNotFoundError: "
        f"No module named {missing!r}. Fix the error in that file, then run "
        "`assetline validate`."
    )


def test_broken_file_is_not_left_half_imported() -> None:
    with pytest.raises(CodeLocationError):
        load_definitions(file=LOCATIONS / "broken_import.py")
    assert not any(m.endswith("broken_import") for m in sys.modules)


def test_a_definition_error_at_import_is_raised_as_is() -> None:
    from assets_core.errors import InvalidKeyError

    with pytest.raises(InvalidKeyError):
        load_definitions(file=LOCATIONS / "bad_key.py")


def test_missing_package_named_like_the_module_prefix_names_the_import_line(
    tmp_path: Path,
) -> None:
    prefix = unique_name("sales")
    name = f"{prefix}_pipeline"
    path = write_module(tmp_path, name, f"import {prefix}\n")
    with pytest.raises(CodeLocationError) as info:
        load_definitions(module=name, cwd=tmp_path)
    assert str(info.value).startswith(f"{path}:1: Importing code location {name} failed: ")


def test_module_with_a_syntax_error_names_the_users_line(tmp_path: Path) -> None:
    name = unique_name("pipeline")
    path = write_module(tmp_path, name, "from assets_core import asset\n\nRATES = {'eur': 1\n")
    with pytest.raises(CodeLocationError) as info:
        load_definitions(module=name, cwd=tmp_path)
    assert str(info.value) == (
        f"{path}:3: Importing code location {name} failed: SyntaxError: '{{' was never closed. "
        "Fix the error in that file, then run `assetline validate`."
    )
    assert info.value.render().splitlines()[2:5] == [
        "  |",
        "3 | RATES = {'eur': 1",
        "  |         ^",
    ]


def test_import_failure_inside_an_installed_package_names_the_users_line(
    tmp_path: Path,
) -> None:
    name = unique_name("pipeline")
    path = write_module(tmp_path, name, "import json\n\nSETTINGS = json.loads('{')\n")
    with pytest.raises(CodeLocationError) as info:
        load_definitions(module=name, cwd=tmp_path)
    # json raised deep in the standard library; the user's line is the one to fix
    assert str(info.value).startswith(
        f"{path}:3: Importing code location {name} failed: JSONDecodeError: "
    )
