"""Shared fixtures: a throwaway ``ASSETLINE_HOME`` for every test, catalogs on SQLite and
PostgreSQL, and a runner for the real ``assetline`` program.

PostgreSQL tests read ``ASSETLINE_TEST_POSTGRES_URL`` (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and are skipped when it is unset.
Nothing is written to that database: each session creates a database of its own
(dropped at the end) whose tables are emptied before every test, and tests that need an
empty database (migrations, subprocesses migrating on first use) get a fresh one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog

POSTGRES_ENV = "ASSETLINE_TEST_POSTGRES_URL"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ASSETLINE = Path(sys.executable).with_name("assetline")


@pytest.fixture(autouse=True)
def assetline_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs with its own ``$ASSETLINE_HOME`` (SQLite catalog and storage) and
    without an inherited ``ASSETLINE_CATALOG_URL`` (nor executor or pool settings)."""
    home = tmp_path / "assetline_home"
    monkeypatch.setenv("ASSETLINE_HOME", str(home))
    monkeypatch.delenv("ASSETLINE_CATALOG_URL", raising=False)
    for name in ("ASSETLINE_EXECUTOR", "ASSETLINE_DASK_ADDRESS", "ASSETLINE_POOL_LEASE_S"):
        monkeypatch.delenv(name, raising=False)
    return home


def postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set; PostgreSQL catalog tests need it.")
    return url


def _admin_url() -> str:
    from sqlalchemy.engine import make_url

    base = make_url(postgres_base_url())
    return base.set(drivername="postgresql").render_as_string(hide_password=False)


def _database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    base = make_url(postgres_base_url())
    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its SQLAlchemy URL and drops it
    afterwards (also when connections to it are still open)."""
    import psycopg

    admin = _admin_url()
    name = f"assetline_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_session_database() -> Iterator[str]:
    """A database of this test session (a pytest-xdist worker gets its own), migrated
    once; ``catalog_url`` empties its tables before each test."""
    with fresh_postgres_database() as url:
        Catalog.open(url).close()
        yield url


def empty_catalog_tables(url: str) -> None:
    """Delete every row of the catalog tables (not the schema version), so a test sees
    nothing of the tests before it."""
    import psycopg
    from sqlalchemy.engine import make_url

    from assets_core.catalog.tables import metadata

    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    tables = ", ".join(f'"{t}"' for t in metadata.tables)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database (skips without PostgreSQL)."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalog_url(request: pytest.FixtureRequest, assetline_home: Path) -> str:
    """A catalog URL: a SQLite file in the test's home, or the session's PostgreSQL
    database with every table emptied (already migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{assetline_home / 'catalog.db'}"
    url: str = request.getfixturevalue("postgres_session_database")
    empty_catalog_tables(url)
    return url


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    """An open (migrated) catalog on each backend of ``catalog_url``."""
    cat = Catalog.open(catalog_url)
    try:
        yield cat
    finally:
        cat.close()


@pytest.fixture
def sqlite_catalog(assetline_home: Path) -> Iterator[Catalog]:
    """The default catalog of the test's home: ``$ASSETLINE_HOME/catalog.db``."""
    cat = Catalog.open()
    try:
        yield cat
    finally:
        cat.close()


@dataclass(frozen=True)
class CliResult:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> object:
        import json

        return json.loads(self.stdout)

    def __str__(self) -> str:
        return (
            f"assetline {' '.join(self.args)} -> exit {self.returncode}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


Cli = Callable[..., CliResult]


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an ``assetline`` subprocess: this test's (its home), a wide
    terminal so tables do not wrap, no bytecode cache, plus ``extra``."""
    env = dict(os.environ)
    env.update({"COLUMNS": "200", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra or {})
    return env


def assetline_command(*args: str) -> list[str]:
    return [str(ASSETLINE), *args]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """Run the real ``assetline`` program: ``cli("list", "-f", path, env={...})``."""

    def run(
        *args: str | Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
        cwd: Path | None = None,
    ) -> CliResult:
        argv = tuple(str(a) for a in args)
        proc = subprocess.run(
            assetline_command(*argv),
            env=cli_env(env),
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return CliResult(argv, proc.returncode, proc.stdout, proc.stderr)

    return run


def run_commands(
    commands: Sequence[Sequence[str | Path]], env: Mapping[str, str], cwd: Path
) -> list[CliResult]:
    """Run independent ``assetline`` commands at once; their results in order."""
    procs = []
    for args in commands:
        argv = tuple(str(a) for a in args)
        proc = subprocess.Popen(
            assetline_command(*argv),
            env=dict(env),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append((argv, proc))
    results = []
    for argv, proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(CliResult(argv, proc.returncode, out, err))
    return results


@pytest.fixture
def cli_many(tmp_path: Path) -> Callable[[Sequence[Sequence[str | Path]]], list[CliResult]]:
    """Run several ``assetline`` commands at once (independent commands only) and
    return their results in order; keeps subprocess-heavy tests fast on 2 cores."""

    def run(commands: Sequence[Sequence[str | Path]]) -> list[CliResult]:
        return run_commands(commands, cli_env(), tmp_path)

    return run


@pytest.fixture(scope="session")
def assetline_commands() -> Callable[..., list[CliResult]]:
    """For module-scoped set-ups: ``assetline_commands(commands, home=..., cwd=...)``
    runs commands at once against the given home (no inherited catalog URL)."""

    def run(
        commands: Sequence[Sequence[str | Path]],
        *,
        home: Path,
        cwd: Path,
        env: Mapping[str, str] | None = None,
    ) -> list[CliResult]:
        full = cli_env({"ASSETLINE_HOME": str(home), **(env or {})})
        full.pop("ASSETLINE_CATALOG_URL", None)
        return run_commands(commands, full, cwd)

    return run


Spawn = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """Start the real ``assetline`` program without waiting for it:
    ``proc = spawn("materialize", "-f", path, env={...})``. Processes still running at
    the end of the test are killed."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str | Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            assetline_command(*(str(a) for a in args)),
            env=cli_env(env),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.fixture(scope="session")
def fixture_path() -> Callable[[str], Path]:
    """The path of a fixture code location in tests/fixtures (``engine_*.py``)."""

    def path(name: str) -> Path:
        p = FIXTURES / f"{name}.py"
        assert p.is_file(), p
        return p

    return path
