"""``duckdb``: DataFrames and Arrow tables as tables in a DuckDB file (SPEC §3).

Key ``a/b/c`` is table ``c`` in schema ``a_b`` (one component: schema ``main``). A
partitioned asset's rows are found by ``metadata["partition_column"]`` (a column, or
one column per dimension of a multi-partition key), else by an added ``_partition``
column that loads drop again. Storing a partition is ``DELETE`` + ``INSERT`` in one
transaction; an unpartitioned value is ``CREATE OR REPLACE``d in one.

DuckDB lets one process at a time open a database file, so the manager never holds it
for its own lifetime: it is opened per operation (or, with ``keep_alive_s``, kept open
until idle that long or ``close()`` is called: opening costs tens of ms), and when
another process holds the lock it retries for ``lock_timeout_s``. Which
values and partitions were stored (and whether as pandas or Arrow) is kept in a
bookkeeping table ``main."_assetline.values"``, written in the same transactions.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assets_core.errors import ExecutionError
from assets_core.io.base import (
    InputContext,
    IOManager,
    OutputContext,
    TableKind,
    combine_values,
    flat_arrow,
    key_dimensions,
    missing_partitions_error,
    missing_value_error,
    partition_columns,
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
_OPEN_MANAGERS: weakref.WeakSet[DuckDBIOManager] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for manager in list(_OPEN_MANAGERS):
        manager.close()


if hasattr(os, "register_at_fork"):
    # DuckDB is not fork-safe: a child must not inherit an open database.
    os.register_at_fork(before=_close_all)


def quote(identifier: str) -> str:
    """``"identifier"``, quoted for DuckDB."""
    return '"' + identifier.replace('"', '""') + '"'


def table_name(asset_key: AssetKey) -> tuple[str, str]:
    """``(schema, table)`` of an asset: ``a/b/c`` is ``("a_b", "c")``, ``c`` ``("main", "c")``."""
    path = asset_key.path
    return ("_".join(path[:-1]) if len(path) > 1 else "main"), path[-1]


def _row_label(columns: list[str] | None, types: Mapping[str, str], keys: list[str]) -> str:
    """The SQL expression of a row's partition key (``_partition`` when no column)."""
    if columns is None:
        return PARTITION_COLUMN
    return _label_sql(columns, types, keys[0]) if keys else "NULL"  # no keys: no rows


def _label_sql(columns: list[str], types: Mapping[str, str], sample_key: str) -> str:
    """A SQL expression giving each row's partition key from ``columns``."""
    exprs = []
    for column, part in zip(columns, key_dimensions(columns, sample_key), strict=True):
        fmt = time_format_for(part)
        kind = types.get(column, "").upper()
        if fmt and (kind == "DATE" or kind.startswith("TIMESTAMP")):
            exprs.append(f"strftime({quote(column)}, '{fmt}')")
        else:
            exprs.append(f"CAST({quote(column)} AS VARCHAR)")
    return exprs[0] if len(exprs) == 1 else f"concat_ws('|', {', '.join(exprs)})"


