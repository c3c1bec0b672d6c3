"""External assets observed (SPEC §1, issue 16): ``external_asset(observe=...)`` run by
``observe()`` / ``assetline observe``; never-observed assets say so; a new data version
makes downstream stale and the same one does not; failures are recorded, not raised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assets_core import (
    Definitions,
    Observation,
    ObserveContext,
    UsageError,
    asset,
    external_asset,
    materialize,
    observe,
)
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.status import asset_statuses


def location(versions: list[Any]) -> Definitions:
    """``src/feed`` (observed: the next value of ``versions``) -> ``report``."""

    def look(context: ObserveContext) -> Any:
        context.log.info("looking at %s", context.asset_key)
        value = versions.pop(0)
        if isinstance(value, BaseException):
            raise value
        return value

    feed = external_asset("src/feed", observe=look)
    plain = external_asset("src/plain")

    @asset(deps=[feed, plain])
    def report() -> int:
        return 1

    return Definitions(assets=[feed, plain, report])


def status(defs: Definitions, catalog: Catalog) -> dict[str, tuple[str, list[str]]]:
    return {str(k): (v.status, v.reasons) for k, v in asset_statuses(defs.graph, catalog).items()}


def test_never_observed_is_missing_then_fresh(catalog: Catalog) -> None:
    defs = location([Observation("v1", {"rows": 10})])
    before = status(defs, catalog)
    assert before["src/feed"] == ("MISSING", ["never observed: run `assetline observe`"])
    assert before["src/plain"][0] == "MISSING"
    assert "reportMaterialization" in before["src/plain"][1][0]

    result = observe(defs, catalog=catalog)
    assert result.success and [(o.asset_key, o.data_version) for o in result.observed] == [
        ("src/feed", "v1")
    ]
    assert status(defs, catalog)["src/feed"] == ("FRESH", [])
    latest = catalog.latest_materializations(["src/feed"])["src/feed"]
    assert (latest.data_version, latest.metadata) == ("v1", {"rows": 10})
    run = catalog.get_run(result.run_id)
    assert run.status == "SUCCESS" and run.tags == {"assetline/kind": "observation"}
    assert [e.type for e in catalog.events(result.run_id)] == [
        "RUN_START",
        "OBSERVATION",
        "RUN_SUCCESS",
    ]


def test_downstream_is_stale_only_when_the_data_version_changes(catalog: Catalog) -> None:
    defs = location([Observation("v1"), "v1", Observation("v2")])
    observe(defs, catalog=catalog)
    materialize(defs, "report", catalog=catalog)
    assert status(defs, catalog)["report"] == ("FRESH", [])
    observe(defs, catalog=catalog)  # the same version (as a bare string)
    assert status(defs, catalog)["report"] == ("FRESH", [])
    observe(defs, catalog=catalog)
    assert status(defs, catalog)["report"] == (
        "STALE",
        ["upstream src/feed was observed with new data after this asset"],
    )


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (RuntimeError("feed API down"), "observe of src/feed raised RuntimeError: feed API down"),
        (42, "observe of src/feed returned int; return an Observation"),
    ],
)
def test_a_failing_observation_is_recorded(catalog: Catalog, returned: Any, message: str) -> None:
    defs = location([returned])
    result = observe(defs, catalog=catalog)
    assert result.status == "FAILURE"
    assert message in (result.observed[0].error or "")
    run = catalog.get_run(result.run_id)
    assert run.status == "FAILURE"
    [step] = catalog.steps(result.run_id)
    assert step.status == "FAILED" and message in (step.error or "")
    assert status(defs, catalog)["src/feed"][0] == "FAILED"


def test_selecting_what_cannot_be_observed_is_a_usage_error(catalog: Catalog) -> None:
    defs = location([])
    with pytest.raises(UsageError, match="Not observable: src/plain"):
        observe(defs, "src/plain", catalog=catalog)
    with pytest.raises(UsageError, match="No asset to observe"):
        observe(Definitions(assets=[external_asset("x")]), catalog=catalog)


def test_observe_from_the_cli(cli: Any, tmp_path: Path) -> None:
    version = tmp_path / "version"
    version.write_text("v1")
    loc = tmp_path / "loc.py"
    loc.write_text(
        "from pathlib import Path\n"
        "from assets_core import Definitions, Observation, external_asset\n"
        f"V = Path({str(version)!r})\n"
        "feed = external_asset('src/feed', observe=lambda: Observation(V.read_text()))\n"
        "other = external_asset('src/other')\n"
        "defs = Definitions(assets=[feed, other])\n"
    )
    env = {"ASSETLINE_HOME": str(tmp_path / "home")}
    done = cli("observe", "-f", loc, "--format", "json", env=env)
    assert done.returncode == 0, done
    [seen] = done.json()["observed"]
    assert (seen["asset"], seen["status"], seen["data_version"]) == ("src/feed", "OBSERVED", "v1")
    text = cli("observe", "-f", loc, env=env)
    assert text.returncode == 0 and "src/feed data version v1" in text.stdout
    wrong = cli("observe", "-f", loc, "--select", "src/other", env=env)
    assert wrong.returncode == 2 and "Not observable: src/other" in wrong.stderr


def test_a_secret_in_an_observation_is_redacted(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assets_core import EnvVar

    monkeypatch.setenv("FEED_TOKEN", "s3cr3t-feed-token")

    def look(context: ObserveContext) -> Observation:
        token = context.resources.feed["token"]
        return Observation(f"v-{token}", {"url": f"https://feed?token={token}"})

    feed = external_asset("src/feed", observe=look)
    defs = Definitions(assets=[feed], resources={"feed": {"token": EnvVar("FEED_TOKEN")}})
    result = observe(defs, catalog=catalog)
    assert result.success
    latest = catalog.latest_materializations(["src/feed"])["src/feed"]
    assert latest.data_version == "v-***"
    assert latest.metadata == {"url": "https://feed?token=***"}


def test_an_interrupted_observation_ends_its_run(catalog: Catalog) -> None:
    defs = location([KeyboardInterrupt()])
    with pytest.raises(KeyboardInterrupt):
        observe(defs, catalog=catalog)
    [run] = catalog.list_runs()
    assert run.status == "CANCELED" and run.pid is not None and run.host is not None
    assert run.error == "observation interrupted: KeyboardInterrupt"
