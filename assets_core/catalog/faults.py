"""What a raw database exception means for a person: a damaged SQLite file, a full
disk. ``catalog_fault`` turns one into a ``CatalogDamagedError`` or a
``CatalogWriteError`` whose message names the file and what to do; the CLI prints that
line instead of a traceback, and a run records it as its failure."""

from __future__ import annotations

import errno
from collections.abc import Iterator

from assets_core.errors import CatalogDamagedError, CatalogError, CatalogWriteError

#: SQLite's and PostgreSQL's words for a corrupt database.
_DAMAGED = (
    "database disk image is malformed",
    "file is not a database",
    "malformed database schema",
    "invalid page",
)
#: ... for a write the disk refused, and the short reason printed for each.
_REFUSED = (
    ("database or disk is full", "database or disk is full"),
    ("no space left on device", "database or disk is full"),
    ("could not extend file", "database or disk is full"),
    ("disk i/o error", "disk I/O error"),
    ("attempt to write a readonly database", "the database is read-only"),
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the DB-API exception SQLAlchemy wraps (``orig``), and their causes."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend([getattr(e, "orig", None), e.__cause__, e.__context__])


def catalog_location(url: str) -> str:
    """The catalog as a person finds it: the SQLite file's path, else the URL without
    its password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def catalog_fault(exc: BaseException, url: str | None = None) -> CatalogError | None:
    """The ``CatalogError`` that ``exc`` stands for, or None when it is not a fault of
    the catalog's storage (then it is a bug or the user's, and is raised as is).

    Args:
        exc: What a catalog call raised (a SQLAlchemy, sqlite3 or psycopg error, or an
            ``OSError``).
        url: The catalog's URL; by default the one this process opens.
    """
    if isinstance(exc, (CatalogDamagedError, CatalogWriteError)):
        return exc
    damaged = refused = None
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            refused = "database or disk is full"
        text = str(e).lower()
        damaged = damaged or next((m for m in _DAMAGED if m in text), None)
        refused = refused or next((r for m, r in _REFUSED if m in text), None)
    if damaged is None and refused is None:
        return None
    if url is None:
        from assets_core.catalog.connection import default_catalog_url

        url = default_catalog_url()
    where = catalog_location(url)
    if damaged is not None:
        return damaged_error(where, damaged)
    return CatalogWriteError(
        f"catalog write failed: {refused} ({where}). Free space (or make it writable) and "
        "run again; `assetline catalog check` verifies the catalog."
    )


def damaged_error(where: str, detail: str, *, check_hint: bool = True) -> CatalogDamagedError:
    """The error for a corrupt catalog file ``where``, with the ways to recover it (and
    ``assetline catalog check`` when ``check_hint``)."""
    hint = " `assetline catalog check` lists the problems." if check_hint else ""
    return CatalogDamagedError(
        f"The catalog file {where} is damaged ({detail}). Stop every Assetline process "
        f"using it, then restore it from a backup, or recover what is readable: "
        f"`sqlite3 {where} .recover | sqlite3 {where}.recovered` and move "
        f"{where}.recovered over {where}.{hint}"
    )