class DuckDBIOManager(IOManager):
    """Stores DataFrames and Arrow tables as DuckDB tables.

    Args:
        path: The database file (``$ASSETLINE_HOME/warehouse.duckdb`` by default), or
            ``":memory:"`` for one in-process database (tests).
        lock_timeout_s: How long to retry while another process holds the file.
        keep_alive_s: How long the file stays open after the last operation, so that
            the many operations of a run share one open (0, the default: close after
            each operation; the built-in ``duckdb`` manager of a run keeps it open 1 s
            and the engine closes it when the run ends).
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
        keep_alive_s: float = 0.0,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path).absolute()
        self.lock_timeout_s = lock_timeout_s
        self.keep_alive_s = keep_alive_s
        self.config = dict(config or {})
        self._write_lock = threading.RLock()
        self._lock = threading.Lock()  # guards the fields below
        self._shared: Any = None  # the open connection kept between operations
        self._shared_pid = 0
        self._users = 0
        self._last_used = 0.0
        self._timer: threading.Timer | None = None
        _OPEN_MANAGERS.add(self)

    def __repr__(self) -> str:
        return f"DuckDBIOManager({str(self.path)!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("path", "lock_timeout_s", "keep_alive_s", "config")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state.pop("path"), **state)  # type: ignore[misc]

    # -- connections -----------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A connection for one operation, retrying while another process holds the lock.

        The database stays open ``keep_alive_s`` after the last operation, so a run's
        operations share one open (opening costs tens of ms); then it is closed and
        other processes can open the file.

        Raises:
            ExecutionError: The file stayed locked for ``lock_timeout_s`` seconds.
        """
        keep = self.path == ":memory:" or self.keep_alive_s > 0
        with self._lock:
            if self._shared is not None and self._shared_pid != os.getpid():
                self._shared = None  # inherited through fork: the parent's, not ours
            base = self._shared
            self._users += base is not None
        if base is None:
            fresh = self._open()  # outside the lock: it may wait for another process
            with self._lock:
                if keep and self._shared is None:
                    self._shared, self._shared_pid = fresh, os.getpid()
                base = self._shared if keep else fresh
                self._users += 1
            if base is not fresh:
                fresh.close()  # another thread opened it meanwhile
        con = base.cursor() if keep else base
        try:
            yield con
        finally:
            con.close()
            with self._lock:
                self._users -= 1
                self._last_used = time.monotonic()
                if keep and self._timer is None and self.path != ":memory:":
                    self._schedule_close(self.keep_alive_s)

    def close(self) -> None:
        """Close the database kept open between operations (unless an operation runs;
        an in-memory database stays: closing it would drop its tables)."""
        with self._lock:
            if self._shared is not None and self._users == 0 and self.path != ":memory:":
                if self._shared_pid == os.getpid():
                    self._shared.close()
                self._shared = None

    def _schedule_close(self, delay: float) -> None:
        self._timer = threading.Timer(delay, self._close_when_idle)
        self._timer.daemon = True
        self._timer.start()

    def _close_when_idle(self) -> None:
        with self._lock:
            self._timer = None
            idle = time.monotonic() - self._last_used
            if self._shared is None:
                return
            if self._users or idle < self.keep_alive_s:
                self._schedule_close(max(self.keep_alive_s - idle, 0.01))
                return
        self.close()

    def _open(self) -> Any:
        import duckdb

        if self.path == ":memory:":
            return duckdb.connect(":memory:", config=self.config)
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

    @contextmanager
    def _transaction(self, what: str) -> Iterator[Any]:
        """A connection inside one transaction, rolled back on any error; DuckDB errors
        become ``ExecutionError``s starting with ``what``."""
        with self._write_lock, self.connect() as con:
            try:
                con.execute("BEGIN TRANSACTION")
                con.execute(_BOOK_DDL)
                yield con
                con.execute("COMMIT")
            except BaseException as e:
                _rollback(con)
                if isinstance(e, ExecutionError) or not isinstance(e, Exception):
                    raise
                raise ExecutionError(f"{what} in {self.path} failed: {e}") from e

    def store(self, context: OutputContext, value: Any) -> None:
        """Write ``value`` as the asset's table (or its partitions), in one transaction."""
        kind = table_kind(value)
        if kind is None and not (context.is_range and isinstance(value, Mapping)):
            raise ExecutionError(
                f"{context.describe()}: the duckdb IO manager stores pandas DataFrames and "
                f"Arrow tables, not {type(value).__name__}. Use io_manager='fs' for this asset."
            )
        schema, table = table_name(context.asset_key)
        target = f"{quote(schema)}.{quote(table)}"
        keys = _keys(context)
        columns = partition_columns(context.metadata)
        what = f"{context.describe()}: storing to DuckDB table {schema}.{table}"
        with self._transaction(what) as con:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
            if keys is None:
                con.register(_VIEW, flat_arrow(value))
                con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {_VIEW}")
                con.execute(
                    f"DELETE FROM {_BOOK} WHERE schema_name = ? AND table_name = ?", [schema, table]
                )
                keys = [""]
            elif columns is None:
                kind = self._store_tagged(con, context, value, keys, target)
            else:
                kind = self._store_by_column(con, context, value, keys, columns, target)
            con.execute(
                f"INSERT OR REPLACE INTO {_BOOK} SELECT ?, ?, unnest(?), ?",
                [schema, table, keys, kind],
            )

    def _store_tagged(
        self, con: Any, context: OutputContext, value: Any, keys: list[str], target: str
    ) -> TableKind:
        """Partitions told apart by an added ``_partition`` column."""
        parts = split_value(context, value) if context.is_range else {keys[0]: value}
        kinds = {table_kind(v) for v in parts.values()}
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is None:
            raise ExecutionError(
                f"{context.describe()}: every partition value must be a DataFrame or an "
                "Arrow table (all of one kind) for the duckdb IO manager."
            )
        selects = []
        for i, (key, part) in enumerate(parts.items()):
            view = f"{_VIEW}_{i}"
            con.register(view, flat_arrow(part))
            drop = f" EXCLUDE ({PARTITION_COLUMN})" if PARTITION_COLUMN in _types(con, view) else ""
            selects.append((f"SELECT *{drop}, ?::VARCHAR AS {PARTITION_COLUMN} FROM {view}", key))
        _create_or_evolve(con, target, selects[0][0], [""])
        con.execute(f"DELETE FROM {target} WHERE list_contains(?, {PARTITION_COLUMN})", [keys])
        for select, key in selects:
            con.execute(f"INSERT INTO {target} BY NAME {select}", [key])
        return kind

    def _store_by_column(
        self,
        con: Any,
        context: OutputContext,
        value: Any,
        keys: list[str],
        columns: list[str],
        target: str,
    ) -> TableKind:
        """Partitions told apart by ``metadata["partition_column"]``; rows outside the
        addressed partitions are refused (they would silently land in others)."""
        if isinstance(value, Mapping):
            value = combine_values(value)
        kind = table_kind(value)
        if kind is None:
            raise ExecutionError(
                f"{context.describe()}: with partition_column, the value must be a "
                "DataFrame or an Arrow table (or a dict of them per partition)."
            )
        con.register(_VIEW, flat_arrow(value))
        frame_types = _types(con, _VIEW)
        absent = [c for c in columns if c not in frame_types]
        if absent:
            raise ExecutionError(
                f"{context.describe()}: partition_column {absent[0]!r} is not a column of "
                f"the value (columns: {list(frame_types)})."
            )
        label = _label_sql(columns, frame_types, keys[0])
        (outside,) = con.execute(
            f"SELECT count(*) FROM {_VIEW} WHERE NOT coalesce(list_contains(?, {label}), false)",
            [keys],
        ).fetchone()
        if outside:
            expected = f"'{keys[0]}'" if len(keys) == 1 else "in the partition range"
            raise ExecutionError(
                f"{context.describe()}: {outside} row(s) have a partition_column "
                f"({', '.join(columns)}) value that is not {expected}; return only the rows "
                "of the partition."
            )
        _create_or_evolve(con, target, f"SELECT * FROM {_VIEW}", [])
        table_label = _label_sql(columns, _types(con, target), keys[0])
        con.execute(f"DELETE FROM {target} WHERE list_contains(?, {table_label})", [keys])
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {_VIEW}")
        return kind

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
            columns = partition_columns(context.metadata)
            tagged = columns is None and PARTITION_COLUMN in types
            query = f"SELECT *{f' EXCLUDE ({PARTITION_COLUMN})' if tagged else ''} FROM {target}"
            params: list[Any] = []
            keys = _keys(context)
            if keys is not None:
                missing = [k for k in keys if k not in stored] if stored else []
                if missing and context.is_range:
                    raise missing_partitions_error(context, missing, where)
                if missing:
                    raise missing_value_error(context, where)
                query += f" WHERE list_contains(?, {_row_label(columns, types, keys)})"
                params = [keys]
            result = con.sql(query, params=params).to_arrow_table()
        return result if set(stored.values()) == {"arrow"} else result.to_pandas()

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
        book = f"DELETE FROM {_BOOK} WHERE schema_name = ? AND table_name = ?"
        with self._transaction(f"Deleting {context.describe()}") as con:
            types = _table_types(con, schema, table)
            if not types:
                return
            if keys is None:
                con.execute(f"DROP TABLE {target}")
                con.execute(book, [schema, table])
            else:
                label = _row_label(partition_columns(context.metadata), types, keys)
                con.execute(f"DELETE FROM {target} WHERE list_contains(?, {label})", [keys])
                con.execute(f"{book} AND list_contains(?, partition_key)", [schema, table, keys])


def _rollback(con: Any) -> None:
    # Suppressed: no transaction is left when it failed to start.
    with contextlib.suppress(Exception):
        con.execute("ROLLBACK")


def _keys(context: OutputContext | InputContext) -> list[str] | None:
    if context.is_range:
        return list(context.partition_keys or ())
    return None if context.partition_key is None else [context.partition_key]


def _types(con: Any, relation: str) -> dict[str, str]:
    """Column name to DuckDB type of an existing view or table."""
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE {relation}").fetchall()}


def _table_types(con: Any, schema: str, table: str) -> dict[str, str]:
    """Like ``_types``, empty when the table does not exist (without raising, which
    would abort an open transaction)."""
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table],
    ).fetchall()
    return dict(rows)


def _create_or_evolve(con: Any, target: str, select: str, params: list[Any]) -> None:
    """Create a partitioned table from the first value's columns; later values' new
    columns are added (earlier partitions read NULL)."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {target} AS {select} LIMIT 0", params)
    existing = _types(con, target)
    for name, type_, *_ in con.execute(f"DESCRIBE {select}", params).fetchall():
        if name not in existing:
            con.execute(f"ALTER TABLE {target} ADD COLUMN {quote(name)} {type_}")
