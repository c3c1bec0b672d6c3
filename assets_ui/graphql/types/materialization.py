"""The ``Materialization``, ``Check`` and ``CheckResult`` types of the asset API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from assets_core.keys import AssetKey
from assets_core.partitions.dynamic import DynamicKeyCache
from assets_ui.graphql.cache import MAX_AGE_S
from assets_ui.graphql.context import ctx, page_size
from assets_ui.graphql.types.common import (
    JSON,
    as_json,
    to_datetime,
)

if TYPE_CHECKING:
    from assets_core.catalog.records import CheckResultRecord, MaterializationRecord
    from assets_core.checks.check import AssetCheckDefinition
    from assets_ui.graphql.context import Context

MAX_PARTITION_KEYS = 100_000
MAX_HISTORY = 500


async def partition_keys(context: Context, key: AssetKey) -> list[str]:
    """Every partition key of ``key`` (dynamic ones from the catalog, batched)."""
    partitions = context.graph.get(key).spec.partitions
    if partitions is None:
        return []
    names = partitions.dynamic_names()
    keys = await asyncio.gather(*(context.loaders.dynamic_keys.load(n) for n in names))
    dynamic = DynamicKeyCache(dict(zip(names, keys, strict=True)))
    now = datetime.now(UTC)
    found = partitions.get_partition_keys(dynamic, current_time=now)
    # Time windows close with the clock: an answer holding these keys is not served
    # again once a new window would have been added.
    later = now + timedelta(seconds=MAX_AGE_S)
    if partitions.num_partitions(dynamic, current_time=later) != len(found):
        context.validity.expires_at(now.timestamp())
    return found


@strawberry.type
class CheckResult:
    """One evaluation of a check."""

    status: str
    passed: bool
    partition: str | None
    run_id: str | None
    timestamp: datetime
    metadata: JSON
    error: str | None

    @classmethod
    def of(cls, r: CheckResultRecord) -> CheckResult:
        """From a catalog record."""
        ts = to_datetime(r.timestamp)
        assert ts is not None
        return cls(
            status=r.status,
            passed=r.passed,
            partition=r.partition,
            run_id=r.run_id,
            timestamp=ts,
            metadata=as_json(r.metadata),
            error=r.error,
        )


@strawberry.type
class Check:
    """A data-quality check of an asset."""

    name: str
    severity: str
    blocking: bool
    description: str | None
    asset_key: strawberry.Private[str]

    @classmethod
    def of(cls, check: AssetCheckDefinition) -> Check:
        """From its definition."""
        return cls(
            name=check.name,
            severity=check.severity,
            blocking=check.blocking,
            description=check.description,
            asset_key=str(check.asset_key),
        )

    @strawberry.field
    async def last_result(self, info: Info) -> CheckResult | None:
        """The latest evaluation."""
        r = await ctx(info).loaders.last_check.load((self.asset_key, self.name))
        return CheckResult.of(r) if r is not None else None

    @strawberry.field
    async def history(self, info: Info, limit: int | None = 20) -> list[CheckResult]:
        """The latest ``limit`` evaluations, newest first."""
        n = page_size(limit, 20, MAX_HISTORY, "history(limit)")
        rs = await ctx(info).loaders.check_history.load((self.asset_key, self.name, n))
        return [CheckResult.of(r) for r in rs]


@strawberry.type
class Materialization:
    """One stored value of an asset (or of one partition)."""

    id: str
    asset_key: str
    run_id: str
    timestamp: datetime
    partition: str | None
    data_version: str | None
    code_version: str | None
    metadata: JSON
    record_id: strawberry.Private[int]

    @classmethod
    def of(cls, m: MaterializationRecord) -> Materialization:
        """From a catalog record."""
        ts = to_datetime(m.timestamp)
        assert ts is not None
        return cls(
            id=str(m.id),
            asset_key=m.asset_key,
            run_id=m.run_id,
            timestamp=ts,
            partition=m.partition,
            data_version=m.data_version,
            code_version=m.code_version,
            metadata=as_json(m.metadata),
            record_id=m.id,
        )

    @strawberry.field
    async def upstream(self, info: Info) -> list[Materialization]:
        """The upstream materializations this one consumed (provenance)."""
        return [
            Materialization.of(m) for m in await ctx(info).loaders.provenance.load(self.record_id)
        ]
