"""What every part of the ``Catalog`` façade shares: the engine, the batch writer, the
commit marker, and running a query module's function on a read or write connection
(reconnecting to a PostgreSQL server that went away)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine

from assets_core.catalog import (
    forks,
)
from assets_core.catalog.changes import CommitMarker
from assets_core.catalog.reconnect import retry_when_lost
from assets_core.catalog.writes import BatchWriter

P = ParamSpec("P")
R = TypeVar("R")


class CatalogBase:
    """The engine and connections of a catalog; the façade's parts build on it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._writer = BatchWriter(engine)
        self.commits = CommitMarker(engine)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with (
            forks.transaction(),
            self.engine.connect().execution_options(catalog_write=True) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with forks.transaction(), self.engine.connect() as conn:
            yield conn

    def _reading(
        self, fn: Callable[Concatenate[Connection, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        def read() -> R:
            with self._read() as conn:
                return fn(conn, *args, **kwargs)

        return retry_when_lost(read, postgres=self._postgres)

    def _writing(
        self, fn: Callable[Concatenate[Connection, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        def write() -> R:
            with self._write() as conn:
                return fn(conn, *args, **kwargs)

        return retry_when_lost(write, postgres=self._postgres)
