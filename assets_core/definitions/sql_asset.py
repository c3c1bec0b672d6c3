"""``sql_asset``: a table computed by a DuckDB query over upstream assets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assets_core.definitions.alerts import Webhook, check_hooks
from assets_core.definitions.asset import AssetsDefinition, dep_inputs
from assets_core.definitions.policies import Automation, Freshness, Retry
from assets_core.definitions.spec import AssetInput, BackfillPolicy, build_spec, make_key
from assets_core.errors import DefinitionError, SourceLocation, caller_location
from assets_core.keys import AssetKey
from assets_core.partitions.base import PartitionMapping, PartitionsDefinition


def referenced_tables(query: str, location: SourceLocation | None = None) -> list[str]:
    """The tables a query reads, as asset names (``a/b`` for ``a.b``), in order of first
    appearance. Found through sqlglot's scopes: a CTE is not a table, but a CTE named
    like the table it reads (``WITH orders AS (SELECT ... FROM orders)``) reads it.

    Args:
        query: A DuckDB query.
        location: Where it was written, for the error message.

    Raises:
        DefinitionError: The query does not parse.
    """
    from assets_core.lineage.sql import SqlLineageError, analyze

    try:
        analysis = analyze(query)
    except SqlLineageError as e:
        raise DefinitionError(f"SQL does not parse: {e}".strip(), location=location) from None
    return [name.replace(".", "/") for name in analysis.tables]


def sql_asset(
    name: str,
    query: str,
    *,
    key: str | AssetKey | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Iterable[Any] | None = None,
    partition_mappings: Mapping[str, PartitionMapping] | None = None,
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
    on_failure: Sequence[Webhook] | None = None,
) -> AssetsDefinition[None]:
    """Declare an asset computed by a DuckDB SQL query.

    Its upstream assets are the tables the query reads (parsed with sqlglot); each is
    visible to the query as a table named like the asset's last key component (or
    ``schema.table`` for ``schema/table``). Column lineage is derived from the query.

    Args:
        name: The asset's name or key path (``"revenue"``, ``"marts/revenue"``): its
            key, unless ``key=`` is given.
        query: A DuckDB ``SELECT``; the tables it reads are its upstream assets.
        key: The asset key, e.g. ``"marts/revenue"``; defaults to ``name``.
        key_prefix: Components put in front of the key.
        deps: Other upstream assets to run after, which the query does not read.
        partition_mappings: How the partitions of a table the query reads map onto
            this asset's, by table name.
        group: The group shown in the UI and selectable as ``group:NAME``.
        description: What the table holds.
        code_version: Bump it when the query's logic changes.
        owners: ``team:name`` or e-mail addresses.
        tags: String key/value pairs, selectable as ``tag:key=value``.
        metadata: Static metadata (``partition_column`` for partitioned tables).
        partitions: A partitions definition such as ``DailyPartitions(start=...)``.
        io_manager: Name of the IO manager that stores the result (default ``fs``).
        retry: A ``Retry`` policy.
        freshness: A ``Freshness`` policy.
        automation: An ``Automation`` condition evaluated by the daemon.
        pool: A concurrency pool name limited in ``[tool.assetline.pools]``.
        backfill: ``"single_run"`` to query a whole partition range at once.
        on_failure: ``webhook(...)``s alerted when it fails or goes OVERDUE.

    Example::

        revenue = sql_asset("revenue", "SELECT day, sum(amount) AS revenue "
                            "FROM daily_orders GROUP BY day", group="marts")
    """
    loc = caller_location()
    if not isinstance(query, str) or not query.strip():
        raise DefinitionError(f"sql_asset {name!r} needs a non-empty SQL query.", location=loc)
    # The name may be a key path ("marts/revenue"), the canonical form everywhere else.
    k = make_key(name, key if key is not None else name, key_prefix, loc)
    tables = referenced_tables(query, loc)
    if not tables:
        raise DefinitionError(
            f"sql_asset {k} reads no table; reference its upstream assets by name in FROM / JOIN.",
            location=loc,
        )
    mappings = dict(partition_mappings or {})
    inputs = [AssetInput(None, t, None, mappings.pop(t, None)) for t in tables]
    if mappings:
        raise DefinitionError(
            f"sql_asset {k}: partition_mappings names {sorted(mappings)} which the "
            f"query does not read (it reads {tables}).",
            location=loc,
            highlight="partition_mappings",
        )
    inputs.extend(dep_inputs(deps, loc))
    spec = build_spec(
        k,
        location=loc,
        group=group,
        description=description,
        code_version=code_version,
        owners=owners,
        tags=tags,
        metadata=metadata,
        partitions=partitions,
        io_manager=io_manager,
        freshness=freshness,
        automation=automation,
        kind="sql",
    )
    return AssetsDefinition(
        specs=(spec,),
        fn=None,
        inputs=tuple(inputs),
        retry=retry,
        pool=pool,
        backfill=backfill,
        location=loc,
        on_failure=check_hooks(on_failure, f"sql_asset {k}"),
        sql=query,
    )
