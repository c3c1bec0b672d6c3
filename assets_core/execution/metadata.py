"""Metadata recorded automatically for each materialized value (SPEC §1).

For a DataFrame or an Arrow table: ``row_count``, the column ``schema`` and a
``preview`` of the first rows, all JSON-serialisable (timestamps as ISO strings,
decimals as strings, NaN / NaT / NA as null). Only the first rows are ever turned into
Python objects, so a 5M-row frame costs the same as a 5-row one.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from assets_core.io.base import table_kind

PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 50
MAX_TEXT = 200
MAX_ITEMS = 20


def value_metadata(value: Any) -> dict[str, Any]:
    """Automatic metadata for a materialized value.

    Returns:
        For a pandas DataFrame or an Arrow table ``{"row_count": int, "schema":
        [{"name", "type"}], "preview": {"columns": [...], "rows": [[...], ...]}}``
        (at most 5 rows and 50 columns); ``{"type": "dict", "length": 3}`` for a sized
        container, ``{"type": name}`` for other values, ``{}`` for None.
    """
    kind = table_kind(value)
    if kind == "pandas":
        return _pandas_metadata(value)
    if kind == "arrow":
        return _arrow_metadata(value)
    if value is None:
        return {}
    meta: dict[str, Any] = {"type": type(value).__name__}
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        meta["length"] = len(value)
    return meta


def _pandas_metadata(df: Any) -> dict[str, Any]:
    schema = [{"name": _name(c), "type": str(t)} for c, t in df.dtypes.items()]
    head = df.iloc[:PREVIEW_ROWS, :PREVIEW_COLUMNS]
    columns = [_name(c) for c in head.columns]
    # Column by column (not itertuples): one dtype at a time, numpy scalars unboxed once.
    cells = [[json_safe(v) for v in head.iloc[:, i].tolist()] for i in range(head.shape[1])]
    rows = [list(r) for r in zip(*cells, strict=True)] if cells else [[] for _ in range(len(head))]
    return {
        "row_count": len(df),
        "schema": schema,
        "preview": {"columns": columns, "rows": rows},
    }


def _arrow_metadata(table: Any) -> dict[str, Any]:
    schema = [{"name": f.name, "type": str(f.type)} for f in table.schema]
    head = table.slice(0, PREVIEW_ROWS)
    names = head.column_names[:PREVIEW_COLUMNS]
    cells = [_arrow_column_values(head.column(i)) for i in range(len(names))]
    rows = [list(r) for r in zip(*cells, strict=True)] if cells else [[] for _ in range(len(head))]
    return {
        "row_count": table.num_rows,
        "schema": schema,
        "preview": {"columns": list(names), "rows": rows},
    }


def _arrow_column_values(column: Any) -> list[Any]:
    try:
        values = column.to_pylist()
    except Exception:  # e.g. timestamps out of Python's datetime range
        values = [str(v) for v in column]
    return [json_safe(v) for v in values]


def _name(column: Any) -> str:
    if isinstance(column, tuple):  # MultiIndex columns
        return ".".join(str(c) for c in column)
    return str(column)


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as something ``json.dumps(..., allow_nan=False)`` accepts, for display:
    NaN/NaT/NA become None, dates ISO strings, decimals strings, long text is cut."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if _is_missing(value):
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return json_safe(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return "0x" + raw[: MAX_TEXT // 2].hex()
    if depth < 3:
        if isinstance(value, dict):
            items = list(value.items())[:MAX_ITEMS]
            return {str(k): json_safe(v, depth + 1) for k, v in items}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [json_safe(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and getattr(value, "ndim", None) == 0:
        unboxed = _numpy_scalar(value)
        if unboxed is not value:
            return json_safe(unboxed, depth)
    if hasattr(value, "tolist") and depth < 3:  # numpy arrays in object columns
        try:
            return json_safe(value.tolist(), depth)
        except Exception:
            pass
    return json_safe(str(value), depth)


def _numpy_scalar(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        import pandas as pd

        return pd.Timestamp(value).isoformat()
    if isinstance(value, np.timedelta64):
        return None if np.isnat(value) else str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_missing(value: Any) -> bool:
    """pd.NA and pd.NaT (which pretends to be a datetime), without importing pandas."""
    name = type(value).__name__
    return name in ("NAType", "NaTType")
