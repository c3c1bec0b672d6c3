"""Definition snapshots and key/value state on SQLite and PostgreSQL
(``catalog/snapshots.py``)."""

from __future__ import annotations

from assets_core import Definitions, asset
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.snapshots import changed_keys, snapshot_of


def test_snapshots_are_stored_once_per_digest(catalog: Catalog) -> None:
    assert catalog.latest_snapshot() is None
    assert catalog.save_snapshot("h1", {"assets": [{"key": "a"}]}) is True
    assert catalog.save_snapshot("h1", {"assets": [{"key": "a"}]}) is False
    assert catalog.save_snapshot("h2", {"assets": [{"key": "b"}]}) is True
    assert catalog.latest_snapshot() == {"assets": [{"key": "b"}]}
    # Loading h1 again makes it the latest, without storing it twice.
    assert catalog.save_snapshot("h1", {"assets": [{"key": "a"}]}) is False
    assert catalog.latest_snapshot() == {"assets": [{"key": "a"}]}


def definitions(a_version: str, with_c: bool = False) -> Definitions:
    @asset(code_version=a_version)
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a + 1

    @asset
    def c() -> int:
        return 3

    return Definitions(assets=[a, b, c] if with_c else [a, b])


def test_a_stored_snapshot_tells_what_changed(catalog: Catalog) -> None:
    before = definitions("1").graph
    assert catalog.save_snapshot(*snapshot_of(before)) is True
    assert changed_keys(before, catalog.latest_snapshot()) == set()

    after = definitions("2", with_c=True).graph
    assert {str(k) for k in changed_keys(after, catalog.latest_snapshot())} == {"a", "c"}
    assert changed_keys(after, None) == set(after.toposorted)


def test_key_value_state(catalog: Catalog) -> None:
    assert catalog.get_kv("cursor") is None
    catalog.set_kv("cursor", {"offset": 1})
    catalog.set_kv("cursor", {"offset": 2})
    catalog.set_kv("other", [1, 2])
    assert catalog.get_kv("cursor") == {"offset": 2}
    assert catalog.get_kv("other") == [1, 2]
