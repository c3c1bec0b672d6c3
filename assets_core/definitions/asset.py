"""``@asset``, ``AssetIn`` and the definition object they produce."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, Literal, overload

from typing_extensions import TypeVar

from assets_core.definitions.alerts import Webhook, check_hooks
from assets_core.definitions.policies import Automation, Freshness, Retry
from assets_core.errors import DefinitionError, SourceLocation
from assets_core.keys import AssetKey
from assets_core.partitions.base import PartitionMapping, PartitionsDefinition

AssetKind = Literal["python", "sql", "external"]
BackfillPolicy = Literal["multi_run", "single_run"]

# Definitions are generic over the function's type (not a ParamSpec: mypy joins a list of
# those to list[object]), so a direct call is type-checked; sql/external ones are [None].
# A new decorator (@sensor) follows @asset: an @overload per form (bare, called) and a
# definition class Generic[FnT_co] whose __call__ is the function to the type checker.
FnT_co = TypeVar("FnT_co", covariant=True, default=Any)
FnT = TypeVar("FnT", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class AssetIn:
    """An explicit input: which upstream asset a parameter receives, and how its
    partitions map onto this asset's partitions.

    Attributes:
        key: The upstream asset's key; None keeps the parameter's name.
        partition_mapping: How upstream partitions map onto this asset's.
    """

    key: str | AssetKey | None = None
    partition_mapping: PartitionMapping | None = None


@dataclass(frozen=True, slots=True)
class AssetInput:
    """One data input of a definition. ``key`` is None until the graph resolves
    ``name`` (a parameter named like an upstream asset's last key component)."""

    param: str | None  # None for an ordering-only dependency (deps=) or a SQL table
    name: str
    key: AssetKey | None = None
    partition_mapping: PartitionMapping | None = None


@dataclass(frozen=True, slots=True)
class AssetSpec:
    """Everything the catalog and the UI know about one asset.

    Attributes:
        key: The asset key.
        group, description, code_version, owners, tags, metadata, partitions,
            io_manager, freshness, automation, columns, column_lineage: The options
            given to ``@asset`` (see its arguments), validated.
        kind: ``"python"``, ``"sql"`` or ``"external"``.
    """

    key: AssetKey
    group: str = "default"
    description: str | None = None
    code_version: str | None = None
    owners: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    partitions: PartitionsDefinition | None = None
    io_manager: str | None = None
    freshness: Freshness | None = None
    automation: Automation | None = None
    kind: AssetKind = "python"
    columns: Mapping[str, str] = field(default_factory=dict)  # column name -> dtype / description
    column_lineage: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # column -> ("up/key.col", ...)


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


def location_of(fn: Callable[..., Any]) -> SourceLocation | None:
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    return SourceLocation(code.co_filename, code.co_firstlineno)


def make_key(
    default_name: str,
    key: str | AssetKey | Sequence[str] | None,
    key_prefix: str | Sequence[str] | None,
    location: SourceLocation | None,
) -> AssetKey:
    try:
        base = AssetKey.parse(key) if key is not None else AssetKey((default_name,))
        if key_prefix:
            prefix = key_prefix.split("/") if isinstance(key_prefix, str) else list(key_prefix)
            base = base.with_prefix(tuple(prefix))
        return base
    except DefinitionError as e:
        raise e.with_location(location or e.location) from None


def _check_str_collection(
    value: Iterable[str] | None, what: str, loc: SourceLocation | None
) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    out = tuple(value)
    for v in out:
        if not isinstance(v, str):
            raise DefinitionError(f"{what} must be strings, got {v!r}.", location=loc)
    return out


def validate_owner(owner: str, loc: SourceLocation | None, key: AssetKey | None = None) -> None:
    if owner.startswith("team:") and len(owner) > 5:
        return
    if "@" in owner and "." in owner.split("@")[-1] and " " not in owner:
        return
    raise DefinitionError(
        f"Invalid owner {owner!r}{f' of asset {key}' if key else ''}: use "
        "'team:<name>' or an e-mail address.",
        location=loc,
    )


def build_spec(
    key: AssetKey,
    *,
    location: SourceLocation | None,
    group: str | None,
    description: str | None,
    code_version: str | None,
    owners: Iterable[str] | None,
    tags: Mapping[str, str] | None,
    metadata: Mapping[str, Any] | None,
    partitions: PartitionsDefinition | None,
    io_manager: str | None,
    freshness: Freshness | None,
    automation: Automation | None,
    kind: AssetKind,
    columns: Mapping[str, str] | None = None,
    column_lineage: Mapping[str, Sequence[str]] | None = None,
) -> AssetSpec:
    """Validate the options shared by every definition factory and build a spec."""
    if group is not None and (not isinstance(group, str) or not group.replace("_", "").isalnum()):
        raise DefinitionError(
            f"Invalid group {group!r} for {key}: use [A-Za-z0-9_]+.", location=location
        )
    owners_t = _check_str_collection(owners, "owners", location)
    for o in owners_t:
        validate_owner(o, location, key)
    if tags is not None:
        if not isinstance(tags, Mapping):
            raise DefinitionError(f"tags of {key} must be a dict of str to str.", location=location)
        for k, v in tags.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise DefinitionError(
                    f"Tag {k!r}={v!r} of {key}: tag keys and values must be strings.",
                    location=location,
                )
    if metadata is not None and not isinstance(metadata, Mapping):
        raise DefinitionError(f"metadata of {key} must be a dict.", location=location)
    if partitions is not None and not isinstance(partitions, PartitionsDefinition):
        raise DefinitionError(
            f"partitions= of {key} must be a partitions definition such as "
            f"DailyPartitions(start='2024-01-01'), got {partitions!r}.",
            location=location,
        )
    if code_version is not None and not isinstance(code_version, str):
        raise DefinitionError(
            f"code_version of {key} must be a string, e.g. '2'.", location=location
        )
    if io_manager is not None and not isinstance(io_manager, str):
        raise DefinitionError(
            f"io_manager of {key} must be a name such as 'fs'.", location=location
        )
    if freshness is not None and not isinstance(freshness, Freshness):
        raise DefinitionError(
            f"freshness= of {key} must be Freshness(max_lag='26h').", location=location
        )
    if automation is not None and not isinstance(automation, Automation):
        raise DefinitionError(
            f"automation= of {key} must be Automation.eager(), .on_cron(...) or .on_missing().",
            location=location,
        )
    lineage = {c: tuple(srcs) for c, srcs in (column_lineage or {}).items()}
    return AssetSpec(
        key=key,
        group=group or "default",
        description=description,
        code_version=code_version,
        owners=owners_t,
        tags=MappingProxyType(dict(tags or {})),
        metadata=MappingProxyType(dict(metadata or {})),
        partitions=partitions,
        io_manager=io_manager,
        freshness=freshness,
        automation=automation,
        kind=kind,
        columns=MappingProxyType(dict(columns or {})),
        column_lineage=MappingProxyType(lineage),
    )


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
                _check_str_collection(required_resources, "required_resources", loc)
            ),
            takes_context=takes_context,
            config_type=config_type,
            location=loc,
            on_failure=check_hooks(on_failure, f"Asset {k}"),
        )

    if fn is not None:
        return decorate(fn)
    return decorate
