"""Built-in checks: ``not_null``, ``unique``, ``row_count``, ``accepted_values``,
``schema``, ``freshness`` and ``sql``.

Each returns an ``AssetCheckDefinition`` and takes ``severity=``, ``blocking=`` and
``name=`` keywords. Values may be pandas DataFrames or pyarrow Tables; the work is
vectorised (pandas, Arrow) or pushed to an in-memory DuckDB, never a Python loop over
rows. A column the check needs but the value lacks fails the check with a message
naming the available columns. Every result carries a ``description`` and metadata
meant to show the user what is wrong (counts and a few sample rows or values).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from assets_core.checks.check import (
    AssetCheckDefinition,
    CheckResult,
    Severity,
    validate_check_options,
)
from assets_core.checks.runner import CheckContext, to_json_safe
from assets_core.checks.tabular import (
    LOGICAL_DTYPES,
    column_names,
    dtype_mismatch,
    duckdb_first_rows,
    duckdb_rows,
    frame_of,
    ident,
    listing,
    missing_columns,
    null_mask,
    row_total,
    sample_rows,
    strictly_monotonic,
)
from assets_core.definitions.asset import AssetsDefinition
from assets_core.definitions.policies import parse_duration
from assets_core.errors import DefinitionError, ExecutionError, caller_location
from assets_core.keys import AssetKey

_SAMPLE_ROWS = 5
_MAX_UNEXPECTED = 20
_TABLE = "asset_value"


def not_null(
    asset: str | AssetKey | AssetsDefinition,
    columns: str | Sequence[str],
    *,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check that ``columns`` hold no missing values (None, NaN, NaT, ``pd.NA``; in an
    Arrow table, nulls).

    Args:
        asset: The checked asset: a key ``"a/b"`` or its definition.
        columns: A column name or several.
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to the built-in's.

    Metadata: ``null_counts`` per column, ``rows_with_nulls`` and ``sample_rows`` (the
    first few offending rows, with their position as ``_row``).
    """
    cols = _column_list(columns, "not_null")

    def check(context: CheckContext, value: Any) -> CheckResult:
        kind, frame = frame_of(value, "not_null")
        if missing := missing_columns(kind, frame, cols, context.asset_key):
            return missing
        counts, mask = null_mask(kind, frame, cols)
        if mask is None:
            text = f"No null values in {', '.join(cols)} ({row_total(kind, frame)} rows)."
            return CheckResult(True, {"null_counts": counts}, description=text)
        import numpy as np

        positions = np.flatnonzero(mask)
        listed = ", ".join(f"{c} ({n})" for c, n in counts.items() if n)
        return CheckResult(
            passed=False,
            metadata={
                "null_counts": counts,
                "rows_with_nulls": len(positions),
                "sample_rows": sample_rows(kind, frame, positions[:_SAMPLE_ROWS], cols),
            },
            description=f"Null values in {listed}: {len(positions)} of "
            f"{row_total(kind, frame)} rows have a null.",
        )

    what = f"{', '.join(cols)} never null"
    return _define(
        asset, check, name or f"not_null_{'_'.join(cols)}", what, severity, blocking, columns=cols
    )


