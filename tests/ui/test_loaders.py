"""The request-scoped loaders under cancellation."""

from __future__ import annotations

import asyncio

import pytest

from assets_ui.graphql.loaders import SharedLoader


def test_a_canceled_reader_does_not_cancel_the_others() -> None:
    """graphql-core cancels the siblings of a field that raised; another field
    awaiting the same key must still get its value (it got ``CancelledError`` and the
    server answered 500)."""

    async def scenario() -> str:
        release = asyncio.Event()

        async def load(keys: list[str]) -> list[str]:
            await release.wait()
            return [k.upper() for k in keys]

        loader: SharedLoader[str, str] = SharedLoader(load)
        canceled = asyncio.ensure_future(loader.load("a"))
        survivor = asyncio.ensure_future(loader.load("a"))
        await asyncio.sleep(0)
        canceled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await canceled
        release.set()
        return await survivor

    assert asyncio.run(scenario()) == "A"
