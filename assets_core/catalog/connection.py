"""Open the catalog database: SQLite (WAL, busy timeout, immediate write
transactions) or PostgreSQL, with migrations applied on first use."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool

from assets_core.catalog import forks
from assets_core.errors import CatalogError
from assets_core.redaction import install_catalog_hook, redactor

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "0005_faults"


def assetline_home(cwd: Path | None = None) -> Path:
    """``$ASSETLINE_HOME`` or ``.assetline/`` in the working directory."""
    env = os.environ.get("ASSETLINE_HOME")
    return Path(env) if env else (cwd or Path.cwd()) / ".assetline"


def default_catalog_url(home: Path | None = None) -> str:
    env = os.environ.get("ASSETLINE_CATALOG_URL")
    if env:
        return env
    home = home or assetline_home()
    return f"sqlite:///{home / 'catalog.db'}"


def _json_default(value: Any) -> Any:
    for attr in ("isoformat", "item"):
        if hasattr(value, attr):
            return getattr(value, attr)()
    return str(value)


def _dumps(value: Any) -> str:
    value = redactor().redact_value(value)
    return json.dumps(value, default=_json_default, allow_nan=False, separators=(",", ":"))


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for the catalog URL (no migrations)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            json_serializer=_dumps,
            connect_args={"check_same_thread": False, "timeout": 60},
            poolclass=NullPool if path == ":memory:" else None,
        )
        _configure_sqlite(engine)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        # psycopg logs a lost connection's cleanup ("error ignored terminating ...")
        # on stderr by itself; the catalog reports a lost connection in one line.
        logging.getLogger("psycopg").addHandler(logging.NullHandler())
        engine = create_engine(url, json_serializer=_dumps, pool_pre_ping=True)
    install_catalog_hook(engine)  # every string written passes the redaction boundary
    forks.forget_in_children(engine)  # a forked child opens connections of its own
    return engine


#: SQLite checkpoints the WAL into the database after a commit leaves it this long.
WAL_CHECKPOINT_PAGES = 10_000


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Manage transactions ourselves so writers take the lock up front
        # (BEGIN IMMEDIATE): a deferred transaction that upgrades to a write can fail
        # with "database is locked" without waiting for the busy timeout.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint fsyncs the WAL and the database; at SQLite's default (every 1,000
        # pages, a few dozen steps of a run) those fsyncs were most of a trivial step's
        # cost. Every 10,000 pages (~40 MB) costs a tenth as many; the WAL file is cut
        # back to 64 MB after a checkpoint if it grew past it.
        cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cur.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("catalog_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def upgrade(engine: Engine) -> bool:
    """Apply pending migrations; return True when something was applied. Cheap when
    the schema is already current (one query, no Alembic import)."""
    if current_revision(engine) == HEAD_REVISION:
        return False
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.connect().execution_options(catalog_write=True) as conn, conn.begin():
            if engine.dialect.name == "postgresql":
                # Serialise concurrent first-use migrations across processes.
                conn.execute(text("SELECT pg_advisory_xact_lock(74657632)"))
            if _revision(conn) == HEAD_REVISION:
                return False
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as e:  # pragma: no cover - depends on the database
        raise CatalogError(
            f"Could not migrate the catalog at {engine.url!r}: {e}. Check the database is "
            "reachable and writable, then run `assetline catalog upgrade`."
        ) from e
    return True


def current_revision(engine: Engine) -> str | None:
    from assets_core.catalog.reconnect import retry_when_lost

    def read() -> str | None:
        with engine.connect() as conn:
            return _revision(conn)

    try:
        return retry_when_lost(read, postgres=engine.dialect.name == "postgresql")
    except Exception as e:
        from assets_core.catalog.faults import catalog_fault

        fault = catalog_fault(e, engine.url.render_as_string(hide_password=False))
        if fault is not None:
            raise fault from None
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise CatalogError(
            f"Cannot open the catalog at {engine.url.render_as_string(hide_password=True)}: "
            f"{first}. Check ASSETLINE_CATALOG_URL / ASSETLINE_HOME."
        ) from None


def _revision(conn: Any) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None
