"""``duckdb``: DataFrames and Arrow tables as tables in a DuckDB file (SPEC §3).

Key ``a/b/c`` is table ``c`` in schema ``a_b`` (one component: schema ``main``). A
partitioned asset's rows are found by ``metadata["partition_column"]`` (a column, or
one column per dimension of a multi-partition key), else by an added ``_partition``
column that loads drop again. Storing a partition is ``DELETE`` + ``INSERT`` in one
transaction; an unpartitioned value is ``CREATE OR REPLACE``d in one.

DuckDB lets one process at a time open a database file for writing, so the manager
connects per operation (never for its own lifetime) and, when another process holds
the lock, retries for ``lock_timeout_s`` before failing with a clear error. Which
values and partitions were stored (and whether as pandas or Arrow) is kept in a
bookkeeping table ``main."_assetline.values"``, written in the same transactions.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assets_core.errors import ExecutionError
from assets_core.io.base import (
    InputContext,
    IOManager,
    OutputContext,
    combine_values,
    missing_partitions_error,
    missing_value_error,
    split_value,
    table_kind,
    time_format_for,
)
from assets_core.keys import AssetKey

PARTITION_COLUMN = "_partition"
# A dot cannot appear in an asset key, so no asset table can collide with this one.
_BOOK = 'main."_assetline.values"'
_BOOK_DDL = (
    f"CREATE TABLE IF NOT EXISTS {_BOOK} (schema_name VARCHAR, table_name VARCHAR, "
    "partition_key VARCHAR, kind VARCHAR, PRIMARY KEY (schema_name, table_name, partition_key))"
)
_VIEW = "__assetline_value"


def quote(identifier: str) -> str:
    """``"identifier"``, quoted for DuckDB."""
    return '"' + identifier.replace('"', '""') + '"'


def table_name(asset_key: AssetKey) -> tuple[str, str]:
    """``(schema, table)`` of an asset: ``a/b/c`` is ``("a_b", "c")``, ``c`` ``("main", "c")``."""
    path = asset_key.path
    return ("_".join(path[:-1]) if len(path) > 1 else "main"), path[-1]


def _partition_columns(metadata: Mapping[str, Any]) -> list[str] | None:
    column = metadata.get("partition_column")
    if column is None:
        return None
    if isinstance(column, str):
        return [column]
    if isinstance(column, Sequence) and column and all(isinstance(c, str) for c in column):
        return list(column)
    raise ExecutionError(
        f"metadata partition_column={column!r} must be a column name, or a list of column "
        "names, one per dimension of a multi-partition key."
    )


def _label_sql(columns: list[str], types: Mapping[str, str], sample_key: str) -> str:
    """A SQL expression giving each row's partition key from ``columns``."""
    parts = sample_key.split("|") if len(columns) > 1 else [sample_key]
    if len(parts) != len(columns):
        raise ExecutionError(
            f"partition_column names {len(columns)} columns but partition key "
            f"{sample_key!r} has {len(parts)} dimension(s)."
        )
    exprs = []
    for column, part in zip(columns, parts, strict=True):
        fmt = time_format_for(part)
        kind = types.get(column, "").upper()
        if fmt and (kind == "DATE" or kind.startswith("TIMESTAMP")):
            exprs.append(f"strftime({quote(column)}, '{fmt}')")
        else:
            exprs.append(f"CAST({quote(column)} AS VARCHAR)")
    return exprs[0] if len(exprs) == 1 else f"concat_ws('|', {', '.join(exprs)})"


def _frame_to_arrow(value: Any, kind: str) -> Any:
    import pyarrow as pa

    if kind == "arrow":
        return value
    import pandas as pd

    if not isinstance(value.index, pd.RangeIndex):
        value = value.reset_index()  # a table has no index: keep it as columns
    return pa.Table.from_pandas(value, preserve_index=False)


