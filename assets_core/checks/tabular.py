"""Reading tabular asset values for the built-in checks: pandas DataFrames and pyarrow
Tables, their columns and dtypes, and queries over them in an in-memory DuckDB.

Logical dtypes (``schema``) are matched like this:

========  =====================================================================
logical   matches
========  =====================================================================
int       numpy ``int*``/``uint*``, pandas ``Int*``/``UInt*``, Arrow integers
float     numpy ``float*``, pandas ``Float*``, Arrow floating point
str       pandas ``str`` (pandas 3), ``string`` (python or pyarrow storage),
          ``object`` holding strings (pandas 2), Arrow ``string``,
          ``large_string`` and ``string_view``
bool      numpy ``bool``, pandas ``boolean``, Arrow ``bool``
datetime  ``datetime64[...]`` with or without a timezone, Arrow ``timestamp``
date      ``object`` holding ``datetime.date`` values, Arrow ``date32``/``date64``
========  =====================================================================

pandas ``ArrowDtype`` columns follow the Arrow rules. Encodings are looked through:
a pandas ``category`` or an Arrow ``dictionary`` matches the logical type of its
values. An ``object`` column matches by its content (``pandas.api.types.infer_dtype``);
an all-null one matches any logical type. Any other name must equal the dtype's name
(``str(dtype)``) or name the same dtype (``pandas.api.types.pandas_dtype`` for pandas,
``pyarrow.type_for_alias`` for Arrow).

Module-internal: the public surface is ``assets_core.checks``.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from assets_core.checks.check import CheckResult
from assets_core.checks.runner import to_json_safe
from assets_core.errors import ExecutionError, did_you_mean
from assets_core.keys import AssetKey

LOGICAL_DTYPES = ("int", "float", "str", "bool", "datetime", "date")
_SAMPLE_COLUMNS = 20
_INFERRED = {
    "string": "str",
    "integer": "int",
    "floating": "float",
    "mixed-integer-float": "float",
    "boolean": "bool",
    "datetime": "datetime",
    "datetime64": "datetime",
    "date": "date",
}


def frame_of(value: Any, check: str, any_sized: bool = False) -> tuple[str, Any]:
    """``("pandas", DataFrame)`` or ``("arrow", Table)`` (a Series or a RecordBatch is
    converted); with ``any_sized``, ``("sized", value)`` for anything with a length.

    Raises:
        ExecutionError: for any other value, naming its type.
    """
    module = type(value).__module__
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            return "pandas", value
        if isinstance(value, pd.Series):
            return "pandas", value.to_frame()
    if module.startswith("pyarrow"):
        import pyarrow as pa

        if isinstance(value, pa.Table):
            return "arrow", value
        if isinstance(value, pa.RecordBatch):
            return "arrow", pa.Table.from_batches([value])
    if any_sized and hasattr(value, "__len__"):
        return "sized", value
    raise ExecutionError(
        f"{check} needs a pandas DataFrame or a pyarrow Table; the asset's value is a "
        f"{type(value).__module__}.{type(value).__qualname__}. Use sql() or @asset_check "
        "for other values."
    )


def column_names(kind: str, frame: Any) -> list[str]:
    """The frame's column names, as strings."""
    return [str(c) for c in frame.columns] if kind == "pandas" else list(frame.column_names)


def row_total(kind: str, frame: Any) -> int:
    """The number of rows."""
    return int(frame.num_rows) if kind == "arrow" else len(frame)


def missing_columns(kind: str, frame: Any, wanted: list[str], key: AssetKey) -> CheckResult | None:
    """A failed result naming the missing and the available columns, or None."""
    names = column_names(kind, frame)
    missing = [c for c in wanted if c not in names]
    if not missing:
        return None
    plural = "s" if len(missing) > 1 else ""
    text = f"Column{plural} {', '.join(map(repr, missing))} not found in {key}; available "
    text += f"columns: {listing(names)}."
    if kind == "pandas" and missing[0] in [str(n) for n in frame.index.names]:
        text += f" {missing[0]!r} is the index: reset_index() to make it a column."
    else:
        text += did_you_mean(missing[0], names)
    return CheckResult(
        False, {"missing_columns": missing, "available_columns": names[:100]}, description=text
    )


