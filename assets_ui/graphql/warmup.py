"""Warm-up: what the first request after a start or a reload would otherwise build.

Serving ``lineage(selection: "*")`` over 10,000 assets takes ~50 ms once the server
holds, per load of the code location: the key, group and kind of every asset and the
edges in topological order (``LoadedLocation.info``, ``edges``), the ``Asset`` views,
the projection of the edges the executor's fast path keeps (``StaticList``), the
statuses of all assets (``StatusCache``), and strawberry's and graphql-core's own
caches (parsed and validated documents, resolver wrappers). Built on first use, they
made the first request six times slower than the next. ``warm_up`` builds them while
the location loads, before it is served.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from assets_ui.security import Principal

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_ui.location import LoadedLocation
    from assets_ui.state import ServerState

logger = logging.getLogger("assetline.ui")

#: The operations executed once per load: the UI's graph view (as the UI sends it)
#: and an asset with its upstreams (``$key``: the first asset).
DOCUMENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        """
  query GraphLineage($selection: String!) {
    lineage(selection: $selection) {
      nodes { key group kind status }
      edges { source target }
    }
  }
""",
        {"selection": "*"},
    ),
    # One asset: enough to warm the resolvers of every list of assets.
    ("query($key: String!) { asset(key: $key) { key group kind upstream { key } } }", {}),
)

_WARM_UP = Principal("warm-up", "viewer")


def warm_up(state: ServerState, location: LoadedLocation) -> float:
    """Build what serving ``location`` needs, and execute ``DOCUMENTS`` once on it.
    Returns the seconds it took. Never raises: a failure is logged, and the first
    request builds what is missing.

    Args:
        state: The server state (its catalog and schema).
        location: The definitions about to be served.
    """
    started = time.perf_counter()
    try:
        _build(location, state.catalog)
        # Executed in a thread of its own: the caller may be inside an event loop.
        failure: list[BaseException] = []
        thread = threading.Thread(
            target=_execute, args=(state, location, failure), name="assetline-warm-up"
        )
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
    except Exception:
        logger.warning("warm-up of the code location failed", exc_info=True)
    return time.perf_counter() - started


def _build(location: LoadedLocation, catalog: Catalog) -> None:
    from assets_ui.graphql.query import all_edges_of
    from assets_ui.graphql.types.asset import asset_view

    t = time.perf_counter()
    for key in location.info:
        asset_view(location, key)
    all_edges_of(location)
    _ = location.clock_dependent
    t2 = time.perf_counter()
    location.statuses.all(catalog)
    logger.debug(
        "warm-up: views and edges %.0f ms, statuses %.0f ms",
        (t2 - t) * 1000,
        (time.perf_counter() - t2) * 1000,
    )


def _execute(state: ServerState, location: LoadedLocation, failure: list[BaseException]) -> None:
    from assets_ui.graphql.context import Context
    from assets_ui.graphql.schema import schema

    first = next(iter(location.info.values()), None)
    if first is None:
        return

    async def run() -> None:
        for document, variables in DOCUMENTS:
            variables = {**variables, "key": first.key} if "$key" in document else variables
            context = Context.create(state, _WARM_UP, location=location)
            result = await schema.execute(document, variables, context_value=context)
            if result.errors:
                raise result.errors[0]

    try:
        asyncio.run(run())
    except BaseException as e:  # handed to the caller's thread
        failure.append(e)
