"""``assetline catalog check``: is the catalog database sound? SQLite's own
``PRAGMA integrity_check`` (pages, indexes), then, on either backend, rows that point at
something that does not exist (steps, events, materializations of no run...). Reads
only; each query stands alone, so a damaged table is reported and the others checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

#: How many lines of ``integrity_check`` to report (it can list every broken page).
MAX_INTEGRITY_LINES: Final = 20

#: (table, what its orphan rows are, the condition that finds them in ``x``).
ORPHAN_RULES: Final = (
    ("run_steps", "steps without a run", "NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = x.run_id)"),
    ("events", "events without a run", "NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = x.run_id)"),
    (
        "materializations",
        "materializations without a run",
        "NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = x.run_id)",
    ),
    (
        "check_results",
        "check results of a run that does not exist",
        "x.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = x.run_id)",
    ),
    (
        "asset_partitions",
        "latest outcomes pointing at a missing materialization",
        "x.materialization_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM materializations m WHERE m.id = x.materialization_id)",
    ),
    (
        "provenance",
        "provenance of or to a missing materialization",
        "NOT EXISTS (SELECT 1 FROM materializations m WHERE m.id = x.materialization_id) "
        "OR NOT EXISTS (SELECT 1 FROM materializations m WHERE m.id = x.upstream_id)",
    ),
)


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """One thing wrong with the catalog.

    Attributes:
        kind: ``integrity`` (SQLite's check), ``orphans`` (rows pointing at nothing) or
            ``unreadable`` (a table that could not be read at all).
        table: The table concerned, if one.
        count: How many rows (1 for a line of ``integrity_check``).
        detail: The problem in words.
    """

    kind: str
    table: str | None
    count: int
    detail: str

    def to_dict(self) -> dict[str, object]:
        """The problem as ``assetline catalog check --format json`` prints it."""
        return {"kind": self.kind, "table": self.table, "count": self.count, "detail": self.detail}


def check_catalog(engine: Engine) -> list[CatalogProblem]:
    """Every problem found in the catalog behind ``engine`` (empty when sound)."""
    problems: list[CatalogProblem] = []
    if engine.dialect.name == "sqlite":
        problems.extend(_integrity(engine))
        if any("file is not a database" in p.detail for p in problems):
            return problems  # nothing else can be read
    for table, what, condition in ORPHAN_RULES:
        try:
            with engine.connect() as conn:
                n = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table} x WHERE {condition}")
                count = int(n.scalar_one())
        except Exception as e:
            problems.append(CatalogProblem("unreadable", table, 1, f"cannot read it: {_why(e)}"))
            continue
        if count:
            problems.append(CatalogProblem("orphans", table, count, f"{count} {what}"))
    return problems


def _integrity(engine: Engine) -> list[CatalogProblem]:
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(f"PRAGMA integrity_check({MAX_INTEGRITY_LINES})").fetchall()
    except Exception as e:
        return [CatalogProblem("unreadable", None, 1, f"integrity_check failed: {_why(e)}")]
    lines = [line for r in rows for line in str(r[0]).splitlines()]
    if lines == ["ok"]:
        return []
    return [
        CatalogProblem("integrity", None, 1, line)
        for line in lines[:MAX_INTEGRITY_LINES]
        if not line.startswith("*** in database")
    ]


def _why(e: BaseException) -> str:
    """The database's own words (without the SQL SQLAlchemy adds)."""
    return str(getattr(e, "orig", None) or e).splitlines()[0]