def listing(names: list[str], limit: int = 30) -> str:
    """``a, b, c`` with at most ``limit`` names, then ``and N more``."""
    shown = ", ".join(names[:limit]) or "(none)"
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def null_mask(kind: str, frame: Any, cols: list[str]) -> tuple[dict[str, int], Any]:
    """Null counts per column, and a numpy mask of the rows with a null in any of them
    (None when there is none). Arrow null counts are free; the mask is only built when
    needed."""
    if kind == "pandas":
        isna = frame[cols].isna()
        counts = {str(c): int(n) for c, n in isna.sum().items()}
        return counts, isna.any(axis=1).to_numpy() if any(counts.values()) else None
    counts = {c: int(frame.column(c).null_count) for c in cols}
    if not any(counts.values()):
        return counts, None
    import pyarrow.compute as pc

    mask = reduce(pc.or_, [pc.is_null(frame.column(c)) for c in cols])
    return counts, mask.to_numpy(zero_copy_only=False)


def sample_rows(kind: str, frame: Any, positions: Any, focus: list[str]) -> list[dict[str, Any]]:
    """The rows at ``positions`` as JSON-safe dicts, ``focus`` columns first, at most
    20 columns, each with its position as ``_row``."""
    names = column_names(kind, frame)
    rest = [c for c in names if c not in focus][: max(0, _SAMPLE_COLUMNS - len(focus))]
    cols = focus + rest
    if kind == "pandas":
        records = frame.iloc[positions][cols].to_dict(orient="records")
    else:
        records = frame.select(cols).take(positions).to_pylist()
    return [{"_row": int(p), **to_json_safe(r)} for p, r in zip(positions, records, strict=True)]


def strictly_monotonic(kind: str, frame: Any, column: str) -> bool:
    """Whether ``column`` is a null-free integer column sorted strictly up or down, so
    unique without hashing: a sorted id column costs milliseconds, not a second."""
    import numpy as np

    if kind == "pandas":
        dtype = frame[column].dtype
        if not isinstance(dtype, np.dtype) or dtype.kind not in "iu":
            return False
        values = frame[column].to_numpy()
    else:
        import pyarrow as pa

        data = frame.column(column)
        if not pa.types.is_integer(data.type) or data.null_count:
            return False
        values = data.to_numpy()
    if len(values) < 2:
        return True
    head, tail = values[:-1], values[1:]
    return bool((tail > head).all() or (tail < head).all())


def ident(name: str) -> str:
    """``name`` quoted as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def duckdb_rows(
    value: Any,
    table: str,
    query: str,
    params: dict[str, Any] | None = None,
    column: str | None = None,
) -> list[tuple[Any, ...]]:
    """All rows of ``query`` run over ``value`` registered as ``table``."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.register(table, value)
        return con.execute(query, params).fetchall()
    except duckdb.Error as exc:
        detail = str(exc).splitlines()[0]
        if column is not None and isinstance(exc, duckdb.BinderException):
            raise ExecutionError(
                f"cannot compare column {column!r} with the accepted values: {detail}. Give "
                "accepted values of the column's type."
            ) from exc
        raise ExecutionError(f"DuckDB could not evaluate the check: {detail}") from exc
    finally:
        con.close()


