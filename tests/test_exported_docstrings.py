"""Every public callable of the API has a Google-style docstring, with ``Args:`` when
it takes parameters (``Attributes:`` also documents a class's fields)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest

API_MODULES = ["assets_core", "assets_core.checks", "assets_core.testing"]


def exported(module_name: str) -> list[tuple[str, Any]]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:  # a module without __all__: what it defines
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module_name
        ]
    return [
        (f"{module_name}.{n}", getattr(module, n))
        for n in names
        if inspect.isclass(getattr(module, n)) or inspect.isfunction(getattr(module, n))
    ]


CALLABLES = sorted({qualname: obj for m in API_MODULES for qualname, obj in exported(m)}.items())


def own_parameters(obj: Callable[..., Any]) -> list[str]:
    """The parameters a user passes: a function's; a class's own ``__init__``'s or fields'
    (an inherited constructor is documented where it is defined)."""
    if inspect.isclass(obj):
        if dataclasses.is_dataclass(obj):
            own = inspect.get_annotations(obj)
            return [f.name for f in dataclasses.fields(obj) if f.init and f.name in own]
        if "__init__" not in obj.__dict__:
            return []
        fn: Callable[..., Any] = obj.__dict__["__init__"]
        skip = 1
    else:
        fn, skip = obj, 0
    params = list(inspect.signature(fn).parameters.values())[skip:]
    return [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


@pytest.mark.parametrize(("name", "obj"), CALLABLES, ids=[n for n, _ in CALLABLES])
def test_public_callable_is_documented(name: str, obj: Callable[..., Any]) -> None:
    doc = inspect.getdoc(obj) if obj.__doc__ else None
    assert doc, f"{name} has no docstring"
    params = own_parameters(obj)
    if params:
        assert "Args:" in doc or (inspect.isclass(obj) and "Attributes:" in doc), (
            f"{name}({', '.join(params)}) documents no parameters: add an `Args:` section."
        )
