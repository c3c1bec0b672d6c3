"""``assetline validate``: the columns a check reads exist, where the asset's columns
are known without running anything — declared (``columns=``) or derived from a SQL
asset's query. A typo in ``not_null(customers, "total_order_amount")`` is then caught
in CI, not on the first run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assets_core.errors import DefinitionError, did_you_mean

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetGraph


def check_column_errors(graph: AssetGraph) -> list[DefinitionError]:
    """A definition error for each column a check reads (``AssetCheckDefinition
    .columns``) that its asset does not have, for the assets whose columns are declared
    or derivable; assets whose columns are known only once stored are not judged.

    Args:
        graph: The validated asset graph.
    """
    from assets_core.lineage.columns import ColumnLineage

    lineage = ColumnLineage(graph)
    errors: list[DefinitionError] = []
    for check in graph.checks:
        if not check.columns:
            continue
        inputs = dict(check.additional_ins)
        for param, column in check.columns:
            key = inputs.get(param, check.asset_key) if param else check.asset_key
            known = lineage.columns(key)
            if not known or column in known:
                continue
            listed = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
            errors.append(
                DefinitionError(
                    f"Check {check.name} on {check.asset_key} reads column {column!r} of {key}, "
                    f"which has no such column (its columns: {listed}).",
                    (
                        did_you_mean(column, list(known)) + " Fix the column name, or the "
                        f"columns {key} declares."
                    ).strip(),
                    location=check.location,
                    asset_key=str(check.asset_key),
                    highlight=column,
                )
            )
    return errors
