"""Built-in table checks: ``row_count``, ``freshness`` and ``sql`` (see ``builtin`` for
the conventions all built-ins share)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from assets_core.checks.builtin_support import (
    define,
    fmt,
    human,
    short,
)
from assets_core.checks.check import (
    AssetCheckDefinition,
    CheckResult,
    Severity,
)
from assets_core.checks.runner import CheckContext
from assets_core.checks.tabular import (
    duckdb_first_rows,
    frame_of,
    row_total,
)
from assets_core.definitions.asset import AssetsDefinition
from assets_core.definitions.policies import parse_duration
from assets_core.errors import DefinitionError, ExecutionError
from assets_core.keys import AssetKey


def row_count(
    asset: str | AssetKey | AssetsDefinition,
    min: int | None = None,
    max: int | None = None,
    *,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check that the number of rows is within ``[min, max]``; with neither bound, that
    there is at least one row. Works on anything with a length.

    Args:
        asset: The checked asset: a key ``"a/b"`` or its definition.
        min: The fewest rows allowed (inclusive).
        max: The most rows allowed (inclusive).
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to the built-in's.

    Metadata: ``row_count``, ``min`` and ``max``.
    """
    for bound in (min, max):
        if bound is not None and (
            isinstance(bound, bool) or not isinstance(bound, int) or bound < 0
        ):
            raise DefinitionError(f"row_count: bounds must be non-negative ints, got {bound!r}.")
    if min is not None and max is not None and min > max:
        raise DefinitionError(f"row_count: min={min} is greater than max={max}.")
    low = 1 if min is None and max is None else min
    if max is None:
        expected = f"at least {low}"
    else:
        expected = f"at most {max}" if not low else f"between {low} and {max}"

    def check(context: CheckContext, value: Any) -> CheckResult:
        kind, frame = frame_of(value, "row_count", any_sized=True)
        count = row_total(kind, frame)
        ok = (low is None or count >= low) and (max is None or count <= max)
        text = f"{context.asset_key} has {count} rows" + ("." if ok else f"; expected {expected}.")
        return CheckResult(ok, {"row_count": count, "min": low, "max": max}, description=text)

    return define(asset, check, name or "row_count", f"{expected} rows", severity, blocking)


def freshness(
    asset: str | AssetKey | AssetsDefinition,
    max_lag: str | float | timedelta,
    *,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check that the asset (or partition) was materialized at most ``max_lag`` ago
    (``"26h"``, ``"1h30m"``, seconds or a timedelta), from the context's
    ``last_materialized_at`` and ``now``. It does not read the value.

    Args:
        asset: The checked asset: a key ``"a/b"`` or its definition.
        max_lag: The oldest a materialization may be.
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to the built-in's.

    Metadata: ``lag_s``, ``max_lag_s`` and ``last_materialized_at``.
    """
    lag_limit = parse_duration(max_lag)
    if lag_limit <= timedelta(0):
        raise DefinitionError(f"freshness: max_lag must be positive, got {max_lag!r}.")
    limit_s = lag_limit.total_seconds()

    def check(context: CheckContext) -> CheckResult:
        last = context.last_materialized_at
        if last is None:
            return CheckResult(
                False,
                {"lag_s": None, "max_lag_s": limit_s, "last_materialized_at": None},
                description=f"{context.asset_key} has never been materialized; it must be "
                f"materialized at least every {human(lag_limit)}.",
            )
        lag = context.now - last
        ok = lag <= lag_limit
        verdict = "within" if ok else "more than"
        return CheckResult(
            ok,
            {
                "lag_s": lag.total_seconds(),
                "max_lag_s": limit_s,
                "last_materialized_at": last.isoformat(),
                "now": context.now.isoformat(),
            },
            description=f"{context.asset_key} was last materialized {human(lag)} ago "
            f"(at {last.isoformat()}), {verdict} the allowed {human(lag_limit)}.",
        )

    what = f"materialized within {human(lag_limit)}"
    return define(asset, check, name or "freshness", what, severity, blocking, needs_value=False)


def sql(
    asset: str | AssetKey | AssetsDefinition,
    query: str,
    expect: Any = 0,
    *,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check with a DuckDB query that returns one value, which must equal ``expect``.

    The asset's value (a DataFrame, an Arrow table, anything DuckDB scans) is the
    table named like the asset's last key component, e.g.
    ``sql("sales/orders", "SELECT count(*) FROM orders WHERE amount < 0")``. A query
    returning no row, several rows or several columns errors. Name it with ``name=``;
    the default is ``sql_`` and a hash of the query.

    Args:
        asset: The checked asset: a key ``"a/b"`` or its definition.
        query: A query returning one value (one row, one column).
        expect: The value it must return.
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to the built-in's.

    Metadata: ``result``, ``expect`` and ``query``.
    """
    if not isinstance(query, str) or not query.strip():
        raise DefinitionError(f"sql: query must be a non-empty SQL string, got {query!r}.")
    table = AssetKey.parse(asset).name
    digest = hashlib.sha1(query.encode(), usedforsecurity=False).hexdigest()[:8]

    def check(context: CheckContext, value: Any) -> CheckResult:
        rows, width = duckdb_first_rows(value, table, query)
        if len(rows) != 1 or width != 1:
            got = f"{len(rows)} rows" if len(rows) != 1 else f"{width} columns"
            got = "no rows" if not rows else got.replace("2 rows", "more than one row")
            raise ExecutionError(
                f"the query must return exactly one value (one row, one column); it "
                f"returned {got}. Query: {query}"
            )
        result = rows[0][0]
        ok = bool(result == expect)
        hint = " Use coalesce() if an empty result means 0." if result is None and not ok else ""
        text = f"The query returned {fmt(result)}" + (
            ", as expected." if ok else f"; expected {fmt(expect)}.{hint}"
        )
        return CheckResult(
            ok, {"result": result, "expect": expect, "query": query}, description=text
        )

    what = f"{short(' '.join(query.split()), 120)} = {fmt(expect)}"
    return define(asset, check, name or f"sql_{digest}", what, severity, blocking)
