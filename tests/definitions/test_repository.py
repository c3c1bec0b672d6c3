"""``Definitions``: what each argument accepts, checked when it is made (at the user's
line), and the one list of built-in IO managers it shares with the graph builder."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assets_core import Definitions, MemoryIOManager, asset
from assets_core.errors import DefinitionError
from assets_core.io.registry import builtin_io_managers

ROOT = Path(__file__).resolve().parents[2] / "assets_core"


@pytest.mark.parametrize("name", sorted(builtin_io_managers(Path("unused"))))
def test_every_builtin_io_manager_is_known_to_definitions_and_the_graph(name: str) -> None:
    @asset(io_manager=name)
    def orders() -> list[int]:
        return [1]

    defs = Definitions(assets=[orders], default_io_manager=name)
    assert defs.graph.get("orders").spec.io_manager == name


def test_a_registered_io_manager_can_be_the_default() -> None:
    defs = Definitions(io_managers={"scratch": MemoryIOManager()}, default_io_manager="scratch")
    assert defs.default_io_manager == "scratch"


def test_an_io_manager_that_is_not_one_is_rejected_where_definitions_is_made() -> None:
    with pytest.raises(DefinitionError) as info:
        Definitions(io_managers={"warehouse": MemoryIOManager})  # type: ignore[dict-item]
    assert info.tb is not None
    assert str(info.value) == (
        f"{__file__}:{info.tb.tb_lineno}: Definitions(io_managers={{'warehouse': ...}}) is "
        "<class 'assets_core.io.memory.MemoryIOManager'> (ABCMeta), not an IOManager. It is "
        "the class itself: pass an instance, MemoryIOManager(...)."
    )


@pytest.mark.parametrize("argument", ["assets", "checks", "schedules", "sensors"])
def test_a_single_object_instead_of_a_list_is_rejected(argument: str) -> None:
    with pytest.raises(DefinitionError) as info:
        Definitions(**{argument: 42})  # type: ignore[arg-type]
    assert info.value.problem == f"Definitions({argument}=...) is 42, not a list."
    assert info.value.suggestion == f"Pass a list: Definitions({argument}=[...])."


@pytest.mark.parametrize(
    ("argument", "noun"), [("schedules", "a Schedule"), ("sensors", "a sensor")]
)
def test_other_objects_in_schedules_or_sensors_are_rejected(argument: str, noun: str) -> None:
    with pytest.raises(DefinitionError) as info:
        Definitions(**{argument: [42]})  # type: ignore[arg-type]
    assert info.value.problem == f"Definitions({argument}=...) holds 42, which is not {noun}."


def _module_level_imports(path: Path) -> set[str]:
    """The ``assets_core`` modules ``path`` imports when it is imported (not those
    imported inside functions or under ``TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("assets_core")}


def test_the_graph_builder_does_not_import_definitions() -> None:
    """``Definitions`` builds its graph with ``graph.build``; the builder must not import
    ``definitions.repository`` back (the list of IO managers lives in ``io.registry``)."""
    build = _module_level_imports(ROOT / "graph" / "build.py")
    registry = _module_level_imports(ROOT / "io" / "registry.py")
    assert "assets_core.definitions.repository" not in build | registry
    assert "assets_core.graph.build" in _module_level_imports(
        ROOT / "definitions" / "repository.py"
    )
