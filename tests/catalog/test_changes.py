"""The commit marker: it moves whenever anything is committed to the catalog (by
this catalog object, another one, or another process) and stays put while only
reads happen; the status cache relies on it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assets_core import Definitions, asset, materialize
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.status import StatusCache
from assets_core.io.memory import MemoryIOManager


def _add(url: str, name: str) -> None:
    code = (
        "import sys; from assets_core.catalog.catalog import Catalog; "
        "c = Catalog.open(sys.argv[1]); c.add_dynamic_partitions('d', [sys.argv[2]]); c.close()"
    )
    subprocess.run([sys.executable, "-c", code, url, name], check=True, timeout=120)


def test_commits_move_the_marker_reads_do_not(catalog: Catalog, catalog_url: str) -> None:
    other = Catalog.open(catalog_url)
    try:
        marker = catalog.commit_marker()
        catalog.list_runs(None, 10)
        catalog.dynamic_partitions("d")
        if catalog.commits.is_local:  # PostgreSQL's moves with the whole cluster
            assert catalog.commit_marker() == marker
        other.add_dynamic_partitions("d", ["a"])  # another connection pool
        assert catalog.commit_marker() != marker
        marker = catalog.commit_marker()
        catalog.add_dynamic_partitions("d", ["b"])  # this catalog's own write
        assert catalog.commit_marker() != marker
        marker = catalog.commit_marker()
        _add(catalog_url, "c")  # another process
        assert catalog.commit_marker() != marker
    finally:
        other.close()


def test_the_marker_survives_a_fork(catalog: Catalog) -> None:
    catalog.commit_marker()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        try:
            catalog.engine.dispose(close=False)  # the parent's pooled connections stay its own
            before = catalog.commit_marker()
            catalog.add_dynamic_partitions("d", ["from-child"])
            os._exit(0 if catalog.commit_marker() != before else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "from-child" in catalog.dynamic_partitions("d")


def test_the_status_cache_sees_every_write(sqlite_catalog: Catalog, tmp_path: Path) -> None:
    @asset
    def first() -> int:
        return 1

    @asset
    def second(first: int) -> int:
        return first + 1

    defs = Definitions(assets=[first, second])
    cache = StatusCache(defs.graph)
    cache.DIRECT_BELOW = 0
    key = defs.graph.resolve("first")
    assert cache.all(sqlite_catalog)[key].status == "MISSING"
    assert cache.all(sqlite_catalog) is cache.all(sqlite_catalog)  # nothing committed
    io = {"fs": MemoryIOManager()}
    materialize(defs, "first", catalog=sqlite_catalog, home=tmp_path, io_managers=io)
    statuses = cache.all(sqlite_catalog)
    assert statuses[key].status == "FRESH"
    assert statuses[defs.graph.resolve("second")].status == "MISSING"
    sqlite_catalog.set_kv("unrelated", {"n": 1})  # a commit that changes no status
    assert cache.all(sqlite_catalog) is statuses
