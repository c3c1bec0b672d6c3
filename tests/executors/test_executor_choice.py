"""Choosing an executor: ``[tool.assetline] executor / workers / dask_address`` and
``$ASSETLINE_DASK_ADDRESS`` as defaults, options that do not apply as usage errors
(never ignored), and the Dask executor on a LocalCluster it starts itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assets_core import Definitions, MemoryIOManager, asset, load_definitions, materialize
from assets_core.errors import UsageError
from assets_core.execution.request import ExecutorSpec, requested_executor
from assets_core.settings import Settings, load_settings


@asset
def one() -> int:
    return 1


@asset
def two(one: int) -> int:
    return one + 1


@asset(io_manager="memory")
def kept() -> int:
    return 1


@asset
def reader(kept: int) -> int:
    return kept


def settings(**values: object) -> Settings:
    return Settings(**values)  # type: ignore[arg-type]


def test_the_request_wins_and_defaults_apply_to_their_executor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ASSETLINE_DASK_ADDRESS", raising=False)
    monkeypatch.delenv("ASSETLINE_EXECUTOR", raising=False)
    dask = settings(executor="dask", dask_address="tcp://sched:8786", workers=4)
    assert requested_executor(settings=dask) == ExecutorSpec("dask", None, "tcp://sched:8786")
    # Asking for another executor drops the defaults that belong to dask.
    assert requested_executor("inprocess", settings=dask) == ExecutorSpec("inprocess")
    assert requested_executor("dask", 3, settings=dask) == ExecutorSpec("dask", 3)
    multi = settings(executor="multiprocess", workers=4)
    assert requested_executor(settings=multi) == ExecutorSpec("multiprocess", 4)
    assert requested_executor("inprocess", settings=multi) == ExecutorSpec("inprocess")
    monkeypatch.setenv("ASSETLINE_DASK_ADDRESS", "tcp://env:8786")
    assert requested_executor(settings=dask).dask_address == "tcp://env:8786"
    assert requested_executor("dask", settings=settings()).dask_address == "tcp://env:8786"
    assert requested_executor(settings=settings()) == ExecutorSpec("inprocess")
    # A deployment picks the executor with environment variables (docs/deploy.md).
    monkeypatch.setenv("ASSETLINE_EXECUTOR", "dask")
    assert requested_executor(settings=multi) == ExecutorSpec("dask", None, "tcp://env:8786")
    assert requested_executor("multiprocess", settings=multi) == ExecutorSpec("multiprocess")


def test_executor_settings_are_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.assetline]\nexecutor = "dask"\ndask_address = "tcp://h:1"\nworkers = 2\n'
    )
    s = load_settings(tmp_path)
    assert (s.executor, s.dask_address, s.workers) == ("dask", "tcp://h:1", 2)
    (tmp_path / "pyproject.toml").write_text('[tool.assetline]\nexecutor = "ray"\n')
    with pytest.raises(UsageError, match=r"executor = 'ray' .* use one of inprocess, multiprocess"):
        load_settings(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.assetline]\nworkers = 0\n")
    with pytest.raises(UsageError, match=r"workers in .* must be an int >= 1"):
        load_settings(tmp_path)


def test_the_configured_executor_runs_a_cli_materialize(
    tmp_path: Path, cli: Callable[..., object], fixture_path: Callable[[str], Path]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.assetline]\nexecutor = "multiprocess"\nworkers = 2\n'
    )
    result = cli("materialize", "-f", fixture_path("engine_branches"), "--select", "lone")
    assert result.returncode == 0, result  # type: ignore[attr-defined]
    from assets_core.catalog.catalog import Catalog

    [run] = Catalog.open().list_runs()
    assert (run.executor, run.executor_options) == ("multiprocess", {"workers": 2})


def test_the_memory_io_manager_with_dask_is_a_usage_error_naming_the_asset() -> None:
    defs = Definitions(assets=[one, two], io_managers={"fs": MemoryIOManager()})
    with pytest.raises(UsageError, match=r"Asset one uses the 'fs' IO manager, which keeps"):
        materialize(defs, executor="dask")
    with pytest.raises(UsageError, match=r"Asset kept, which reader reads, uses the 'memory'"):
        materialize([kept, reader], "reader", executor="dask")


def test_dask_without_an_address_starts_a_local_cluster_of_workers(
    fixture_path: Callable[[str], Path], tmp_path: Path
) -> None:
    defs = load_definitions(file=fixture_path("engine_branches"))
    result = materialize(defs, "root, good, good_child", executor="dask", workers=1)
    assert result.status == "SUCCESS"
    assert [o.status for o in result.steps.values()] == ["SUCCESS"] * 3
    run = result.catalog.get_run(result.run_id)
    assert (run.executor, run.executor_options) == ("dask", {"workers": 1})
