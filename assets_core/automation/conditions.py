"""``Automation``: declarative conditions under which the daemon materializes an asset
by itself (``@asset(automation=...)``). The daemon evaluates them partition by partition
(see ``evaluation.py``) and records, for each asset, whether it requested a run and why.

- ``Automation.eager()``: an upstream (the same or the mapped partition) has a newer
  materialization than this asset's last attempt; not while an upstream is missing or
  failed, nor while a run for it is queued or running.
- ``Automation.on_cron("0 * * * *")``: after each cron tick, once every upstream has
  updated since that tick; once per tick (the latest partition of time-partitioned
  assets).
- ``Automation.on_missing(lookback=1)``: partitions never materialized (a failed one is
  not retried), within the last ``lookback`` partitions (default: 1 for time
  partitions, every partition otherwise).
- ``a | b``: either requests; ``a & b``: both do.

An asset with a condition and a ``Freshness`` policy is also requested when it is
OVERDUE (and every violation is recorded as a ``FRESHNESS_VIOLATION`` asset event, with
a condition or without).
"""

from __future__ import annotations

from dataclasses import dataclass

from assets_core.errors import DefinitionError

KINDS = ("eager", "on_cron", "on_missing", "any", "all")


@dataclass(frozen=True, slots=True)
class Automation:
    """When the daemon should materialize an asset by itself. Build one with
    ``Automation.eager()``, ``.on_cron(...)``, ``.on_missing(...)``, and combine them
    with ``|`` (either) and ``&`` (both).

    Attributes:
        kind: ``eager``, ``on_cron``, ``on_missing``, ``any`` (``|``) or ``all`` (``&``).
        cron: The cron expression of ``on_cron``.
        timezone: The timezone ``cron`` is read in.
        lookback: How many of the latest partitions ``on_missing`` looks at.
        operands: The conditions ``any``/``all`` combine.
    """

    kind: str
    cron: str | None = None
    timezone: str = "UTC"
    lookback: int | None = None
    operands: tuple[Automation, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DefinitionError(
                f"Unknown automation condition {self.kind!r}; use Automation.eager(), "
                ".on_cron(cron) or .on_missing(), combined with | and &."
            )

    @classmethod
    def eager(cls) -> Automation:
        """Materialize whenever an upstream asset (partition) has a newer
        materialization, once no upstream is missing, failed or being materialized."""
        return cls("eager")

    @classmethod
    def on_cron(cls, cron: str, timezone: str = "UTC") -> Automation:
        """Materialize after each tick of ``cron``, once every upstream has updated
        since the tick.

        Args:
            cron: A cron expression, e.g. ``"0 * * * *"`` (hourly).
            timezone: The IANA timezone whose wall clock ``cron`` reads.
        """
        from assets_core.automation.cron import CronSchedule

        CronSchedule(cron, timezone)  # validates both
        return cls("on_cron", cron=cron, timezone=timezone)

    @classmethod
    def on_missing(cls, lookback: int | None = None) -> Automation:
        """Materialize partitions that were never materialized.

        Args:
            lookback: How many of the latest partitions to consider; default 1 for time
                partitions (never the whole history by surprise), all for others.
        """
        if lookback is not None and (
            not isinstance(lookback, int) or isinstance(lookback, bool) or lookback < 1
        ):
            raise DefinitionError(
                f"Automation.on_missing(lookback={lookback!r}): use an int >= 1 (the number "
                "of latest partitions to look at)."
            )
        return cls("on_missing", lookback=lookback)

    def __or__(self, other: Automation) -> Automation:
        return _combine("any", self, other)

    def __and__(self, other: Automation) -> Automation:
        return _combine("all", self, other)

    def leaves(self) -> list[Automation]:
        """The eager/on_cron/on_missing conditions it is made of."""
        if self.kind in ("any", "all"):
            return [leaf for op in self.operands for leaf in op.leaves()]
        return [self]

    def describe(self) -> str:
        """The condition as code: ``eager() | on_cron('0 * * * *')``."""
        if self.kind == "eager":
            return "eager()"
        if self.kind == "on_cron":
            tz = f", timezone={self.timezone!r}" if self.timezone != "UTC" else ""
            return f"on_cron({self.cron!r}{tz})"
        if self.kind == "on_missing":
            return f"on_missing(lookback={self.lookback})" if self.lookback else "on_missing()"
        sep = " | " if self.kind == "any" else " & "
        parts = [
            f"({op.describe()})" if op.kind in ("any", "all") else op.describe()
            for op in self.operands
        ]
        return sep.join(parts)

    def __str__(self) -> str:
        return self.describe()


def _combine(kind: str, a: Automation, b: object) -> Automation:
    if not isinstance(b, Automation):
        raise DefinitionError(
            f"Cannot combine an automation condition with {b!r}; combine Automation.eager(), "
            ".on_cron(...) and .on_missing() with | and &."
        )
    operands = [
        *(a.operands if a.kind == kind else (a,)),
        *(b.operands if b.kind == kind else (b,)),
    ]
    return Automation(kind, operands=tuple(operands))


__all__ = ["Automation"]
