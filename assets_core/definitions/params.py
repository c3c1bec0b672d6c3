"""Reading a decorated function's parameters: which are inputs, ``context`` and
``config``, checked against ``ins=`` with file:line errors."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from assets_core.definitions.spec import AssetIn, AssetInput
from assets_core.errors import DefinitionError, SourceLocation
from assets_core.keys import AssetKey


def _parameters(fn: Callable[..., Any]) -> list[tuple[str, Any, bool, bool]]:
    """(name, annotation, is *args/**kwargs, has default) per parameter. Reads the code
    object directly for plain functions: ``inspect.signature`` is the slowest part of
    loading thousands of definitions."""
    code = getattr(fn, "__code__", None)
    if code is None or not inspect.isfunction(fn):
        return [
            (
                p.name,
                p.annotation,
                p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD),
                p.default is not p.empty,
            )
            for p in inspect.signature(fn).parameters.values()
        ]
    n = code.co_argcount + code.co_kwonlyargcount
    names = list(code.co_varnames[:n])
    variadic = [False] * n
    if code.co_flags & inspect.CO_VARARGS:
        names.insert(code.co_argcount, code.co_varnames[n])
        variadic.insert(code.co_argcount, True)
        n += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        names.append(code.co_varnames[n])
        variadic.append(True)
    annotations = getattr(fn, "__annotations__", {}) or {}
    defaults = len(fn.__defaults__ or ())
    kwdefaults = fn.__kwdefaults__ or {}
    out = []
    for i, name in enumerate(names):
        has_default = (i < code.co_argcount and i >= code.co_argcount - defaults) or (
            name in kwdefaults
        )
        out.append((name, annotations.get(name, inspect.Parameter.empty), variadic[i], has_default))
    return out


def inspect_params(
    fn: Callable[..., Any],
    ins: Mapping[str, AssetIn] | None,
    key: AssetKey,
    location: SourceLocation | None,
) -> tuple[bool, type | None, list[AssetInput]]:
    """Read a function's signature: (takes context, config dataclass, data inputs)."""
    params = _parameters(fn)
    takes_context = bool(params) and params[0][0] == "context"
    if takes_context:
        params = params[1:]
    ins = dict(ins or {})
    inputs: list[AssetInput] = []
    config_type: type | None = None
    for name, annotation, variadic, _has_default in params:
        if variadic:
            raise DefinitionError(
                f"Asset {key}: *{name} / **{name} parameters are not supported; "
                "name each upstream asset as its own parameter.",
                location=location,
            )
        if name == "context":
            raise DefinitionError(
                f"Asset {key}: 'context' must be the first parameter.", location=location
            )
        if name == "config":
            ann = annotation
            if isinstance(ann, str):
                ann = fn.__globals__.get(ann, ann)
            if not (isinstance(ann, type) and dataclasses.is_dataclass(ann)):
                raise DefinitionError(
                    f"Asset {key}: the 'config' parameter must be annotated with a "
                    "dataclass, e.g. `config: MyConfig`.",
                    location=location,
                )
            config_type = ann
            continue
        spec = ins.pop(name, None)
        if spec is not None:
            up = AssetKey.parse(spec.key) if spec.key is not None else None
            inputs.append(
                AssetInput(name, name if up is None else str(up), up, spec.partition_mapping)
            )
        else:
            inputs.append(AssetInput(name, name))
    if ins:
        raise DefinitionError(
            f"Asset {key}: ins= names {sorted(ins)} but the function has no such "
            "parameter. Add the parameter or remove it from ins=.",
            location=location,
        )
    return takes_context, config_type, inputs
