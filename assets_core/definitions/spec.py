"""What an asset is, apart from how it is computed: its spec (key, group, policies,
columns...), its inputs, and the helpers the decorators share to build them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from assets_core.definitions.policies import Automation, Freshness
from assets_core.errors import DefinitionError, SourceLocation
from assets_core.keys import AssetKey
from assets_core.partitions.base import PartitionMapping, PartitionsDefinition

AssetKind = Literal["python", "sql", "external"]
BackfillPolicy = Literal["multi_run", "single_run"]


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


def str_collection(
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
    owners_t = str_collection(owners, "owners", location)
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
    lineage = {c: tuple(srcs) for c, srcs in column_lineage.items()} if column_lineage else None
    return AssetSpec(
        key=key,
        group=group or "default",
        description=description,
        code_version=code_version,
        owners=owners_t,
        tags=_frozen(tags),
        metadata=_frozen(metadata),
        partitions=partitions,
        io_manager=io_manager,
        freshness=freshness,
        automation=automation,
        kind=kind,
        columns=_frozen(columns),
        column_lineage=_frozen(lineage),
    )


#: Shared by every spec without tags, metadata, columns or lineage (it is read-only).
_NO_ENTRIES: Mapping[str, Any] = MappingProxyType({})


def _frozen(entries: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy of ``entries`` (one shared empty mapping for none)."""
    return MappingProxyType(dict(entries)) if entries else _NO_ENTRIES
