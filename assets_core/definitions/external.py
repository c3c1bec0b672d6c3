"""``external_asset``: data produced outside Assetline, shown in lineage."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from assets_core.definitions.asset import AssetsDefinition, dep_inputs
from assets_core.definitions.policies import Freshness
from assets_core.definitions.spec import build_spec, make_key
from assets_core.errors import DefinitionError, caller_location
from assets_core.partitions.base import PartitionsDefinition


def external_asset(
    key: str | Sequence[str],
    *,
    deps: Iterable[Any] | None = None,
    group: str | None = None,
    description: str | None = None,
    owners: Iterable[str] | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    partitions: PartitionsDefinition | None = None,
    io_manager: str | None = None,
    freshness: Freshness | None = None,
    columns: Mapping[str, str] | None = None,
    observe: Callable[..., Any] | None = None,
) -> AssetsDefinition[None]:
    """Declare an asset produced outside Assetline: observed, never materialized.

    Downstream assets may read it when an IO manager can load it (``io_manager=``),
    and it appears in lineage. Its status is MISSING ("never observed") until it is
    observed: by ``observe=`` (run by ``assetline observe``) or by the producer
    through the GraphQL mutation ``reportMaterialization``.

    Args:
        key: The asset key, ``"raw/events"``.
        deps: Upstream assets it is derived from, shown in lineage.
        group: The group shown in the UI and selectable as ``group:NAME``.
        description: What the data is and who produces it.
        owners: ``team:name`` or e-mail addresses.
        tags: String key/value pairs, selectable as ``tag:key=value``.
        metadata: Static metadata shown in the catalog.
        partitions: The partitions the data arrives in.
        io_manager: Name of the IO manager that loads it for downstream assets.
        freshness: A ``Freshness`` policy: how recent an observation must be.
        columns: Column name -> type or description.
        observe: A function (optionally taking an ``ObserveContext`` as ``context``)
            returning an ``Observation`` (data version and metadata) or a data version
            string; ``assetline observe`` runs it and records what it returns.

    Example::

        raw_events = external_asset("raw/events", group="raw", owners=["team:platform"])
    """
    loc = caller_location()
    if observe is not None and not callable(observe):
        raise DefinitionError(
            f"external_asset {key!r}: observe= must be a function returning an "
            f"Observation, got {type(observe).__name__}.",
            location=loc,
            highlight="observe",
        )
    k = make_key(str(key).rsplit("/", 1)[-1], key, None, loc)
    spec = build_spec(
        k,
        location=loc,
        group=group,
        description=description,
        code_version=None,
        owners=owners,
        tags=tags,
        metadata=metadata,
        partitions=partitions,
        io_manager=io_manager,
        freshness=freshness,
        automation=None,
        kind="external",
        columns=columns,
    )
    return AssetsDefinition(
        specs=(spec,),
        fn=None,
        inputs=tuple(dep_inputs(deps, loc)),
        location=loc,
        observe=observe,
    )
