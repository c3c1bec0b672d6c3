"""One redaction boundary (SPEC §13): a code location that puts its ``EnvVar`` secret
in every channel (tests/fixtures/leaky_location.py), run by ``assetline materialize``
and ``assetline check`` as real processes on SQLite and PostgreSQL. The secret occurs
zero times in what they print, in the SQLite files (bytes, WAL included) and in the
catalog's rows; ``***`` shows where it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select

from tests.conftest import FIXTURES

SECRET = "s3cr3t-Vq7Lm2-redact-me"
LEAKY = str(FIXTURES / "leaky_location.py")
ASSETLINE = Path(sys.executable).with_name("assetline")


def assetline(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ASSETLINE_HOME": str(home),
        "ASSETLINE_CATALOG_URL": url,
        "ASSETLINE_TEST_LEAKY_SECRET": SECRET,
    }
    return subprocess.run(
        [str(ASSETLINE), *args], env=env, cwd=home.parent, capture_output=True, text=True
    )


def catalog_text(url: str) -> str:
    """Every row of every catalog table, as text (JSON columns as stored)."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    rows = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            rows += [f"{table.name}: {row!r}" for row in conn.execute(select(table))]
    engine.dispose()
    return "\n".join(rows)


def sqlite_bytes(url: str) -> bytes:
    if not url.startswith("sqlite"):
        return b""
    db = Path(url.split("///", 1)[1])
    return b"".join(f.read_bytes() for f in db.parent.glob(db.name + "*"))


@pytest.mark.parametrize("executor", ["inprocess", "multiprocess"])
def test_a_secret_in_every_channel_never_reaches_terminal_or_catalog(
    catalog_url: str, assetline_home: Path, executor: str
) -> None:
    run = assetline(
        assetline_home, catalog_url, "materialize", "-f", LEAKY, "--select", "leaky+",
        "--tag", f"who={SECRET}", "--tag", f"{SECRET}=key", "--executor", executor,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr  # leaky_failure fails on purpose
    check = assetline(assetline_home, catalog_url, "check", "-f", LEAKY, "--select", "leaky")
    printed = run.stdout + run.stderr + check.stdout + check.stderr
    stored = catalog_text(catalog_url)
    # What a step prints is captured into the catalog (STEP_OUTPUT), what a check or
    # the CLI prints reaches the terminal: redacted either way.
    for said in ("print says", "stderr says", "logging says", "warnings say", "step error says"):
        assert f"{said} ***" in printed + stored, said
    assert SECRET not in printed

    for said in (
        "context.log says ***", "key ***", "value ***", "version-***", "description says ***",
        "check error says ***", "step error says ***", "'who': '***'", "RuntimeError: check",
    ):  # fmt: skip
        assert said in stored, said
    assert SECRET not in stored
    assert SECRET.encode() not in sqlite_bytes(catalog_url)
