"""Run configuration: build each asset's config dataclass from the run's config dict,
with usage errors that name the asset and the field."""

from __future__ import annotations

import dataclasses
import json
import tomllib
import typing
from pathlib import Path
from typing import Any

from assets_core.errors import ConfigError


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read ``--config FILE.json|FILE.toml``: ``{"asset_key": {"field": value}}``."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"Config file {p} does not exist.")
    try:
        if p.suffix == ".toml":
            with p.open("rb") as f:
                data = tomllib.load(f)
        elif p.suffix == ".json":
            data = json.loads(p.read_text())
        else:
            raise ConfigError(f"Config file {p}: use a .json or .toml file.")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"Config file {p} does not parse: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"Config file {p} must hold an object keyed by asset key.")
    return data


_SIMPLE = {int: (int,), float: (int, float), str: (str,), bool: (bool,)}


def _type_ok(value: Any, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if tp is Any:
        return True
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return any(_type_ok(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp in _SIMPLE:
        if isinstance(value, bool) and tp is not bool:
            return False
        return isinstance(value, _SIMPLE[tp])
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(tp)
        return isinstance(value, (list, tuple)) and (
            not args or all(_type_ok(v, args[0]) for v in value)
        )
    if origin is dict or tp is dict:
        return isinstance(value, dict)
    if origin is typing.Literal:
        return value in typing.get_args(tp)
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True


def build_config(config_type: type, raw: Any, asset_key: str) -> Any:
    """An instance of ``config_type`` from its defaults overlaid with ``raw``."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"Config for asset {asset_key} must be an object, got {raw!r}.")
    hints = typing.get_type_hints(config_type)
    fields = {f.name: f for f in dataclasses.fields(config_type)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(
            f"Unknown config field {unknown[0]!r} for asset {asset_key}; its fields are "
            f"{', '.join(fields) or 'none'}."
        )
    values = {}
    for name, f in fields.items():
        if name in raw:
            value = raw[name]
            tp = hints.get(name, Any)
            if isinstance(value, list) and typing.get_origin(tp) is tuple:
                value = tuple(value)
            if not _type_ok(value, tp):
                raise ConfigError(
                    f"Config field {name!r} of asset {asset_key} must be "
                    f"{getattr(tp, '__name__', tp)}, got {value!r}."
                )
            values[name] = value
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(
                f"Missing config field {name!r} for asset {asset_key}: it has no default. "
                f'Pass it with --config FILE ({{"{asset_key}": {{"{name}": ...}}}}).'
            )
    return config_type(**values)


def config_schema(config_type: type) -> dict[str, Any]:
    """JSON description of a config dataclass: field -> {type, default}."""
    hints = typing.get_type_hints(config_type)
    out = {}
    for f in dataclasses.fields(config_type):
        default: Any = None
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        tp = hints.get(f.name)
        out[f.name] = {
            "type": getattr(tp, "__name__", str(tp)),
            "default": default,
            "required": f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING,
        }
    return out
