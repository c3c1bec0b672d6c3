"""``sql_asset``: a table computed by a DuckDB query over upstream assets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assets_core.definitions.asset import (
    AssetInput,
    AssetsDefinition,
    BackfillPolicy,
    build_spec,
    caller_location,
    dep_inputs,
    make_key,
)
from assets_core.definitions.policies import Automation, Freshness, Retry
from assets_core.errors import DefinitionError, SourceLocation
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
        where = f" ({location})" if location else ""
        raise DefinitionError(f"SQL does not parse{where}: {e}".strip()) from None
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
) -> AssetsDefinition:
    """Declare an asset computed by a DuckDB SQL query.

    Its upstream assets are the tables the query reads (parsed with sqlglot); each is
    visible to the query as a table named like the asset's last key component (or
    ``schema.table`` for ``schema/table``). Column lineage is derived from the query.

    Example::

        revenue = sql_asset("revenue", "SELECT day, sum(amount) AS revenue "
                            "FROM daily_orders GROUP BY day", group="marts")
    """
    loc = caller_location()
    if not isinstance(query, str) or not query.strip():
        raise DefinitionError(f"sql_asset {name!r} ({loc}) needs a non-empty SQL query.")
    k = make_key(name, key, key_prefix, loc)
    tables = referenced_tables(query, loc)
    if not tables:
        raise DefinitionError(
            f"sql_asset {k} ({loc}) reads no table; reference its upstream assets by name "
            "in FROM / JOIN."
        )
    mappings = dict(partition_mappings or {})
    inputs = [AssetInput(None, t, None, mappings.pop(t, None)) for t in tables]
    if mappings:
        raise DefinitionError(
            f"sql_asset {k} ({loc}): partition_mappings names {sorted(mappings)} which the "
            f"query does not read (it reads {tables})."
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
        sql=query,
    )
