"""The IO manager interface: how an asset's value is stored and loaded (SPEC §3).

The engine calls ``store(OutputContext, value)`` after an asset computes and
``load(InputContext)`` when a downstream asset reads it. A context names the asset,
the partition (``partition_key``) or the partition range (``partition_keys``), the
asset's definition metadata, the run's resources and a logger.

Partition semantics, shared by every built-in IO manager:

* ``partition_key`` and ``partition_keys`` both None: the asset is unpartitioned.
* ``partition_key`` set: one partition.
* ``partition_keys`` set (and not just ``(partition_key,)``): a range. A range load
  returns the partitions concatenated when they are DataFrames / Arrow tables, else a
  dict ``{partition_key: value}``. A range store takes a dict ``{partition_key:
  value}``, or a table split by ``metadata["partition_column"]``.

This module imports neither pandas nor pyarrow; the helpers import them when needed.
"""

from __future__ import annotations

import logging
import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assets_core.errors import ExecutionError
from assets_core.keys import AssetKey

TableKind = Literal["pandas", "arrow"]


class MissingValueError(ExecutionError):
    """A value was loaded that was never stored (or was deleted)."""

    code = "MISSING_VALUE"


class UnreadableValueError(ExecutionError):
    """A stored value exists but cannot be read back (a truncated or overwritten file):
    the message names the asset and the file, and says to materialize it again."""

    code = "UNREADABLE_VALUE"


@dataclass(frozen=True, slots=True)
class _IOContext:
    asset_key: AssetKey
    partition_key: str | None = None
    partition_keys: tuple[str, ...] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    resources: Any = None
    log: logging.Logger | logging.LoggerAdapter[Any] | None = None
    run_id: str | None = None

    @property
    def has_partitions(self) -> bool:
        """Whether a partition or a partition range is addressed."""
        return self.partition_key is not None or self.partition_keys is not None

    @property
    def is_range(self) -> bool:
        """Whether a partition range is addressed (rather than one partition or none)."""
        keys = self.partition_keys
        return keys is not None and not (len(keys) == 1 and keys[0] == self.partition_key)

    def describe(self) -> str:
        """``asset 'a/b' partition '2024-01-01'``, for messages."""
        text = f"asset '{self.asset_key}'"
        if self.is_range:
            keys = self.partition_keys or ()
            if len(keys) == 1:
                return f"{text} partition '{keys[0]}'"
            return f"{text} partitions '{keys[0]}'..'{keys[-1]}' ({len(keys)} keys)"
        if self.partition_key is not None:
            return f"{text} partition '{self.partition_key}'"
        return text


@dataclass(frozen=True, slots=True)
class OutputContext(_IOContext):
    """What an IO manager knows when it stores an asset's value.

    Attributes:
        asset_key: The asset being stored.
        partition_key: The partition, or None when unpartitioned (or a range).
        partition_keys: The partition range of a single-run backfill, else None.
        metadata: The asset's definition metadata (e.g. ``partition_column``).
        resources: The run's resources.
        log: The step's logger.
        run_id: The run storing the value.
    """


@dataclass(frozen=True, slots=True)
class InputContext(_IOContext):
    """What an IO manager knows when it loads an asset's value.

    Attributes:
        asset_key: The upstream asset being read.
        partition_key: The partition read, or None when unpartitioned (or a range).
        partition_keys: A range read: partitions concatenated (tables) or a dict.
        metadata: The upstream asset's definition metadata.
        resources: The run's resources.
        log: The step's logger.
        run_id: The run reading the value.
        consumer_key: The asset that reads the value (None outside a run).
    """

    consumer_key: AssetKey | None = None


class IOManager(ABC):
    """Stores asset values and loads them back.

    Subclass it and implement ``store`` and ``load``; register an instance in
    ``Definitions(io_managers={"name": MyIOManager()})`` and name it on assets with
    ``io_manager="name"``. A manager must be safe to use from several threads; one
    shipped to worker processes must be picklable.

    Example::

        class JsonIOManager(IOManager):
            def store(self, context, value):
                Path(f"{context.asset_key}.json").write_text(json.dumps(value))

            def load(self, context):
                return json.loads(Path(f"{context.asset_key}.json").read_text())
    """

    @abstractmethod
    def store(self, context: OutputContext, value: Any) -> None:
        """Store ``value`` for the asset (partition) of ``context``, atomically."""

    @abstractmethod
    def load(self, context: InputContext) -> Any:
        """Load the value of the asset (partition or range) of ``context``.

        Raises:
            MissingValueError: Nothing was stored there.
        """

    def location(self, context: OutputContext) -> str | None:
        """Where the value of ``context`` is stored (recorded in the catalog), if known."""
        return None

    def exists(self, context: OutputContext | InputContext) -> bool:
        """Whether a value is stored for ``context``. The default tries to load it."""
        try:
            self.load(_as_input(context))
        except MissingValueError:
            return False
        return True

    def delete(self, context: OutputContext | InputContext) -> None:
        """Delete the value stored for ``context`` (no error when there is none)."""
        raise NotImplementedError(f"{type(self).__name__} does not support deleting values.")

    def close(self) -> None:
        """Release what is held between operations (open connections). Called when a run
        ends; the manager must still work if used again afterwards."""
        return None  # nothing held by default


