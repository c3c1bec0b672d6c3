"""``@multi_asset``: one function that produces several assets."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assets_core.definitions.asset import AssetsDefinition, FnT, dep_inputs
from assets_core.definitions.params import inspect_params
from assets_core.definitions.policies import Automation, Freshness, Retry
from assets_core.definitions.spec import AssetIn, build_spec, location_of, make_key
from assets_core.errors import DefinitionError
from assets_core.keys import AssetKey
from assets_core.partitions.base import PartitionsDefinition


@dataclass(frozen=True, slots=True)
class AssetOut:
    """One output of a ``@multi_asset``; options default to the multi_asset's.

    Attributes:
        key: The output's asset key; defaults to the output's name (with key_prefix).
        group: The output's group.
        description: Defaults to the function's docstring.
        code_version: The output's code version.
        io_manager: Name of the IO manager that stores this output.
        owners: ``team:name`` or e-mail addresses.
        tags: String key/value pairs.
        metadata: Static metadata shown in the catalog.
        freshness: A ``Freshness`` policy of this output.
    """

    key: str | AssetKey | None = None
    group: str | None = None
    description: str | None = None
    code_version: str | None = None
    io_manager: str | None = None
    owners: tuple[str, ...] | None = None
    tags: Mapping[str, str] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    freshness: Freshness | None = None


def multi_asset(
    *,
    outs: Mapping[str, AssetOut],
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    group: str | None = None,
    code_version: str | None = None,
    owners: Iterable[str] | None = None,
    tags: Mapping[str, str] | None = None,
    partitions: PartitionsDefinition | None = None,
    io_manager: str | None = None,
    retry: Retry | None = None,
    automation: Automation | None = None,
    pool: str | None = None,
    required_resources: Iterable[str] | None = None,
) -> Callable[[FnT], AssetsDefinition[FnT]]:
    """Declare several assets computed by one function.

    The function returns a tuple (one value per output, in ``outs`` order) or a dict
    keyed by output name; a value may be an ``Output(value, metadata=...)``.

    Args:
        outs: The outputs by name, ``{"customers": AssetOut(), ...}`` (at least one).
        ins: Explicit inputs, ``{"param": AssetIn("raw/orders", partition_mapping=...)}``.
        deps: Upstream assets to run after, without receiving their values.
        key_prefix: Components put in front of every output's key.
        group: The default group of the outputs.
        code_version: The default code version of the outputs.
        owners: The default owners (``team:name`` or e-mail addresses).
        tags: The default tags.
        partitions: The partitions definition shared by every output.
        io_manager: The default IO manager of the outputs.
        retry: A ``Retry`` policy for the function.
        automation: An ``Automation`` condition evaluated by the daemon.
        pool: A concurrency pool name limited in ``[tool.assetline.pools]``.
        required_resources: Names of the resources used via ``context.resources``.

    Example::

        @multi_asset(outs={"customers": AssetOut(), "addresses": AssetOut()})
        def split_crm(raw_crm): return customers_df, addresses_df
    """

    def decorate(f: FnT) -> AssetsDefinition[FnT]:
        loc = location_of(f)
        if not outs:
            raise DefinitionError(
                f"@multi_asset {f.__name__} needs at least one out.", location=loc
            )
        specs = []
        doc = inspect.cleandoc(f.__doc__) if f.__doc__ else None
        for name, out in outs.items():
            if not isinstance(out, AssetOut):
                raise DefinitionError(
                    f"@multi_asset {f.__name__}: outs[{name!r}] must be AssetOut(...).",
                    location=loc,
                    highlight=name,
                )
            k = make_key(name, out.key, key_prefix, loc)
            specs.append(
                build_spec(
                    k,
                    location=loc,
                    group=out.group or group,
                    description=out.description or doc,
                    code_version=out.code_version or code_version,
                    owners=out.owners if out.owners is not None else owners,
                    tags=out.tags if out.tags is not None else tags,
                    metadata=out.metadata,
                    partitions=partitions,
                    io_manager=out.io_manager or io_manager,
                    freshness=out.freshness,
                    automation=automation,
                    kind="python",
                )
            )
        takes_context, config_type, inputs = inspect_params(f, ins, specs[0].key, loc)
        inputs.extend(dep_inputs(deps, loc))
        return AssetsDefinition(
            specs=tuple(specs),
            fn=f,
            inputs=tuple(inputs),
            retry=retry,
            pool=pool,
            required_resources=frozenset(required_resources or ()),
            takes_context=takes_context,
            config_type=config_type,
            location=loc,
            output_names=tuple(outs),
        )

    return decorate
