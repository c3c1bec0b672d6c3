"""What differs between SQLite and PostgreSQL, and the small helpers every aggregate
module shares: upserts, chunked ``IN`` lists, a raw DB-API cursor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import JSON, Connection, Table, insert

from assets_core.catalog.writes import dumps
from assets_core.redaction import guarded_cursor

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

#: Rows of an ``IN (...)`` list per statement: below SQLite's bound-parameter limit on
#: old builds.
CHUNK = 900


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``.

    Args:
        items: The values of an ``IN (...)`` list.
        size: The largest slice.
    """
    for i in range(0, len(items), size):
        yield items[i : i + size]


@contextmanager
def raw_cursor(conn: Connection) -> Iterator[tuple[Any, str]]:
    """A DB-API cursor on ``conn`` and the driver's parameter mark (``?`` or ``%s``), for
    the bulk reads where SQLAlchemy's result objects cost more than the query.

    Args:
        conn: An open connection; the cursor shares its transaction.
    """
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield guarded_cursor(cursor), mark
    finally:
        cursor.close()


def insert_many(
    conn: Connection, table: Table, rows: list[dict[str, Any]], ids: bool = False
) -> list[int]:
    """Insert many rows on the DB-API cursor: SQLAlchemy's per-row processing (JSON
    columns above all) costs more than the statement when a commit holds thousands of
    rows (1,000 schedule ticks and their runs; 10,000 evaluations).

    Args:
        conn: A connection in a write transaction.
        table: The table to write.
        rows: Column name -> value, the same columns in every row.
        ids: Return the new rows' ids, in order (the table's ``id`` column).
    """
    if not rows:
        return []
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    # One C-level itemgetter per row, then the JSON columns encoded in place: a
    # generator per row cost a fifth of committing 1,000 schedule ticks.
    get = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    encoded = [i for i, c in enumerate(columns) if c in json_columns]
    values: list[Any] = [get(row) for row in rows]
    if encoded:
        for n, row_values in enumerate(values):
            listed = list(row_values)
            for i in encoded:
                listed[i] = _json(listed[i])
            values[n] = listed
    if ids and conn.dialect.name != "sqlite":
        stmt = insert(table).returning(table.c.id)
        return [r[0] for r in conn.execute(stmt, rows)]
    with raw_cursor(conn) as (cursor, mark):
        cursor.executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
            f"({', '.join([mark] * len(columns))})",
            values,
        )
        if not ids:
            return []
        # SQLite: this transaction holds the write lock, so the new ids are consecutive.
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
    return list(range(last - len(rows) + 1, last + 1))


def _json(value: Any) -> str | None:
    if not value and isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    return dumps(value)


def _insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with the dialect's ``ON CONFLICT`` clauses."""
    # Imported here: the dialect modules cost ~25 ms to import and few commands write.
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``rows``; on a primary-key conflict update the ``update`` columns.

    Args:
        conn: A connection in a write transaction.
        table: The table to write.
        rows: Column name -> value, one dict per row.
        keys: The columns of the conflicting key.
        update: The columns to overwrite on a conflict.
    """
    if not rows:
        return
    stmt = _insert(conn, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
    )
    conn.execute(stmt, list(rows))


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows`` skipping those whose primary key exists; return how many were new.

    Args:
        conn: A connection in a write transaction.
        table: The table to write.
        rows: Column name -> value, one dict per row.
    """
    if not rows:
        return 0
    # Count the rows actually inserted with RETURNING: with several parameter sets the
    # driver's rowcount is -1 on PostgreSQL.
    key = next(iter(table.primary_key.columns))
    stmt = _insert(conn, table).on_conflict_do_nothing().returning(key)
    return len(conn.execute(stmt, list(rows)).all())