def unique(
    asset: str | AssetKey | AssetsDefinition,
    columns: str | Sequence[str],
    *,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check that each combination of ``columns`` appears at most once. Rows with a
    null in any of the columns are ignored, as by a SQL UNIQUE constraint (add
    ``not_null`` to forbid them). Runs in DuckDB.

    Args:
        asset: The checked asset: a key ``"a/b"`` or its definition.
        columns: The column, or columns whose combination, must be unique.
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to the built-in's.

    Metadata: ``duplicate_keys`` (distinct duplicated keys), ``duplicate_rows`` (rows
    carrying them) and ``sample_duplicates`` (the most repeated keys with counts).
    """
    cols = _column_list(columns, "unique")
    idents = ", ".join(ident(c) for c in cols)
    not_null_sql = " AND ".join(f"{ident(c)} IS NOT NULL" for c in cols)
    query = (
        f"SELECT {idents}, __n, count(*) OVER (), sum(__n) OVER () FROM ("
        f"SELECT {idents}, count(*) AS __n FROM {_TABLE} WHERE {not_null_sql} "
        f"GROUP BY ALL HAVING count(*) > 1) ORDER BY __n DESC, {idents} LIMIT {_SAMPLE_ROWS}"
    )
    label = cols[0] if len(cols) == 1 else f"({', '.join(cols)})"

    def check(context: CheckContext, value: Any) -> CheckResult:
        kind, frame = frame_of(value, "unique")
        if missing := missing_columns(kind, frame, cols, context.asset_key):
            return missing
        sorted_key = len(cols) == 1 and strictly_monotonic(kind, frame, cols[0])
        rows = [] if sorted_key else duckdb_rows(frame, _TABLE, query)
        if not rows:
            return CheckResult(
                True,
                {"duplicate_keys": 0, "duplicate_rows": 0},
                description=f"{label} is unique ({row_total(kind, frame)} rows).",
            )
        samples = [
            {
                "key": dict(zip(cols, to_json_safe(list(r[: len(cols)])), strict=True)),
                "count": r[len(cols)],
            }
            for r in rows
        ]
        keys, dup_rows = int(rows[0][-2]), int(rows[0][-1])
        shown = ", ".join(f"{_fmt_key(s['key'])} ({s['count']} rows)" for s in samples)
        what = "value" if len(cols) == 1 else "combination"
        return CheckResult(
            passed=False,
            metadata={
                "duplicate_keys": keys,
                "duplicate_rows": dup_rows,
                "sample_duplicates": samples,
            },
            description=f"{keys} duplicated {what}{'s' if keys != 1 else ''} of {label} "
            f"in {dup_rows} rows, e.g. {shown}.",
        )

    return _define(
        asset,
        check,
        name or f"unique_{'_'.join(cols)}",
        f"{label} unique",
        severity,
        blocking,
        columns=cols,
    )


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

    return _define(asset, check, name or "row_count", f"{expected} rows", severity, blocking)


def accepted_values(
    asset: str | AssetKey | AssetsDefinition,
    column: str,
    values: Iterable[Any],
    *,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check that every non-null value of ``column`` is one of ``values`` (of the
    column's type: a date column needs ``datetime.date`` values). Runs in DuckDB.

    Args:
        asset: The checked asset: a key ``"a/b"`` or its definition.
        column: The column to check.
        values: The allowed values.
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to the built-in's.

    Metadata: ``unexpected_rows``, ``unexpected_distinct`` and ``unexpected_values``
    (the most frequent, with counts, at most 20).
    """
    (col,) = _column_list(column, "accepted_values", single=True)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise DefinitionError(
            f"accepted_values({column!r}): values must be a list, e.g. ['paid', 'refunded']; "
            f"got {values!r}."
        )
    accepted = [v for v in values if v is not None]
    if not accepted:
        raise DefinitionError(f"accepted_values({column!r}): give at least one accepted value.")
    c = ident(col)
    query = (
        f"SELECT v, n, sum(n) OVER (), count(*) OVER () FROM (SELECT {c} AS v, count(*) AS n "
        f"FROM {_TABLE} WHERE {c} IS NOT NULL AND {c} NOT IN (SELECT unnest($accepted)) "
        f"GROUP BY 1) ORDER BY n DESC, v LIMIT {_MAX_UNEXPECTED}"
    )

    def check(context: CheckContext, value: Any) -> CheckResult:
        kind, frame = frame_of(value, "accepted_values")
        if missing := missing_columns(kind, frame, [col], context.asset_key):
            return missing
        rows = duckdb_rows(frame, _TABLE, query, {"accepted": accepted}, column=col)
        if not rows:
            return CheckResult(
                True, {"unexpected_rows": 0}, description=f"Every value of {col} is accepted."
            )
        found = [{"value": to_json_safe(v), "count": n} for v, n, _, _ in rows]
        total, distinct = int(rows[0][2]), int(rows[0][3])
        shown = ", ".join(f"{_fmt(f['value'])} ({f['count']})" for f in found[:5])
        more = f" and {distinct - 5} more" if distinct > 5 else ""
        return CheckResult(
            passed=False,
            metadata={
                "unexpected_rows": total,
                "unexpected_distinct": distinct,
                "unexpected_values": found,
                "accepted_values": accepted[:100],
            },
            description=f"{col} has {distinct} unexpected value{'s' if distinct != 1 else ''} "
            f"in {total} rows: {shown}{more}.",
        )

    what = f"{col} in {_fmt(accepted)}"
    return _define(
        asset, check, name or f"accepted_values_{col}", what, severity, blocking, columns=[col]
    )


def schema(
    asset: str | AssetKey | AssetsDefinition,
    columns: Mapping[str, str],
    *,
    severity: Severity = "error",
    blocking: bool = False,
    name: str | None = None,
) -> AssetCheckDefinition:
    """Check that the value has ``columns`` with the given dtypes; other columns are
    allowed. A dtype is a logical name — ``int``, ``float``, ``str``, ``bool``,
    ``datetime``, ``date`` — matched across pandas 2, pandas 3 and Arrow, or an exact
    pandas/Arrow dtype name such as ``"int32"``, ``"Int64"``, ``"datetime64[ns, UTC]"``
    or ``"timestamp[us]"``. See ``assets_core.checks.tabular`` for the matching rules.

    Args:
        asset: The checked asset: a key ``"a/b"`` or its definition.
        columns: Column name -> dtype name (logical or exact).
        severity: ``"error"`` (fails ``assetline check``) or ``"warn"``.
        blocking: Whether a failure skips everything downstream.
        name: The check's name; defaults to the built-in's.

    Metadata: ``mismatches``, one ``{"column", "expected", "actual", "problem"}`` each.
    """
    if not isinstance(columns, Mapping) or not columns:
        raise DefinitionError(
            f"schema: give a mapping of column to dtype, e.g. {{'id': 'int', 'name': 'str'}}; "
            f"got {columns!r}."
        )
    for col, dtype in columns.items():
        if not isinstance(col, str) or not isinstance(dtype, str) or not dtype.strip():
            raise DefinitionError(
                f"schema: {col!r}: {dtype!r} must map a column name to a dtype name "
                f"({', '.join(LOGICAL_DTYPES)} or an exact pandas/Arrow dtype)."
            )
    expected = dict(columns)

    def check(context: CheckContext, value: Any) -> CheckResult:
        kind, frame = frame_of(value, "schema")
        names = column_names(kind, frame)
        mismatches: list[dict[str, Any]] = []
        for col, want in expected.items():
            if col not in names:
                missing = f"missing (available: {listing(names)})"
                mismatches.append(
                    {"column": col, "expected": want, "actual": None, "problem": missing}
                )
                continue
            data = frame[col] if kind == "pandas" else frame.column(col)
            found = data.dtype if kind == "pandas" else data.type
            if problem := dtype_mismatch(want, kind, found, data):
                mismatches.append(
                    {"column": col, "expected": want, "actual": str(found), "problem": problem}
                )
        if not mismatches:
            return CheckResult(
                True, {"mismatches": []}, description=f"Schema matched: {', '.join(expected)}."
            )
        listed = "; ".join(f"{m['column']}: {m['problem']}" for m in mismatches)
        return CheckResult(
            passed=False,
            metadata={"mismatches": mismatches},
            description=f"Schema mismatch in {len(mismatches)} of {len(expected)} columns: "
            f"{listed}.",
        )

    return _define(asset, check, name or "schema", f"schema {_fmt(expected)}", severity, blocking)


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
                f"materialized at least every {_human(lag_limit)}.",
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
            description=f"{context.asset_key} was last materialized {_human(lag)} ago "
            f"(at {last.isoformat()}), {verdict} the allowed {_human(lag_limit)}.",
        )

    what = f"materialized within {_human(lag_limit)}"
    return _define(asset, check, name or "freshness", what, severity, blocking, needs_value=False)


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
        text = f"The query returned {_fmt(result)}" + (
            ", as expected." if ok else f"; expected {_fmt(expect)}.{hint}"
        )
        return CheckResult(
            ok, {"result": result, "expect": expect, "query": query}, description=text
        )

    what = f"{_short(' '.join(query.split()), 120)} = {_fmt(expect)}"
    return _define(asset, check, name or f"sql_{digest}", what, severity, blocking)


