"""A Dask cluster shared by a test module (starting one takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.executors.dask_cluster import DaskCluster, dask_cluster

#: What only the workers know: the dask tests check EnvVars resolve there.
WORKER_SECRET = "s3cret-only-on-workers"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """A scheduler and two workers from the ``distributed`` command line."""
    logs = tmp_path_factory.mktemp("dask-logs")
    with dask_cluster(logs, 2, {"ASSETLINE_TEST_WORKER_SECRET": WORKER_SECRET}) as c:
        yield c