def duckdb_first_rows(value: Any, table: str, query: str) -> tuple[list[tuple[Any, ...]], int]:
    """The first two rows of a user's ``query`` over ``value`` registered as ``table``,
    and its number of columns."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        try:
            con.register(table, value)
        except duckdb.Error as exc:
            raise ExecutionError(
                f"DuckDB cannot read the asset's value ({type(value).__name__}) as the table "
                f"{table!r}: {str(exc).splitlines()[0]}"
            ) from exc
        try:
            cursor = con.execute(query)
            return cursor.fetchmany(2), len(cursor.description or ())
        except duckdb.Error as exc:
            raise ExecutionError(
                f"the query failed: {str(exc).splitlines()[0]}. The asset's value is the "
                f"table {table!r}. Query: {query}"
            ) from exc
    finally:
        con.close()


# -- dtypes ----------------------------------------------------------------------------


def dtype_mismatch(expected: str, kind: str, dtype: Any, data: Any) -> str | None:
    """Why a column of ``dtype`` does not match ``expected``, or None if it does.

    Args:
        expected: A logical name or an exact pandas/Arrow dtype name.
        kind: ``"pandas"`` or ``"arrow"``.
        dtype: The pandas dtype or the Arrow type of the column.
        data: The column (a Series or a ChunkedArray), inspected for ``object`` dtypes.
    """
    if expected in LOGICAL_DTYPES:
        logical = pandas_logical(dtype, data) if kind == "pandas" else arrow_logical(dtype)
        if logical in (expected, "any"):
            return None
        return f"is {dtype} ({logical or 'no logical type'}), expected {expected}"
    if _same_dtype(expected, kind, dtype):
        return None
    if not _known_dtype_name(expected):
        return (
            f"is {dtype}, expected {expected!r}, which is not a dtype name: use "
            f"{', '.join(LOGICAL_DTYPES)} or an exact pandas/Arrow dtype name"
        )
    return f"is {dtype}, expected {expected}"


def arrow_logical(dtype: Any) -> str | None:
    """The logical name of an Arrow type, or None (decimal, binary, list...)."""
    import pyarrow as pa

    t = pa.types
    if t.is_dictionary(dtype):
        dtype = dtype.value_type
    checks = (
        ("bool", t.is_boolean),
        ("int", t.is_integer),
        ("float", t.is_floating),
        ("str", t.is_string),
        ("str", t.is_large_string),
        ("str", getattr(t, "is_string_view", lambda _: False)),
        ("datetime", t.is_timestamp),
        ("date", t.is_date),
    )
    return next((name for name, test in checks if test(dtype)), None)


def pandas_logical(dtype: Any, data: Any) -> str | None:
    """The logical name of a pandas dtype (``"any"`` for an all-null ``object``
    column), or None."""
    import pandas as pd
    from pandas.api import types as pdt

    if isinstance(dtype, pd.ArrowDtype):
        return arrow_logical(dtype.pyarrow_dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return pandas_logical(dtype.categories.dtype, dtype.categories)
    if isinstance(dtype, pd.StringDtype):
        return "str"
    if pdt.is_bool_dtype(dtype):
        return "bool"
    if pdt.is_integer_dtype(dtype):
        return "int"
    if pdt.is_float_dtype(dtype):
        return "float"
    if pdt.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pdt.is_object_dtype(dtype):
        inferred = pdt.infer_dtype(data, skipna=True)
        return "any" if inferred == "empty" else _INFERRED.get(inferred)
    return None


def _same_dtype(expected: str, kind: str, dtype: Any) -> bool:
    if str(dtype) == expected:
        return True
    try:
        if kind == "pandas":
            from pandas.api.types import pandas_dtype

            return bool(pandas_dtype(expected) == dtype)
        import pyarrow as pa

        # pyarrow-stubs list each alias as a Literal overload; any name is valid at run
        # time (an unknown one raises ValueError, handled below).
        return bool(pa.type_for_alias(expected) == dtype)  # type: ignore[call-overload]
    except (TypeError, ValueError, KeyError):
        return False


def _known_dtype_name(name: str) -> bool:
    import pyarrow as pa
    from pandas.api.types import pandas_dtype

    for parse in (pandas_dtype, pa.type_for_alias):
        try:
            parse(name)  # type: ignore[call-overload]  # the stubs want a Literal (_same_dtype)
            return True
        except (TypeError, ValueError, KeyError):
            continue
    return False