# -- helpers ---------------------------------------------------------------------------


def _define(
    asset: Any,
    fn: Callable[..., CheckResult],
    name: object,
    description: str,
    severity: Severity,
    blocking: bool,
    needs_value: bool = True,
    columns: Sequence[str] = (),
) -> AssetCheckDefinition:
    location = caller_location()  # the user's line that called the built-in
    key = AssetKey.parse(asset)
    if not isinstance(name, str):
        raise DefinitionError(
            f"Check on {key}: name= must be a string, got {name!r}.",
            location=location,
            highlight="name",
        )
    check_name = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "check"
    validate_check_options(severity, blocking, f"{check_name} on {key}", location)
    return AssetCheckDefinition(
        name=check_name,
        asset_key=key,
        fn=fn,
        severity=severity,
        blocking=blocking,
        description=description,
        takes_context=True,
        value_param="value" if needs_value else None,
        location=location,
        columns=tuple(("", c) for c in columns),
    )


def _column_list(columns: str | Sequence[str], check: str, single: bool = False) -> list[str]:
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols or not all(isinstance(c, str) and c for c in cols) or (single and len(cols) > 1):
        what = "a column name" if single else "a column name or a list of column names"
        raise DefinitionError(f"{check}: give {what}, got {columns!r}.")
    return cols


def _fmt(value: Any) -> str:
    return _short(repr(to_json_safe(value)), 60)


def _fmt_key(key: dict[str, Any]) -> str:
    values = [_fmt(v) for v in key.values()]
    return values[0] if len(values) == 1 else f"({', '.join(values)})"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _human(delta: timedelta) -> str:
    """``1d 2h 5m``, ``26h`` -> ``1d 2h``, ``90s`` -> ``1m 30s``."""
    total = int(abs(delta.total_seconds()))
    parts = [
        (total // 86400, "d"),
        (total % 86400 // 3600, "h"),
        (total % 3600 // 60, "m"),
        (total % 60, "s"),
    ]
    text = " ".join(f"{n}{unit}" for n, unit in parts if n) or f"{abs(delta.total_seconds()):g}s"
    return ("-" if delta < timedelta(0) else "") + text
