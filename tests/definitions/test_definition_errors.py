"""Every definition error of SPEC §2, loaded from the fixture code locations, with the
full text the user reads: what is wrong, where (asset, file:line) and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets_core import AssetIn, Definitions, asset, asset_check, load_definitions
from assets_core.errors import (
    AmbiguousInputError,
    CodeLocationError,
    CycleError,
    DefinitionError,
    DuplicateKeyError,
    InvalidKeyError,
    PartitionMappingError,
    UnknownAssetError,
    UnknownIOManagerError,
    UnknownResourceError,
)
from assets_core.graph.build import DefinitionErrors

LOCATIONS = Path(__file__).resolve().parents[1] / "fixtures" / "locations"


def fixture(name: str) -> Path:
    """The path of a fixture code location."""
    return LOCATIONS / f"{name}.py"


def where(name: str, text: str, decorated: bool = True) -> str:
    """``file:line`` of the definition written on the line containing ``text`` (the
    decorator line above it when ``decorated``: that is where Python says a decorated
    function starts)."""
    path = fixture(name)
    lines = path.read_text().splitlines()
    line = next(i for i, source in enumerate(lines, 1) if text in source)
    return f"{path}:{line - 1 if decorated else line}"


def load_error(name: str) -> DefinitionError:
    """The definition error raised while loading the fixture ``name`` (import + graph)."""
    with pytest.raises(DefinitionError) as info:
        load_definitions(file=fixture(name)).graph  # noqa: B018 - building the graph validates
    return info.value


def test_cycle_prints_the_path_and_every_location() -> None:
    error = load_error("cyclic")
    assert isinstance(error, CycleError)
    assert error.code == "CYCLE"
    a, b, c = (where("cyclic", f"def {n}(") for n in "abc")
    # The cycle may be entered at any of its assets; the message is one of these texts.
    expected = {
        f"Dependency cycle: {path} ({locs}). Remove one of these dependencies."
        for path, locs in [
            ("a -> b -> c -> a", f"a at {a}; b at {b}; c at {c}"),
            ("b -> c -> a -> b", f"b at {b}; c at {c}; a at {a}"),
            ("c -> a -> b -> c", f"c at {c}; a at {a}; b at {b}"),
        ]
    }
    assert str(error) in expected


def test_unknown_upstream_suggests_the_close_match() -> None:
    error = load_error("unknown_upstream")
    assert isinstance(error, UnknownAssetError)
    assert str(error) == (
        f"Asset daily_revenue ({where('unknown_upstream', 'def daily_revenue(')}): parameter "
        "'ordrs' does not name an upstream asset; no asset is called 'ordrs'. Did you mean "
        "'orders'? Define that asset, rename the parameter, or map it with "
        "ins={...: AssetIn('key')}."
    )


def test_unknown_upstream_without_a_close_match_has_no_suggestion() -> None:
    @asset
    def orders() -> list[int]:
        return [1]

    @asset
    def report(weather: list[int]) -> int:
        return len(weather)

    with pytest.raises(UnknownAssetError) as info:
        Definitions(assets=[orders, report]).graph  # noqa: B018
    assert "no asset is called 'weather'. Define that asset" in str(info.value)
    assert "Did you mean" not in str(info.value)


def test_duplicate_key_names_both_places() -> None:
    error = load_error("duplicate_key")
    assert isinstance(error, DuplicateKeyError)
    first = where("duplicate_key", "def orders_from_shop(")
    second = where("duplicate_key", "def orders_from_marketplace(")
    assert str(error) == (
        f"Asset key sales/orders is defined twice: at {first} and at {second}. "
        "Rename one (key=...) or give it a key_prefix=."
    )


def test_ambiguous_input_lists_the_candidates_and_the_explicit_form() -> None:
    error = load_error("ambiguous_input")
    assert isinstance(error, AmbiguousInputError)
    assert str(error) == (
        f"Asset order_report ({where('ambiguous_input', 'def order_report(')}): parameter "
        "'orders' could be any of sales/orders, web/orders. Name one explicitly with "
        "ins={'orders': AssetIn('sales/orders')}."
    )


def test_ambiguous_input_is_resolved_by_ins() -> None:
    @asset(key_prefix="sales")
    def orders() -> list[int]:
        return [1]

    @asset(key="web/orders")
    def web_orders() -> list[int]:
        return [2]

    @asset(ins={"orders": AssetIn("web/orders")})
    def order_report(orders: list[int]) -> int:
        return len(orders)

    graph = Definitions(assets=[orders, web_orders, order_report]).graph
    assert [str(k) for k in graph.get("order_report").parents] == ["web/orders"]


def test_unknown_resource_suggests_the_defined_one() -> None:
    error = load_error("unknown_resource")
    assert isinstance(error, UnknownResourceError)
    assert str(error) == (
        f"Asset orders ({where('unknown_resource', 'def orders(')}) requires resource "
        "'warehouse', which is not defined. Did you mean 'warehouse_db'? Add it to "
        "Definitions(resources={'warehouse': ...})."
    )


def test_unknown_io_manager_suggests_the_builtin() -> None:
    error = load_error("unknown_io_manager")
    assert isinstance(error, UnknownIOManagerError)
    assert str(error) == (
        f"Asset orders ({where('unknown_io_manager', 'def orders(')}) uses "
        "io_manager='duckbd', which is not defined. Did you mean 'duckdb'? Known: duckdb, "
        "fs, memory; register others in Definitions(io_managers={...})."
    )


def test_io_manager_registered_in_definitions_is_known() -> None:
    from assets_core import MemoryIOManager

    @asset(io_manager="scratch")
    def orders() -> list[int]:
        return [1]

    graph = Definitions(assets=[orders], io_managers={"scratch": MemoryIOManager()}).graph
    assert graph.get("orders").spec.io_manager == "scratch"


def test_partition_mapping_that_does_not_fit_names_both_definitions_and_a_fix() -> None:
    error = load_error("bad_partition_mapping")
    assert isinstance(error, PartitionMappingError)
    text = str(error)
    assert text.startswith(
        f"Asset monthly_revenue ({where('bad_partition_mapping', 'def monthly_revenue(')}) "
        "reads daily_orders (daily from 2024-01-01 until 2024-03-01 (UTC) -> monthly from "
        "2024-01-01 until 2024-03-01 (UTC)): "
    )
    assert "identity mapping" in text
    assert "partition_mapping=TimeWindowMapping()" in text


def test_check_on_unknown_asset_suggests_the_close_match() -> None:
    error = load_error("check_on_unknown_asset")
    assert isinstance(error, UnknownAssetError)
    assert str(error) == (
        f"Check has_rows ({where('check_on_unknown_asset', 'def has_rows(')}) is on unknown "
        "asset 'order'. Did you mean 'orders'? Point asset= at a defined asset."
    )


def test_check_on_an_asset_named_by_its_last_component_resolves() -> None:
    @asset(key_prefix="sales")
    def orders() -> list[int]:
        return [1]

    @asset_check(asset="orders")
    def has_rows(orders: list[int]) -> object:
        return None

    graph = Definitions(assets=[orders], checks=[has_rows]).graph
    assert [c.name for c in graph.checks_for(orders.key)] == ["has_rows"]


def test_invalid_key_is_reported_at_definition_time_with_its_line() -> None:
    error = load_error("bad_key")
    assert isinstance(error, InvalidKeyError)
    assert str(error) == (
        "Invalid asset key 'sales/daily orders': component 'daily orders' must match "
        "[A-Za-z0-9_-]+ (letters, digits, '_' and '-'). Join components with '/', e.g. "
        f"'sales/daily_orders'. ({where('bad_key', 'def daily_orders(')})"
    )


def test_broken_import_names_the_failing_line() -> None:
    error = load_error("broken_import")
    assert isinstance(error, CodeLocationError)
    path = fixture("broken_import")
    failing = where("broken_import", 'SETTINGS["warehouse_url"]', decorated=False)
    assert str(error) == (
        f"Importing code location {path} failed at {failing}: KeyError: 'warehouse_url'. "
        "Fix the error in that file, then run `assetline validate`."
    )


def test_module_without_assets_says_what_to_define() -> None:
    error = load_error("no_assets")
    assert isinstance(error, CodeLocationError)
    assert f"{fixture('no_assets')} defines no assets and no `defs`." in str(error)
    assert str(error).endswith(
        "Define `defs = Definitions(assets=[...])` or module-level @asset functions."
    )


def test_self_dependency_is_a_cycle() -> None:
    @asset(key="orders", deps=["orders"])
    def orders() -> list[int]:
        return [1]

    with pytest.raises(CycleError) as info:
        Definitions(assets=[orders]).graph  # noqa: B018
    assert "depends on itself: orders -> orders." in str(info.value)


def test_all_problems_are_reported_at_once() -> None:
    @asset(io_manager="nope")
    def orders() -> list[int]:
        return [1]

    @asset(required_resources=["warehouse"])
    def report(ordrs: list[int]) -> int:
        return len(ordrs)

    with pytest.raises(DefinitionErrors) as info:
        Definitions(assets=[orders, report]).graph  # noqa: B018
    error = info.value
    assert error.code == "DEFINITION_ERROR"
    assert sorted(e.code for e in error.errors) == [
        "UNKNOWN_ASSET",
        "UNKNOWN_IO_MANAGER",
        "UNKNOWN_RESOURCE",
    ]
    lines = str(error).splitlines()
    assert lines[0] == "3 definition errors:"
    assert lines[1:] == [f"- {e.message}" for e in error.errors]


def test_errors_survive_pickling() -> None:
    import pickle

    error = load_error("duplicate_key")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is DuplicateKeyError
    assert str(copy) == str(error)
