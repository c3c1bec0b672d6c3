"""Adapting a stored value to what the code reading it asks for."""

from __future__ import annotations

from typing import Any


def coerce_table(value: Any, annotation: Any) -> Any:
    """Hand a parameter annotated ``pd.DataFrame`` a DataFrame when the upstream stored
    an Arrow table (a SQL asset's output), and the other way round."""
    wanted = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    kind = type(value).__name__
    if wanted.endswith("DataFrame") and kind == "Table" and hasattr(value, "to_pandas"):
        return value.to_pandas()
    if wanted.endswith("Table") and kind == "DataFrame":
        import pyarrow as pa

        return pa.Table.from_pandas(value, preserve_index=False)
    return value