def _as_input(context: OutputContext | InputContext) -> InputContext:
    if isinstance(context, InputContext):
        return context
    return InputContext(
        asset_key=context.asset_key,
        partition_key=context.partition_key,
        partition_keys=context.partition_keys,
        metadata=context.metadata,
        resources=context.resources,
        log=context.log,
        run_id=context.run_id,
    )


def missing_value_error(
    context: OutputContext | InputContext, where: str = ""
) -> MissingValueError:
    """The error for loading ``context`` when nothing is stored (``where`` says where we
    looked)."""
    looked = f" (looked in {where})" if where else ""
    return MissingValueError(
        f"No stored value for {context.describe()}{looked}. Materialize it first, e.g. "
        f"`assetline materialize --select {context.asset_key}"
        + (f" --partition {context.partition_key}" if context.partition_key else "")
        + "`."
    )


def unreadable_value_error(
    asset_key: AssetKey, partition_key: str | None, path: str, error: BaseException
) -> UnreadableValueError:
    """The error for a stored file that exists but does not decode (``path`` is the
    file, ``error`` what the reader raised)."""
    where = f" partition {partition_key}" if partition_key is not None else ""
    detail = str(error).replace(f"'{path}'", "the file").replace(path, "the file")
    again = f" --partition {partition_key}" if partition_key is not None else ""
    return UnreadableValueError(
        f"stored value of {asset_key}{where} is unreadable: {path} "
        f"({type(error).__name__}: {detail}). It was damaged outside Assetline; "
        f"materialize it again: `assetline materialize --select {asset_key}{again}`."
    )


def missing_partitions_error(
    context: OutputContext | InputContext, missing: list[str], where: str = ""
) -> MissingValueError:
    """The error for a range load where some partitions were never stored."""
    shown = ", ".join(missing[:10]) + (
        f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    )
    looked = f" (looked in {where})" if where else ""
    return MissingValueError(
        f"{context.describe()}: {len(missing)} partition(s) have no stored value{looked}: "
        f"{shown}. Materialize them first, e.g. `assetline materialize --select "
        f"{context.asset_key} --from {missing[0]} --to {missing[-1]}`."
    )


def table_kind(value: Any) -> TableKind | None:
    """``"pandas"`` for a DataFrame, ``"arrow"`` for an Arrow table, else None.

    Never imports pandas or pyarrow: a value cannot be one of their types unless the
    library is already loaded.
    """
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, pd.DataFrame):
        return "pandas"
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(value, pa.Table):
        return "arrow"
    return None


def to_arrow(value: Any) -> Any:
    """A DataFrame or Arrow table as an Arrow table (the index kept unless a RangeIndex)."""
    import pyarrow as pa

    if isinstance(value, pa.Table):
        return value
    return pa.Table.from_pandas(value)


def flat_arrow(value: Any) -> Any:
    """A DataFrame or Arrow table as an Arrow table for SQL: a DataFrame's index becomes
    ordinary columns (unless a RangeIndex, which is dropped)."""
    import pyarrow as pa

    if isinstance(value, pa.Table):
        return value
    import pandas as pd

    if not isinstance(value.index, pd.RangeIndex):
        value = value.reset_index()
    return pa.Table.from_pandas(value, preserve_index=False)


def concat_tables(tables: list[Any]) -> Any:
    """Concatenate Arrow tables, unifying schemas (missing columns become nulls)."""
    import pyarrow as pa

    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables, promote_options="permissive")


def combine_values(values: Mapping[str, Any]) -> Any:
    """The result of a range load: tables concatenated, else the dict itself."""
    kinds = {table_kind(v) for v in values.values()}
    if not values or len(kinds) != 1 or None in kinds:
        return dict(values)
    if kinds == {"arrow"}:
        return concat_tables(list(values.values()))
    import pandas as pd

    frames = list(values.values())
    if len(frames) == 1:
        return frames[0]
    plain = all(isinstance(f.index, pd.RangeIndex) for f in frames)
    return pd.concat(frames, ignore_index=plain)


