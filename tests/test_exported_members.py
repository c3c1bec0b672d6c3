"""The public API modules re-export every public name, in a sorted ``__all__``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

API_MODULES = ["assets_core", "assets_core.checks", "assets_core.io", "assets_core.partitions"]


def public_names(module: ModuleType) -> list[str]:
    """Names a user can import from ``module``: not private, not a submodule (``dir``
    lists the names ``assets_core`` imports on first use too)."""
    return [
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), ModuleType)
    ]


@pytest.mark.parametrize("name", API_MODULES)
def test_all_public_names_are_exported_in_sorted_order(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(public_names(module))


def test_the_api_imports_each_name_on_first_use() -> None:
    import assets_core

    exports = vars(assets_core)["_EXPORTS"]
    assert sorted(exports) == assets_core.__all__
    for name, module in exports.items():
        assert getattr(assets_core, name) is getattr(importlib.import_module(module), name)
    with pytest.raises(AttributeError, match="no attribute 'Asset'"):
        assets_core.Asset  # noqa: B018 - the attribute access is the test
    # What type checkers read (the imports under TYPE_CHECKING) names the same modules.
    tree = ast.parse(Path(assets_core.__file__ or "").read_text())
    typed = {
        alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == exports
