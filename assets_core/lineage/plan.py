"""The column-lineage plan of a query: what ``lineage.sql.analyze`` reads from
sqlglot's scopes, before any table's columns are known. Each ``SELECT`` has sources,
outputs (the columns each output expression uses, and how) and uses common to all its
outputs (WHERE, JOIN, GROUP BY, HAVING, QUALIFY, ORDER BY)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

#: OpenLineage's subtypes of a DIRECT source: its value flows into the column
DIRECT_SUBTYPES = ("IDENTITY", "TRANSFORMATION", "AGGREGATION")
#: and of an INDIRECT one: it decides which rows or how
INDIRECT_SUBTYPES = ("FILTER", "JOIN", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL")


@dataclass(frozen=True, slots=True)
class Ref:
    """A column the query names. ``source`` is the table alias as written (None when
    unqualified); ``fallback`` the index of an earlier output column of the same
    ``SELECT`` whose alias the name may mean when no source has such a column."""

    source: str | None
    column: str
    subtype: str
    fallback: int | None = None


@dataclass(frozen=True, slots=True)
class SubqueryRef:
    """A subquery inside an expression: every column it yields, used as ``subtype``."""

    query: Plan
    subtype: str


Use = Union[Ref, SubqueryRef]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True, slots=True)
class Output:
    """An output column of a ``SELECT`` and the columns its expression uses."""

    name: str
    uses: tuple[Use, ...]


@dataclass(frozen=True, slots=True)
class Star:
    """``*`` (``source`` None) or ``t.*``, minus DuckDB's ``EXCLUDE`` columns."""

    source: str | None
    exclude: frozenset[str]


@dataclass(frozen=True, slots=True)
class Source:
    """What an alias of a ``FROM``/``JOIN`` reads: a table (``table``, dotted as
    written), a CTE or derived table (``query``), or neither (a table function)."""

    alias: str
    table: str | None = None
    query: Plan | None = None


@dataclass(frozen=True, slots=True)
class SelectPlan:
    """One ``SELECT``: its sources, its outputs, and the uses that apply to every
    output (WHERE, JOIN, GROUP BY, HAVING, QUALIFY, ORDER BY)."""

    sources: tuple[Source, ...]
    outputs: tuple[Output | Star, ...]
    common: tuple[Use, ...]
    using: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SetPlan:
    """``UNION [ALL]``, ``INTERSECT``, ``EXCEPT``: output columns by position, named
    after the first branch; ``common`` names those outputs (an ORDER BY)."""

    branches: tuple[Plan, ...]
    common: tuple[Use, ...]


Plan = Union[SelectPlan, SetPlan]  # noqa: UP007 - a runtime alias
