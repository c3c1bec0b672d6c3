"""Asset status computed from the catalog (SPEC §4): MISSING, FRESH, STALE with
reasons, FAILED and OVERDUE, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import time

import pandas as pd

from assets_core import Definitions, Freshness, asset
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.status import AssetStatusInfo, asset_statuses
from assets_core.execution.run import materialize


def chain(
    b_version: str = "1", fail: str = "", freshness: str | None = None, a_changes: bool = True
) -> Definitions:
    """a -> b -> c; ``fail`` names an asset that raises; ``freshness`` is c's max lag;
    ``a`` returns new data on every call unless ``a_changes`` is False."""
    calls = itertools.count()

    @asset
    def a() -> int:
        if fail == "a":
            raise RuntimeError("a is broken")
        return next(calls) if a_changes else 1

    @asset(code_version=b_version)
    def b(a: int) -> int:
        if fail == "b":
            raise RuntimeError("b is broken")
        return a + 1

    @asset(freshness=Freshness(max_lag=freshness) if freshness else None)
    def c(b: int) -> int:
        return b + 1

    return Definitions(assets=[a, b, c])


def statuses(
    defs: Definitions, catalog: Catalog, now: float | None = None
) -> dict[str, AssetStatusInfo]:
    return {str(k): v for k, v in asset_statuses(defs.graph, catalog, now=now).items()}


def summary(defs: Definitions, catalog: Catalog) -> dict[str, tuple[str, list[str]]]:
    return {k: (v.status, v.reasons) for k, v in statuses(defs, catalog).items()}


def test_missing_before_any_run(catalog: Catalog) -> None:
    defs = chain()
    assert summary(defs, catalog) == {
        "a": ("MISSING", []),
        "b": ("MISSING", []),
        "c": ("MISSING", []),
    }
    assert all(s.latest is None for s in statuses(defs, catalog).values())


def test_fresh_after_a_run(catalog: Catalog) -> None:
    defs = chain()
    result = materialize(defs, catalog=catalog)
    got = statuses(defs, catalog)
    assert {k: (v.status, v.reasons) for k, v in got.items()} == {
        "a": ("FRESH", []),
        "b": ("FRESH", []),
        "c": ("FRESH", []),
    }
    assert {v.latest.run_id for v in got.values() if v.latest} == {result.run_id}


def test_stale_after_upstream_rematerializes(catalog: Catalog) -> None:
    defs = chain()
    materialize(defs, catalog=catalog)
    materialize(defs, "a", catalog=catalog)
    got = summary(defs, catalog)
    assert got["a"] == ("FRESH", [])
    assert got["b"] == ("STALE", ["upstream a was materialized after this asset"])
    # c consumed the b that is still b's latest materialization, but b is stale now,
    # so c is too: staleness is transitive.
    assert got["c"] == ("STALE", ["upstream b is stale"])


def test_an_upstream_that_produced_the_same_data_leaves_downstream_fresh(
    catalog: Catalog,
) -> None:
    """Staleness follows data versions: a source re-materialized with unchanged content
    (its version is a hash of the content) does not make downstream stale."""
    defs = chain(a_changes=False)
    materialize(defs, catalog=catalog)
    materialize(defs, "a", catalog=catalog)
    assert {s for s, _ in summary(defs, catalog).values()} == {"FRESH"}
    # b re-run on the same input keeps its version too: c stays fresh.
    materialize(defs, "a or b", catalog=catalog)
    assert {s for s, _ in summary(defs, catalog).values()} == {"FRESH"}


def test_a_dataframe_source_is_versioned_by_its_content(catalog: Catalog) -> None:
    rows = [[1, 2], [1, 2], [1, 3]]

    @asset
    def source() -> pd.DataFrame:
        return pd.DataFrame({"x": rows.pop(0)})

    @asset
    def total(source: pd.DataFrame) -> int:
        return int(source["x"].sum())

    defs = Definitions(assets=[source, total])
    materialize(defs, catalog=catalog)
    materialize(defs, "source", catalog=catalog)  # same rows: same data version
    assert summary(defs, catalog)["total"] == ("FRESH", [])
    versions = [m.data_version for m in catalog.materializations("source")]
    assert len(versions) == 2 and len(set(versions)) == 1
    materialize(defs, "source", catalog=catalog)  # a changed row
    assert summary(defs, catalog)["total"] == (
        "STALE",
        ["upstream source was materialized after this asset"],
    )


def test_fresh_again_after_rematerializing_downstream(catalog: Catalog) -> None:
    defs = chain()
    materialize(defs, catalog=catalog)
    materialize(defs, "a", catalog=catalog)
    materialize(defs, "b", catalog=catalog)
    got = summary(defs, catalog)
    assert got["b"] == ("FRESH", [])
    assert got["c"] == ("STALE", ["upstream b was materialized after this asset"])
    materialize(defs, "c", catalog=catalog)
    assert {s for s, _ in summary(defs, catalog).values()} == {"FRESH"}


def test_stale_after_code_version_change(catalog: Catalog) -> None:
    materialize(chain(b_version="1"), catalog=catalog)
    changed = chain(b_version="2")
    got = summary(changed, catalog)
    assert got["b"][0] == "STALE"
    assert got["b"][1] == ["code version changed: 1 -> 2"]
    assert all("code version changed" in r for r in got["b"][1])
    assert got["a"] == ("FRESH", [])

    materialize(changed, "b", catalog=catalog)
    assert summary(changed, catalog)["b"] == ("FRESH", [])


def test_stale_when_a_new_upstream_was_never_materialized(catalog: Catalog) -> None:
    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a

    materialize([a, b], catalog=catalog)

    @asset
    def extra() -> int:
        return 2

    @asset(key="b")
    def b2(a: int, extra: int) -> int:
        return a + extra

    got = summary(Definitions(assets=[a, extra, b2]), catalog)
    assert got["extra"] == ("MISSING", [])
    assert got["b"] == ("STALE", ["upstream extra is missing"])


def test_failed_after_a_failure_and_fresh_after_a_fix(catalog: Catalog) -> None:
    materialize(chain(), catalog=catalog)
    broken = chain(fail="b")
    result = materialize(broken, catalog=catalog)
    assert result.status == "FAILURE"
    got = statuses(broken, catalog)
    assert got["b"].status == "FAILED"
    # The previous successful value stays the latest materialization.
    assert got["b"].latest is not None and got["b"].latest.run_id != result.run_id

    materialize(chain(), catalog=catalog)
    assert statuses(chain(), catalog)["b"].status == "FRESH"


def test_failed_before_any_success(catalog: Catalog) -> None:
    defs = chain(fail="a")
    materialize(defs, catalog=catalog)
    got = statuses(defs, catalog)
    assert got["a"].status == "FAILED"
    assert got["a"].latest is None
    # Never attempted (skipped) is not a failure of its own.
    assert got["b"].status == "MISSING"


def test_overdue_with_a_freshness_policy(catalog: Catalog) -> None:
    defs = chain(freshness="2s")
    materialize(defs, catalog=catalog)
    soon = time.time() + 0.5
    assert statuses(defs, catalog, now=soon)["c"].status == "FRESH"

    later = time.time() + 60
    got = statuses(defs, catalog, now=later)
    assert got["c"].status == "OVERDUE"
    assert got["c"].reasons[0].startswith("last materialized ")
    assert "over the freshness limit of 2s" in got["c"].reasons[0]
    assert got["c"].lag_s is not None and got["c"].lag_s >= 59
    # No policy, no overdue.
    assert got["b"].status == "FRESH"


def test_overdue_with_a_cron_freshness_policy(catalog: Catalog) -> None:
    """cron= means a materialization since the last cron tick, within max_lag of it."""
    from datetime import UTC, datetime

    from assets_core.automation.cron import CronSchedule

    t0 = time.time()
    # A daily tick about 12 hours from now: far from the materialization either way.
    hour = (datetime.fromtimestamp(t0, UTC).hour + 12) % 24
    cron = f"0 {hour} * * *"
    policy = Freshness(max_lag="1h", cron=cron)

    @asset(freshness=policy)
    def daily() -> int:
        return 1

    defs = Definitions(assets=[daily])
    materialize(defs, catalog=catalog)
    tick = CronSchedule(cron).next_after(t0)
    # Hours after the materialization, but before the tick: nothing is due yet (a plain
    # max_lag of 1h would be OVERDUE here).
    assert statuses(defs, catalog, now=tick - 60)["daily"].status == "FRESH"
    # After the tick, within max_lag: still in time.
    assert statuses(defs, catalog, now=tick + 1800)["daily"].status == "FRESH"
    late = statuses(defs, catalog, now=tick + 7200)["daily"]
    assert late.status == "OVERDUE"
    when = datetime.fromtimestamp(tick, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert late.reasons[0].startswith(
        f"no materialization since the cron tick at {when} (freshness: cron '{cron}' (UTC), "
        "max_lag 1h); last materialized "
    )
    # Materialized after that tick: fresh again until the next one.
    assert policy.overdue_at(tick + 10) == tick + 86400 + 3600


def test_freshness_timezone_needs_a_cron_and_a_real_zone() -> None:
    import pytest

    from assets_core.errors import DefinitionError

    with pytest.raises(DefinitionError, match="add cron="):
        Freshness(max_lag="1h", timezone="Europe/Berlin")
    with pytest.raises(DefinitionError, match="Unknown timezone 'Europe/Berln'"):
        Freshness(max_lag="1h", cron="0 6 * * *", timezone="Europe/Berln")
    berlin = Freshness(max_lag="1h", cron="0 6 * * *", timezone="Europe/Berlin")
    # 2024-07-01 is summer time (UTC+2): the 06:00 tick is 04:00 UTC, due by 05:00 UTC.
    june_30_noon = datetime_utc(2024, 6, 30, 12)
    assert berlin.overdue_at(june_30_noon) == datetime_utc(2024, 7, 1, 5)


def datetime_utc(*args: int) -> float:
    from datetime import UTC, datetime

    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


def test_status_of_a_selection_only(catalog: Catalog) -> None:
    defs = chain()
    materialize(defs, catalog=catalog)
    b = defs.graph.resolve("b")
    got = asset_statuses(defs.graph, catalog, [b])
    assert list(got) == [b]
    assert got[b].status == "FRESH"
