"""``@asset_check`` and ``CheckResult``: data-quality checks that run after an asset."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal

from assets_core.definitions.asset import AssetsDefinition, FnT, FnT_co
from assets_core.definitions.spec import AssetIn, location_of
from assets_core.errors import DefinitionError, SourceLocation
from assets_core.keys import AssetKey

Severity = Literal["error", "warn"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of a check, returned by the check function.

    Attributes:
        passed: True or False (a numpy bool is accepted; a Series is not).
        metadata: What to record and show, e.g. ``{"bad_rows": 3}``; made JSON-safe.
        severity: Overrides the check's severity for this result when set.
        description: One line saying what was found, e.g. ``"3 negative amounts"``.
    """

    passed: bool
    metadata: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class AssetCheckDefinition(Generic[FnT_co]):
    """A check of one asset. ``fn`` receives the asset's value as its parameter named
    like the asset (or its first data parameter), and optionally ``context``.

    Generic over the function's type like ``AssetsDefinition``: calling the check calls
    the function, type-checked.

    Attributes:
        name: The check's name, unique per asset.
        asset_key: The checked asset.
        fn: The check function.
        severity: ``"error"`` or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        description: What the check verifies.
        takes_context: Whether ``fn``'s first parameter is ``context``.
        value_param: The parameter receiving the asset's value (None: not read).
        required_resources: Resource keys the check reads.
        location: Where the check is defined (file and line).
        additional_ins: ``(parameter, asset key)`` of the other assets the check reads;
            the checked asset's step runs after them.
        columns: ``(parameter or "", column)``: the columns the check reads, of the
            checked asset ("") or of an ``additional_ins`` asset; ``assetline validate``
            verifies them where the asset's columns are declared or derivable.
    """

    name: str
    asset_key: AssetKey
    fn: FnT_co
    severity: Severity = "error"
    blocking: bool = False
    description: str | None = None
    takes_context: bool = False
    value_param: str | None = None
    required_resources: frozenset[str] = frozenset()
    location: SourceLocation | None = None
    additional_ins: tuple[tuple[str, AssetKey], ...] = ()
    columns: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """Unique within a code location: ``asset/key:check_name``."""
        return f"{self.asset_key}:{self.name}"

    @property
    def needs_value(self) -> bool:
        """Whether the check reads the asset's value; when False (``freshness``), the
        runner may skip loading it and pass ``None``."""
        return self.value_param is not None

    if TYPE_CHECKING:

        @property
        def __call__(self) -> FnT_co: ...

    else:

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return self.fn(*args, **kwargs)


def validate_check_options(
    severity: object, blocking: object, what: str, location: SourceLocation | None
) -> None:
    """Raise a ``DefinitionError`` naming the check ``what`` and its ``location`` for a
    bad ``severity`` or ``blocking``."""
    if severity not in ("error", "warn"):
        raise DefinitionError(
            f"Check {what}: severity={severity!r}; use 'error' or 'warn'.",
            location=location,
            highlight="severity",
        )
    if not isinstance(blocking, bool):
        raise DefinitionError(
            f"Check {what}: blocking= must be True or False.",
            location=location,
            highlight="blocking",
        )


def asset_check(
    *,
    asset: str | AssetKey | AssetsDefinition,
    name: str | None = None,
    blocking: bool = False,
    severity: Severity = "error",
    description: str | None = None,
    required_resources: Iterable[str] | None = None,
    additional_ins: Mapping[str, AssetIn] | None = None,
) -> Callable[[FnT], AssetCheckDefinition[FnT]]:
    """Declare a check of ``asset``, run right after it materializes.

    The function takes the asset's value (one parameter, any name) and optionally
    ``context`` (a ``CheckContext``) first, and returns a ``CheckResult``. With
    ``additional_ins`` it also receives other assets' values (dbt's ``relationships``
    needs the parent table): the checked asset then runs after them.

    Args:
        asset: The checked asset: a key ``"a/b"`` or the asset definition.
        name: The check's name; defaults to the function's.
        blocking: Whether a failure with severity ``error`` skips everything downstream.
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        description: Defaults to the function's docstring.
        required_resources: Resource keys the check reads from ``context.resources``.
        additional_ins: Parameter name -> ``AssetIn("key")`` of another asset whose
            stored value the check receives (unpartitioned, or partitioned like the
            checked asset: then the same partition).

    Example::

        @asset_check(asset="daily_orders", blocking=True)
        def no_negative_amounts(daily_orders: pd.DataFrame) -> CheckResult:
            return CheckResult(passed=bool((daily_orders.amount >= 0).all()))
    """

    def decorate(fn: FnT) -> AssetCheckDefinition[FnT]:
        loc = location_of(fn)
        check_name = name or fn.__name__
        validate_check_options(severity, blocking, check_name, loc)
        key = AssetKey.parse(asset)
        params = list(inspect.signature(fn).parameters)
        takes_context = bool(params) and params[0] == "context"
        extra = _additional_ins(additional_ins, params, check_name, loc)
        data_params = [p for p in (params[1:] if takes_context else params) if p not in extra]
        if len(data_params) > 1:
            raise DefinitionError(
                f"Check {check_name} takes {data_params}; a check receives only the "
                f"value of {key} (one parameter), optionally `context` first, and the "
                "parameters named in additional_ins=.",
                location=loc,
            )
        doc = inspect.cleandoc(fn.__doc__) if fn.__doc__ else None
        return AssetCheckDefinition(
            name=check_name,
            asset_key=key,
            fn=fn,
            severity=severity,
            blocking=blocking,
            description=description or doc,
            takes_context=takes_context,
            value_param=data_params[0] if data_params else None,
            required_resources=frozenset(required_resources or ()),
            location=loc,
            additional_ins=tuple(extra.items()),
        )

    return decorate


def _additional_ins(
    ins: Mapping[str, AssetIn] | None, params: list[str], check: str, loc: SourceLocation | None
) -> dict[str, AssetKey]:
    """``additional_ins=`` as parameter -> key; each must name a parameter."""
    out: dict[str, AssetKey] = {}
    for param, asset_in in (ins or {}).items():
        if not isinstance(asset_in, AssetIn):
            raise DefinitionError(
                f"Check {check}: additional_ins[{param!r}] must be AssetIn('key'), got "
                f"{asset_in!r}.",
                location=loc,
                highlight="additional_ins",
            )
        if param not in params or param == "context":
            raise DefinitionError(
                f"Check {check}: additional_ins names {param!r}, which is not a parameter "
                f"of the function (it takes {params}). Add the parameter or rename the key.",
                location=loc,
                highlight="additional_ins",
            )
        out[param] = AssetKey.parse(asset_in.key if asset_in.key is not None else param)
    return out
