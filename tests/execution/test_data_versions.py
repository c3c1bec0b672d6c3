"""Data versions (SPEC §4): the user's when given, else a hash of the code version and
the data versions of the inputs; for an asset without inputs, of its value's content."""

from __future__ import annotations

import threading

from assets_core import Definitions, MaterializeResult, asset
from assets_core.catalog.catalog import Catalog
from assets_core.execution.run import materialize


def versions(catalog: Catalog, *keys: str) -> dict[str, str | None]:
    return {k: m.data_version for k, m in catalog.latest_materializations(list(keys)).items()}


def pipeline(source_version: str | None, b_code: str = "1") -> Definitions:
    """source (user data version when given) -> b (default version)."""

    @asset
    def source() -> object:
        if source_version is None:
            return 1
        return MaterializeResult(1, data_version=source_version)

    @asset(code_version=b_code)
    def b(source: int) -> int:
        return source + 1

    return Definitions(assets=[source, b])


def test_user_data_version_is_kept(catalog: Catalog) -> None:
    materialize(pipeline("v1"), catalog=catalog)
    got = versions(catalog, "source", "b")
    assert got["source"] == "v1"
    assert got["b"] is not None and got["b"] != "v1"


def test_default_version_is_stable_when_inputs_do_not_change(catalog: Catalog) -> None:
    materialize(pipeline("v1"), catalog=catalog)
    first = versions(catalog, "source", "b")
    materialize(pipeline("v1"), catalog=catalog)
    second = versions(catalog, "source", "b")
    assert second == first
    assert len(catalog.materializations("b")) == 2


def test_default_version_changes_when_an_input_version_changes(catalog: Catalog) -> None:
    materialize(pipeline("v1"), catalog=catalog)
    before = versions(catalog, "b")["b"]
    materialize(pipeline("v2"), catalog=catalog)
    after = versions(catalog, "b")["b"]
    assert after != before
    # Back to the same input version, back to the same data version.
    materialize(pipeline("v1"), catalog=catalog)
    assert versions(catalog, "b")["b"] == before


def test_default_version_reads_the_catalog_for_unselected_inputs(catalog: Catalog) -> None:
    materialize(pipeline("v1"), catalog=catalog)
    before = versions(catalog, "b")["b"]
    materialize(pipeline("v2"), "source", catalog=catalog)
    materialize(pipeline("v2"), "b", catalog=catalog)
    assert versions(catalog, "b")["b"] != before


def test_default_version_changes_with_the_code_version(catalog: Catalog) -> None:
    materialize(pipeline("v1", b_code="1"), catalog=catalog)
    before = versions(catalog, "b")["b"]
    materialize(pipeline("v1", b_code="2"), "b", catalog=catalog)
    assert versions(catalog, "b")["b"] != before


def test_a_source_without_a_user_version_is_versioned_by_its_content(
    catalog: Catalog,
) -> None:
    materialize(pipeline(None), catalog=catalog)
    first = versions(catalog, "source", "b")
    materialize(pipeline(None), catalog=catalog)  # the same value: the same versions
    assert versions(catalog, "source", "b") == first

    @asset
    def source() -> int:
        return 2

    @asset(code_version="1")
    def b(source: int) -> int:
        return source + 1

    materialize(Definitions(assets=[source, b]), catalog=catalog)
    changed = versions(catalog, "source", "b")
    assert changed["source"] != first["source"] and changed["b"] != first["b"]


def test_a_source_whose_value_cannot_be_hashed_gets_a_new_version_each_time(
    catalog: Catalog,
) -> None:
    @asset(io_manager="memory")
    def source() -> object:
        return threading.Lock()  # cannot be pickled: no content to compare

    defs = Definitions(assets=[source])
    materialize(defs, catalog=catalog)
    first = versions(catalog, "source")["source"]
    materialize(defs, catalog=catalog)
    assert versions(catalog, "source")["source"] != first
