"""``@asset`` and the definition object it produces."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, overload

from typing_extensions import TypeVar

from assets_core.definitions.alerts import Webhook, check_hooks
from assets_core.definitions.params import inspect_params
from assets_core.definitions.policies import Automation, Freshness, Retry
from assets_core.definitions.spec import (
    AssetIn,
    AssetInput,
    AssetKind,
    AssetSpec,
    BackfillPolicy,
    build_spec,
    location_of,
    make_key,
    str_collection,
)
from assets_core.errors import DefinitionError, SourceLocation
from assets_core.keys import AssetKey
from assets_core.partitions.base import PartitionsDefinition

# Definitions are generic over the function's type (not a ParamSpec: mypy joins a list of
# those to list[object]), so a direct call is type-checked; sql/external ones are [None].
# A new decorator (@sensor) follows @asset: an @overload per form (bare, called) and a
# definition class Generic[FnT_co] whose __call__ is the function to the type checker.
FnT_co = TypeVar("FnT_co", covariant=True, default=Any)
FnT = TypeVar("FnT", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True, eq=False)
class AssetsDefinition(Generic[FnT_co]):
    """A computation that produces one asset (``@asset``) or several (``@multi_asset``).

    Calling it calls the decorated function, so assets stay unit-testable.

    Attributes:
        specs: One ``AssetSpec`` per produced asset.
        fn: The decorated function; None for SQL and external assets.
        inputs: The data inputs and ordering-only dependencies.
        retry, pool, backfill, required_resources, on_failure: As given to the decorator.
        takes_context: Whether ``fn``'s first parameter is ``context``.
        config_type: The dataclass of ``fn``'s ``config`` parameter, if any.
        location: Where the asset is defined (file and line).
        sql: The query of a SQL asset.
        output_names: The output names of a ``@multi_asset``, one per spec.
        observe: How an external asset is observed (``assetline observe``), or None.
    """

    specs: tuple[AssetSpec, ...]
    fn: FnT_co | None
    inputs: tuple[AssetInput, ...] = ()
    retry: Retry | None = None
    pool: str | None = None
    backfill: BackfillPolicy = "multi_run"
    required_resources: frozenset[str] = frozenset()
    takes_context: bool = False
    config_type: type | None = None
    location: SourceLocation | None = None
    sql: str | None = None
    output_names: tuple[str, ...] = ()  # multi_asset: output name per spec
    checks: tuple[Any, ...] = field(default=())
    #: An external asset's observation function (``external_asset(observe=...)``).
    observe: Callable[..., Any] | None = None
    #: Webhooks told when a step of this asset fails (``on_failure=[webhook(...)]``).
    on_failure: tuple[Webhook, ...] = ()
    _keys: tuple[AssetKey, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keys", tuple(s.key for s in self.specs))

    @property
    def key(self) -> AssetKey:
        """The key of a single-asset definition."""
        if len(self.specs) != 1:
            keys = ", ".join(str(s.key) for s in self.specs)
            raise DefinitionError(f"This multi_asset produces several keys ({keys}); use .keys.")
        return self.specs[0].key

    @property
    def keys(self) -> tuple[AssetKey, ...]:
        return self._keys

    @property
    def spec(self) -> AssetSpec:
        return self.specs[0]

    @property
    def kind(self) -> AssetKind:
        return self.specs[0].kind

    @property
    def is_multi(self) -> bool:
        return bool(self.output_names)

    @property
    def name(self) -> str:
        name = getattr(self.fn, "__name__", None)
        return name if isinstance(name, str) else str(self.specs[0].key)

    if TYPE_CHECKING:
        # To the type checker, calling the definition is calling the function.
        @property
        def __call__(self) -> FnT_co: ...

    else:

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            if self.fn is None:
                raise DefinitionError(f"{self.name} is not a Python asset and cannot be called.")
            return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<AssetsDefinition {', '.join(str(k) for k in self.keys)}>"


def dep_inputs(deps: Iterable[Any] | None, loc: SourceLocation | None) -> list[AssetInput]:
    out: list[AssetInput] = []
    for d in deps or ():
        if isinstance(d, AssetsDefinition):
            out.extend(AssetInput(None, str(k), k) for k in d.keys)
        elif isinstance(d, str) and "/" not in d:
            out.append(AssetInput(None, d))
        else:
            try:
                k = AssetKey.parse(d)
            except DefinitionError as e:
                raise e.with_location(loc or e.location) from None
            out.append(AssetInput(None, str(k), k))
    return out


@overload
def asset(fn: FnT, /) -> AssetsDefinition[FnT]: ...


@overload
def asset(
    fn: None = None,
    /,
    *,
    key: str | AssetKey | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    group: str | None = None,
    description: str | None = None,
    code_version: str | None = None,
    owners: Iterable[str] | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    partitions: PartitionsDefinition | None = None,
    io_manager: str | None = None,
    retry: Retry | None = None,
    freshness: Freshness | None = None,
    automation: Automation | None = None,
    pool: str | None = None,
    backfill: BackfillPolicy = "multi_run",
    required_resources: Iterable[str] | None = None,
    columns: Mapping[str, str] | None = None,
    column_lineage: Mapping[str, Sequence[str]] | None = None,
    on_failure: Sequence[Webhook] | None = None,
) -> Callable[[FnT], AssetsDefinition[FnT]]: ...


def asset(
    fn: Callable[..., Any] | None = None,
    *,
    key: str | AssetKey | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    group: str | None = None,
    description: str | None = None,
    code_version: str | None = None,
    owners: Iterable[str] | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    partitions: PartitionsDefinition | None = None,
    io_manager: str | None = None,
    retry: Retry | None = None,
    freshness: Freshness | None = None,
    automation: Automation | None = None,
    pool: str | None = None,
    backfill: BackfillPolicy = "multi_run",
    required_resources: Iterable[str] | None = None,
    columns: Mapping[str, str] | None = None,
    column_lineage: Mapping[str, Sequence[str]] | None = None,
    on_failure: Sequence[Webhook] | None = None,
) -> AssetsDefinition[Any] | Callable[[Callable[..., Any]], AssetsDefinition[Any]]:
    """Declare a software-defined asset computed by the decorated function.

    Args:
        key: The asset key (``"sales/daily_orders"``); defaults to the function name.
        key_prefix: Components put in front of the key.
        ins: Explicit inputs, ``{"param": AssetIn("raw/orders", partition_mapping=...)}``.
        deps: Upstream assets this one must run after, without receiving their values.
        group: The group shown in the UI and selectable as ``group:NAME``.
        description: Defaults to the docstring.
        code_version: Bump it when the logic changes; downstream becomes stale.
        owners: ``team:name`` or e-mail addresses.
        tags: String key/value pairs, selectable as ``tag:key=value``.
        metadata: Static metadata shown in the catalog (``partition_column`` for duckdb).
        partitions: A partitions definition such as ``DailyPartitions(start=...)``.
        io_manager: Name of the IO manager that stores the value (default ``fs``).
        retry: A ``Retry`` policy.
        freshness: A ``Freshness`` policy.
        automation: An ``Automation`` condition evaluated by the daemon.
        pool: A concurrency pool name limited in ``[tool.assetline.pools]``.
        backfill: ``"single_run"`` to receive a whole partition range at once.
        required_resources: Names of the resources the asset uses via ``context.resources``.
        columns: Column name -> type or description, for Python assets.
        column_lineage: Column -> upstream columns ``"up/key.column"``.
        on_failure: ``webhook(...)``s alerted when a step of this asset fails (its
            function raised or a blocking check failed) or it goes OVERDUE.

    Example::

        @asset(group="sales", code_version="2")
        def daily_orders(context, raw_orders: pd.DataFrame) -> pd.DataFrame: ...
    """

    def decorate(f: Callable[..., Any]) -> AssetsDefinition[Any]:
        if not callable(f):
            raise DefinitionError(f"@asset decorates a function, got {f!r}.")
        loc = location_of(f)
        k = make_key(f.__name__, key, key_prefix, loc)
        if backfill not in ("multi_run", "single_run"):
            raise DefinitionError(
                f"Asset {k}: backfill={backfill!r}; use 'multi_run' or 'single_run'.",
                location=loc,
            )
        if retry is not None and not isinstance(retry, Retry):
            raise DefinitionError(f"Asset {k}: retry= must be a Retry(...).", location=loc)
        if pool is not None and not isinstance(pool, str):
            raise DefinitionError(f"Asset {k}: pool= must be a pool name string.", location=loc)
        takes_context, config_type, inputs = inspect_params(f, ins, k, loc)
        inputs.extend(dep_inputs(deps, loc))
        doc = inspect.cleandoc(f.__doc__) if f.__doc__ else None
        spec = build_spec(
            k,
            location=loc,
            group=group,
            description=description or doc,
            code_version=code_version,
            owners=owners,
            tags=tags,
            metadata=metadata,
            partitions=partitions,
            io_manager=io_manager,
            freshness=freshness,
            automation=automation,
            kind="python",
            columns=columns,
            column_lineage=column_lineage,
        )
        return AssetsDefinition(
            specs=(spec,),
            fn=f,
            inputs=tuple(inputs),
            retry=retry,
            pool=pool,
            backfill=backfill,
            required_resources=frozenset(
                str_collection(required_resources, "required_resources", loc)
            ),
            takes_context=takes_context,
            config_type=config_type,
            location=loc,
            on_failure=check_hooks(on_failure, f"Asset {k}"),
        )

    if fn is not None:
        return decorate(fn)
    return decorate