_HOURLY = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}:\d{2}\Z")
_DAILY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def time_format_for(partition_key: str) -> str | None:
    """The strftime format that turns a date/time value into its time partition key
    like ``partition_key`` (daily ``2024-01-01``, hourly ``2024-01-01-13:00``), or None."""
    if _DAILY.match(partition_key):
        return "%Y-%m-%d"
    if _HOURLY.match(partition_key):
        return "%Y-%m-%d-%H:00"  # 13:20 belongs to the 13:00 partition
    return None


def partition_columns(metadata: Mapping[str, Any]) -> list[str] | None:
    """``metadata["partition_column"]`` as a list: one column, or one per dimension of
    a multi-partition key (``["day", "region"]`` for ``2024-01-01|eu``)."""
    column = metadata.get("partition_column")
    if column is None:
        return None
    if isinstance(column, str):
        return [column]
    if isinstance(column, (list, tuple)) and column and all(isinstance(c, str) for c in column):
        return list(column)
    raise ExecutionError(
        f"metadata partition_column={column!r} must be a column name, or a list of column "
        "names, one per dimension of a multi-partition key."
    )


def key_dimensions(columns: list[str], sample_key: str) -> list[str]:
    """The parts of ``sample_key`` matching ``columns`` (split on ``|`` when several)."""
    parts = sample_key.split("|") if len(columns) > 1 else [sample_key]
    if len(parts) != len(columns):
        raise ExecutionError(
            f"partition_column names {len(columns)} columns but partition key "
            f"{sample_key!r} has {len(parts)} dimension(s)."
        )
    return parts


def partition_labels(table: Any, columns: list[str], sample_key: str) -> Any:
    """The partition key of each row of an Arrow ``table``, read from ``columns``:
    dates and timestamps formatted like ``sample_key``, other values as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    labels = []
    for column, part in zip(columns, key_dimensions(columns, sample_key), strict=True):
        values = table.column(column)
        fmt = time_format_for(part)
        if fmt and (pa.types.is_timestamp(values.type) or pa.types.is_date(values.type)):
            labels.append(pc.strftime(values, format=fmt))
        else:
            labels.append(pc.cast(values, pa.string()))
    return labels[0] if len(labels) == 1 else pc.binary_join_element_wise(*labels, "|")


def split_value(context: OutputContext, value: Any) -> dict[str, Any]:
    """Split the value of a range store into ``{partition_key: value}``.

    Accepts a dict keyed by exactly the range's keys, or a DataFrame / Arrow table
    whose ``metadata["partition_column"]`` says which partition each row belongs to.
    """
    keys = list(context.partition_keys or ())
    if isinstance(value, Mapping):
        if set(value) != set(keys):
            extra = sorted(set(value) - set(keys))[:5]
            missing = sorted(set(keys) - set(value))[:5]
            raise ExecutionError(
                f"{context.describe()}: the returned dict must have one entry per partition "
                f"of the range; missing {missing}, unexpected {extra}."
            )
        return {k: value[k] for k in keys}
    kind = table_kind(value)
    columns = partition_columns(context.metadata)
    if kind is None or columns is None:
        raise ExecutionError(
            f"{context.describe()}: a value for a partition range must be a dict "
            "{partition_key: value}, or a DataFrame / Arrow table with "
            "metadata={'partition_column': 'COLUMN'} naming the column that holds each "
            "row's partition."
        )
    if not keys:
        return {}
    import pyarrow as pa
    import pyarrow.compute as pc

    table = to_arrow(value)
    absent = [c for c in columns if c not in table.column_names]
    if absent:
        raise ExecutionError(
            f"{context.describe()}: partition_column {absent[0]!r} is not a column of the "
            f"value (columns: {table.column_names})."
        )
    labels = partition_labels(table, columns, keys[0])
    outside = pc.sum(pc.invert(pc.fill_null(pc.is_in(labels, pa.array(keys)), False))).as_py()
    if outside:
        raise ExecutionError(
            f"{context.describe()}: {outside} row(s) have a partition_column "
            f"({', '.join(columns)}) value outside the partition range; return only rows "
            "of the range."
        )
    parts: dict[str, Any] = {}
    for k in keys:
        part = table.filter(pc.equal(labels, pa.scalar(k)))
        parts[k] = part.to_pandas() if kind == "pandas" else part
    return parts
