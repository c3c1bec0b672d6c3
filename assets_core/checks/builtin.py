"""Built-in column checks: ``not_null``, ``unique``, ``accepted_values`` and ``schema``
(table-level ones, ``row_count``, ``freshness`` and ``sql``, are in ``builtin_table``).

Each returns an ``AssetCheckDefinition`` and takes ``severity=``, ``blocking=`` and
``name=`` keywords. Values may be pandas DataFrames or pyarrow Tables; the work is
vectorised (pandas, Arrow) or pushed to an in-memory DuckDB, never a Python loop over
rows. A column the check needs but the value lacks fails the check with a message
naming the available columns. Every result carries a ``description`` and metadata
meant to show the user what is wrong (counts and a few sample rows or values).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assets_core.checks.builtin_support import (
    MAX_UNEXPECTED,
    SAMPLE_ROWS,
    TABLE,
    column_list,
    define,
    fmt,
    fmt_key,
)
from assets_core.checks.check import (
    AssetCheckDefinition,
    CheckResult,
    Severity,
)
from assets_core.checks.runner import CheckContext, to_json_safe
from assets_core.checks.tabular import (
    LOGICAL_DTYPES,
    column_names,
    dtype_mismatch,
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
from assets_core.errors import DefinitionError
from assets_core.keys import AssetKey


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
    cols = column_list(columns, "not_null")

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
                "sample_rows": sample_rows(kind, frame, positions[:SAMPLE_ROWS], cols),
            },
            description=f"Null values in {listed}: {len(positions)} of "
            f"{row_total(kind, frame)} rows have a null.",
        )

    what = f"{', '.join(cols)} never null"
    return define(
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
    cols = column_list(columns, "unique")
    idents = ", ".join(ident(c) for c in cols)
    not_null_sql = " AND ".join(f"{ident(c)} IS NOT NULL" for c in cols)
    query = (
        f"SELECT {idents}, __n, count(*) OVER (), sum(__n) OVER () FROM ("
        f"SELECT {idents}, count(*) AS __n FROM {TABLE} WHERE {not_null_sql} "
        f"GROUP BY ALL HAVING count(*) > 1) ORDER BY __n DESC, {idents} LIMIT {SAMPLE_ROWS}"
    )
    label = cols[0] if len(cols) == 1 else f"({', '.join(cols)})"

    def check(context: CheckContext, value: Any) -> CheckResult:
        kind, frame = frame_of(value, "unique")
        if missing := missing_columns(kind, frame, cols, context.asset_key):
            return missing
        sorted_key = len(cols) == 1 and strictly_monotonic(kind, frame, cols[0])
        rows = [] if sorted_key else duckdb_rows(frame, TABLE, query)
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
        shown = ", ".join(f"{fmt_key(s['key'])} ({s['count']} rows)" for s in samples)
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

    return define(
        asset,
        check,
        name or f"unique_{'_'.join(cols)}",
        f"{label} unique",
        severity,
        blocking,
        columns=cols,
    )


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
    (col,) = column_list(column, "accepted_values", single=True)
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
        f"FROM {TABLE} WHERE {c} IS NOT NULL AND {c} NOT IN (SELECT unnest($accepted)) "
        f"GROUP BY 1) ORDER BY n DESC, v LIMIT {MAX_UNEXPECTED}"
    )

    def check(context: CheckContext, value: Any) -> CheckResult:
        kind, frame = frame_of(value, "accepted_values")
        if missing := missing_columns(kind, frame, [col], context.asset_key):
            return missing
        rows = duckdb_rows(frame, TABLE, query, {"accepted": accepted}, column=col)
        if not rows:
            return CheckResult(
                True, {"unexpected_rows": 0}, description=f"Every value of {col} is accepted."
            )
        found = [{"value": to_json_safe(v), "count": n} for v, n, _, _ in rows]
        total, distinct = int(rows[0][2]), int(rows[0][3])
        shown = ", ".join(f"{fmt(f['value'])} ({f['count']})" for f in found[:5])
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

    what = f"{col} in {fmt(accepted)}"
    return define(
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

    return define(asset, check, name or "schema", f"schema {fmt(expected)}", severity, blocking)
