"""The ``relationships`` built-in (dbt's test of the same name): every value of a
column is found in a column of another asset — a foreign key that points somewhere.
The check reads the other asset (``additional_ins``), so it runs after both assets."""

from __future__ import annotations

from typing import Any

from assets_core.checks.check import (
    AssetCheckDefinition,
    CheckResult,
    Severity,
    validate_check_options,
)
from assets_core.checks.runner import CheckContext, to_json_safe
from assets_core.checks.tabular import frame_of, ident, missing_columns
from assets_core.definitions.asset import AssetsDefinition
from assets_core.errors import DefinitionError, ExecutionError, caller_location
from assets_core.keys import AssetKey

_MAX_SHOWN = 20
#: The parameter the other asset's value arrives in.
_PARENT = "parent"


def relationships(
    asset: str | AssetKey | AssetsDefinition,
    column: str,
    *,
    to: str | AssetKey | AssetsDefinition,
    field: str,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check that every non-null value of ``column`` appears in ``field`` of the asset
    ``to`` (``orders.customer_id`` in ``customers.id``). Runs in DuckDB, after both
    assets, whatever the order of the ``Definitions`` list.

    Args:
        asset: The checked asset (the child): a key ``"a/b"`` or its definition.
        column: Its column holding the references.
        to: The referenced asset (the parent): a key or its definition.
        field: The parent's column the references point at.
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to ``relationships_<column>_<parent name>``.

    Metadata: ``orphan_rows``, ``orphan_distinct`` and ``orphan_values`` (the most
    frequent values not found, with counts, at most 20).
    """
    location = caller_location()
    key, parent = AssetKey.parse(asset), AssetKey.parse(to)
    for what, value in (("column", column), ("field", field)):
        if not isinstance(value, str) or not value:
            raise DefinitionError(
                f"relationships on {key}: {what}= must be a column name, got {value!r}.",
                location=location,
                highlight=what,
            )
    check_name = name or f"relationships_{column}_{parent.name}"
    validate_check_options(severity, blocking, f"{check_name} on {key}", location)
    parent_key = parent  # the check's own parameter below is named `parent`
    c, f = ident(column), ident(field)
    query = (
        f"SELECT v, n, sum(n) OVER (), count(*) OVER () FROM (SELECT c.{c} AS v, "
        f"count(*) AS n FROM child c WHERE c.{c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        f"parent p WHERE p.{f} = c.{c}) GROUP BY 1) ORDER BY n DESC, v LIMIT {_MAX_SHOWN}"
    )

    def check(context: CheckContext, value: Any, parent: Any) -> CheckResult:
        kind, child_frame = frame_of(value, "relationships")
        if missing := missing_columns(kind, child_frame, [column], context.asset_key):
            return missing
        parent_kind, parent_frame = frame_of(parent, "relationships")
        if missing := missing_columns(parent_kind, parent_frame, [field], parent_key):
            return missing
        rows = _orphans(child_frame, parent_frame, query)
        target = f"{parent_key}.{field}"
        if not rows:
            return CheckResult(
                True, {"orphan_rows": 0}, description=f"Every {column} is found in {target}."
            )
        found = [{"value": to_json_safe(v), "count": n} for v, n, _, _ in rows]
        total, distinct = int(rows[0][2]), int(rows[0][3])
        shown = ", ".join(f"{f['value']!r} ({f['count']})" for f in found[:5])
        more = f" and {distinct - 5} more" if distinct > 5 else ""
        return CheckResult(
            passed=False,
            metadata={
                "orphan_rows": total,
                "orphan_distinct": distinct,
                "orphan_values": found,
            },
            description=f"{total} row{'s' if total != 1 else ''} of {context.asset_key} "
            f"{'have' if total != 1 else 'has'} a {column} not found in {target}: {shown}{more}.",
        )

    return AssetCheckDefinition(
        name=check_name,
        asset_key=key,
        fn=check,
        severity=severity,
        blocking=blocking,
        description=f"every {column} is a {parent}.{field}",
        takes_context=True,
        value_param="value",
        location=location,
        additional_ins=((_PARENT, parent),),
        columns=(("", column), (_PARENT, field)),
    )


def _orphans(child: Any, parent: Any, query: str) -> list[tuple[Any, ...]]:
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.register("child", child)
        con.register("parent", parent)
        return con.execute(query).fetchall()
    except duckdb.Error as exc:
        raise ExecutionError(
            f"DuckDB could not compare the columns: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        con.close()
