"""The public API modules re-export every public name, in a sorted ``__all__``."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

API_MODULES = ["assets_core", "assets_core.checks", "assets_core.io", "assets_core.partitions"]


def public_names(module: ModuleType) -> list[str]:
    """Names a user can import from ``module``: not private, not a submodule."""
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    ]


@pytest.mark.parametrize("name", API_MODULES)
def test_all_public_names_are_exported_in_sorted_order(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(public_names(module))