class DuckDBIOManager(IOManager):
    """Stores DataFrames and Arrow tables as DuckDB tables.

    Args:
        path: The database file (``$ASSETLINE_HOME/warehouse.duckdb`` by default), or
            ``":memory:"`` for one in-process database (tests).
        lock_timeout_s: How long to retry while another process holds the file.
        config: DuckDB configuration options passed to ``duckdb.connect``.

    Example::

        @asset(io_manager="duckdb", partitions=DailyPartitions("2024-01-01"),
               metadata={"partition_column": "day"})
        def orders(context) -> pd.DataFrame: ...
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout_s: float = 30.0,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path).absolute()
        self.lock_timeout_s = lock_timeout_s
        self.config = dict(config or {})
        self._write_lock = threading.RLock()
        self._memory_con: Any = None

    def __repr__(self) -> str:
        return f"DuckDBIOManager({str(self.path)!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "lock_timeout_s": self.lock_timeout_s, "config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"], lock_timeout_s=state["lock_timeout_s"], config=state["config"])  # type: ignore[misc]

    # -- connections -----------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A connection for one operation, retrying while another process holds the lock.

        Raises:
            ExecutionError: The file stayed locked for ``lock_timeout_s`` seconds.
        """
        import duckdb

        if self.path == ":memory:":
            with self._write_lock:
                if self._memory_con is None:
                    self._memory_con = duckdb.connect(":memory:", config=self.config)
                con = self._memory_con.cursor()
        else:
            con = self._open(duckdb)
        try:
            yield con
        finally:
            con.close()

    def _open(self, duckdb: Any) -> Any:
        path = os.fspath(self.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.01
        while True:
            try:
                return duckdb.connect(path, config=self.config)
            except duckdb.IOException as e:
                if "lock" not in str(e).lower():
                    raise ExecutionError(f"Cannot open DuckDB file {path}: {e}") from None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ExecutionError(
                        f"DuckDB file {path} stayed locked for {self.lock_timeout_s:g}s: {e}\n"
                        "DuckDB allows one process at a time to open a database file. Close "
                        "the other connection (a notebook, a SQL client) or raise "
                        "DuckDBIOManager(lock_timeout_s=...)."
                    ) from None
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.25)

    def _has_file(self) -> bool:
        return self.path == ":memory:" or os.path.exists(self.path)

    # -- store -----------------------------------------------------------------------

    def store(self, context: OutputContext, value: Any) -> None:
        """Write ``value`` as the asset's table (or its partitions), in one transaction."""
        kind = table_kind(value)
        if kind is None and not (context.is_range and isinstance(value, Mapping)):
            raise ExecutionError(
                f"{context.describe()}: the duckdb IO manager stores pandas DataFrames and "
                f"Arrow tables, not {type(value).__name__}. Use io_manager='fs' for this asset."
            )
        schema, table = table_name(context.asset_key)
        with self._write_lock, self.connect() as con:
            try:
                con.execute("BEGIN TRANSACTION")
                con.execute(_BOOK_DDL)
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
                if context.has_partitions:
                    kind = self._store_partitions(con, context, value, schema, table)
                else:
                    con.register(_VIEW, _frame_to_arrow(value, kind or "arrow"))
                    con.execute(
                        f"CREATE OR REPLACE TABLE {quote(schema)}.{quote(table)} AS "
                        f"SELECT * FROM {_VIEW}"
                    )
                    self._book(con, schema, table, [""], kind or "arrow")
                con.execute("COMMIT")
            except BaseException as e:
                _rollback(con)
                if isinstance(e, ExecutionError) or not isinstance(e, Exception):
                    raise
                raise ExecutionError(
                    f"{context.describe()}: storing to DuckDB table {schema}.{table} in "
                    f"{self.path} failed: {e}"
                ) from e

    def _store_partitions(
        self, con: Any, context: OutputContext, value: Any, schema: str, table: str
    ) -> str:
        keys = list(context.partition_keys) if context.is_range else [context.partition_key]
        columns = _partition_columns(context.metadata)
        target = f"{quote(schema)}.{quote(table)}"
        if columns is None:
            parts = split_value(context, value) if context.is_range else {keys[0]: value}
            kinds = {table_kind(v) for v in parts.values()}
            if None in kinds or len(kinds) != 1:
                raise ExecutionError(
                    f"{context.describe()}: every partition value must be a DataFrame or an "
                    "Arrow table (all of one kind) for the duckdb IO manager."
                )
            kind = kinds.pop() or "arrow"
            views = []
            for i, (key, part) in enumerate(parts.items()):
                view = f"{_VIEW}_{i}"
                con.register(view, _frame_to_arrow(part, kind))
                drop = " EXCLUDE (_partition)" if PARTITION_COLUMN in _view_types(con, view) else ""
                views.append((f"SELECT *{drop}, ?::VARCHAR AS {PARTITION_COLUMN} FROM {view}", key))
            con.execute(f"CREATE TABLE IF NOT EXISTS {target} AS {views[0][0]} LIMIT 0", [""])
            self._add_new_columns(con, schema, table, f"{views[0][0]} LIMIT 0", [""])
            con.execute(f"DELETE FROM {target} WHERE list_contains(?, {PARTITION_COLUMN})", [keys])
            for select, key in views:
                con.execute(f"INSERT INTO {target} BY NAME {select}", [key])
        else:
            if isinstance(value, Mapping):
                value = combine_values(value)
            table_value_kind = table_kind(value)
            if table_value_kind is None:
                raise ExecutionError(
                    f"{context.describe()}: with partition_column, the value must be a "
                    "DataFrame or an Arrow table (or a dict of them per partition)."
                )
            kind = table_value_kind
            con.register(_VIEW, _frame_to_arrow(value, kind))
            frame_types = _view_types(con, _VIEW)
            absent = [c for c in columns if c not in frame_types]
            if absent:
                raise ExecutionError(
                    f"{context.describe()}: partition_column {absent[0]!r} is not a column of "
                    f"the value (columns: {list(frame_types)})."
                )
            label = _label_sql(columns, frame_types, keys[0])
            (outside,) = con.execute(
                f"SELECT count(*) FROM {_VIEW} WHERE NOT coalesce(list_contains(?, {label}), "
                "false)",
                [keys],
            ).fetchone()
            if outside:
                raise ExecutionError(
                    f"{context.describe()}: {outside} row(s) have a partition_column "
                    f"({', '.join(columns)}) value that is not "
                    + (f"'{keys[0]}'" if len(keys) == 1 else "in the partition range")
                    + "; return only the rows of the partition."
                )
            con.execute(f"CREATE TABLE IF NOT EXISTS {target} AS SELECT * FROM {_VIEW} LIMIT 0")
            self._add_new_columns(con, schema, table, f"SELECT * FROM {_VIEW}", [])
            table_label = _label_sql(columns, _table_types(con, schema, table), keys[0])
            con.execute(f"DELETE FROM {target} WHERE list_contains(?, {table_label})", [keys])
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {_VIEW}")
        self._book(con, schema, table, [str(k) for k in keys], kind)
        return kind

    def _add_new_columns(
        self, con: Any, schema: str, table: str, select: str, params: list[Any]
    ) -> None:
        """Schema evolution for partitioned tables: columns new in this partition are
        added (earlier partitions read NULL)."""
        existing = _table_types(con, schema, table)
        rows = con.execute(f"DESCRIBE {select}", params).fetchall()
        for name, type_, *_ in rows:
            if name not in existing:
                con.execute(
                    f"ALTER TABLE {quote(schema)}.{quote(table)} ADD COLUMN {quote(name)} {type_}"
                )

    def _book(self, con: Any, schema: str, table: str, keys: list[str], kind: str) -> None:
        if keys == [""]:
            con.execute(
                f"DELETE FROM {_BOOK} WHERE schema_name = ? AND table_name = ?", [schema, table]
            )
        con.execute(
            f"INSERT OR REPLACE INTO {_BOOK} SELECT ?, ?, unnest(?), ?", [schema, table, keys, kind]
        )

    # -- load ------------------------------------------------------------------------

    def load(self, context: InputContext) -> Any:
        """Read the table (or the addressed partitions) as the kind it was stored as.

        Raises:
            MissingValueError: The table, or a requested partition, was never stored.
        """
        schema, table = table_name(context.asset_key)
        where = f"{self.path} table {schema}.{table}"
        if not self._has_file():
            raise missing_value_error(context, where)
        with self.connect() as con:
            types = _table_types(con, schema, table)
            if not types:
                raise missing_value_error(context, where)
            stored = self._stored(con, schema, table)
            target = f"{quote(schema)}.{quote(table)}"
            columns = _partition_columns(context.metadata)
            keys = _keys(context)
            drop = (
                f" EXCLUDE ({PARTITION_COLUMN})"
                if columns is None and PARTITION_COLUMN in types
                else ""
            )
            if keys is None:
                query, params = f"SELECT *{drop} FROM {target}", []
            else:
                if stored:
                    missing = [k for k in keys if k not in stored]
                    if missing:
                        if context.is_range:
                            raise missing_partitions_error(context, missing, where)
                        raise missing_value_error(context, where)
                label = PARTITION_COLUMN if columns is None else _label_sql(columns, types, keys[0])
                query = f"SELECT *{drop} FROM {target} WHERE list_contains(?, {label})"
                params = [keys]
            result = con.sql(query, params=params).to_arrow_table()
        kinds = set(stored.values())
        return result.to_pandas() if kinds != {"arrow"} else result

    def _stored(self, con: Any, schema: str, table: str) -> dict[str, str]:
        """``{partition_key or "": kind}`` from the bookkeeping table."""
        try:
            rows = con.execute(
                f"SELECT partition_key, kind FROM {_BOOK} WHERE schema_name = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
        except Exception:  # no bookkeeping table: a database written by something else
            return {}
        return dict(rows)

    # -- catalog helpers -------------------------------------------------------------

    def location(self, context: OutputContext) -> str | None:
        """``duckdb://<file>#<schema>.<table>``."""
        schema, table = table_name(context.asset_key)
        return f"duckdb://{self.path}#{schema}.{table}"

    def exists(self, context: OutputContext | InputContext) -> bool:
        """Whether the table (and every addressed partition) is stored."""
        if not self._has_file():
            return False
        schema, table = table_name(context.asset_key)
        with self.connect() as con:
            if not _table_types(con, schema, table):
                return False
            keys = _keys(context)
            if keys is None:
                return True
            stored = self._stored(con, schema, table)
            return all(k in stored for k in keys)

    def delete(self, context: OutputContext | InputContext) -> None:
        """Drop the table, or delete the addressed partitions' rows."""
        if not self._has_file():
            return
        schema, table = table_name(context.asset_key)
        target = f"{quote(schema)}.{quote(table)}"
        keys = _keys(context)
        with self._write_lock, self.connect() as con:
            types = _table_types(con, schema, table)
            if not types:
                return
            con.execute("BEGIN TRANSACTION")
            con.execute(_BOOK_DDL)
            book = f"DELETE FROM {_BOOK} WHERE schema_name = ? AND table_name = ?"
            if keys is None:
                con.execute(f"DROP TABLE {target}")
                con.execute(book, [schema, table])
            else:
                columns = _partition_columns(context.metadata)
                label = PARTITION_COLUMN if columns is None else _label_sql(columns, types, keys[0])
                con.execute(f"DELETE FROM {target} WHERE list_contains(?, {label})", [keys])
                con.execute(f"{book} AND list_contains(?, partition_key)", [schema, table, keys])
            con.execute("COMMIT")


def _rollback(con: Any) -> None:
    # Suppressed: no transaction is left when it failed to start.
    with contextlib.suppress(Exception):
        con.execute("ROLLBACK")


def _keys(context: OutputContext | InputContext) -> list[str] | None:
    if context.is_range:
        return list(context.partition_keys or ())
    return None if context.partition_key is None else [context.partition_key]


def _view_types(con: Any, view: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()}


def _table_types(con: Any, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [schema, table],
    ).fetchall()
    return dict(rows)
