"""Every definition error of SPEC §2, loaded from the fixture code locations, with the
full text the user reads: what is wrong, where (asset, file:line) and the fix.

``str(error)`` (``error.message``) is the one line APIs and logs show, ``file:line:
problem fix``; ``error.render()`` is what the CLI prints: the problem, ``--> file:line``,
the source line with carets under the offending text, and the fix.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from assets_core import AssetIn, Definitions, asset, asset_check, load_definitions
from assets_core.errors import (
    AmbiguousInputError,
    CodeLocationError,
    CycleError,
    DefinitionError,
    DefinitionErrors,
    DuplicateKeyError,
    InvalidKeyError,
    PartitionMappingError,
    SourceLocation,
    UnknownAssetError,
    UnknownIOManagerError,
    UnknownResourceError,
)

LOCATIONS = Path(__file__).resolve().parents[1] / "fixtures" / "locations"


def fixture(name: str) -> Path:
    """The path of a fixture code location."""
    return LOCATIONS / f"{name}.py"


def line_of(name: str, text: str) -> int:
    """The number of the first line of fixture ``name`` that contains ``text``."""
    lines = fixture(name).read_text().splitlines()
    return next(i for i, source in enumerate(lines, 1) if text in source)


def where(name: str, text: str, decorated: bool = True) -> str:
    """``file:line`` of the definition written on the line containing ``text`` (the
    decorator line above it when ``decorated``: that is where Python says a decorated
    function starts)."""
    line = line_of(name, text)
    return f"{fixture(name)}:{line - 1 if decorated else line}"


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
    # The cycle is entered at the asset defined first, so the text is stable.
    assert str(error) == (
        f"{a}: Dependency cycle: a -> b -> c -> a (a at {a}; b at {b}; c at {c}). "
        "Remove one of these dependencies."
    )
    # a reads c: the parameter that closes the cycle is marked.
    assert error.render() == (
        f"Dependency cycle: a -> b -> c -> a (a at {a}; b at {b}; c at {c}).\n"
        f" --> {a}\n"
        "  |\n"
        "6 | @asset\n"
        "7 | def a(c):\n"
        "  |       ^\n"
        "  = fix: Remove one of these dependencies."
    )


def test_unknown_upstream_suggests_the_close_match() -> None:
    error = load_error("unknown_upstream")
    assert isinstance(error, UnknownAssetError)
    at = where("unknown_upstream", "def daily_revenue(")
    assert str(error) == (
        f"{at}: Asset daily_revenue: parameter 'ordrs' does not name an upstream asset; no "
        "asset is called 'ordrs'. Did you mean 'orders'? Define that asset, rename the "
        "parameter, or map it with ins={...: AssetIn('key')}."
    )
    assert error.render() == (
        "Asset daily_revenue: parameter 'ordrs' does not name an upstream asset; no asset "
        "is called 'ordrs'.\n"
        f"  --> {at}\n"
        "   |\n"
        "11 | @asset\n"
        "12 | def daily_revenue(ordrs):\n"
        "   |                   ^^^^^\n"
        "   = fix: Did you mean 'orders'? Define that asset, rename the parameter, or map it "
        "with ins={...: AssetIn('key')}."
    )
    assert error.asset_key == "daily_revenue"
    assert error.location == SourceLocation(str(fixture("unknown_upstream")), 11)


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
    assert info.value.suggestion == (
        "Define that asset, rename the parameter, or map it with ins={...: AssetIn('key')}."
    )


def test_duplicate_key_names_both_places() -> None:
    error = load_error("duplicate_key")
    assert isinstance(error, DuplicateKeyError)
    first = where("duplicate_key", "def orders_from_shop(")
    second = where("duplicate_key", "def orders_from_marketplace(")
    assert str(error) == (
        f"{second}: Asset key sales/orders is defined twice: at {first} and at {second}. "
        "Rename one (key=...) or give it a key_prefix=."
    )
    assert error.asset_key == "sales/orders"


def test_ambiguous_input_lists_the_candidates_and_the_explicit_form() -> None:
    error = load_error("ambiguous_input")
    assert isinstance(error, AmbiguousInputError)
    assert str(error) == (
        f"{where('ambiguous_input', 'def order_report(')}: Asset order_report: parameter "
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
    at = where("unknown_resource", "def orders(")
    assert str(error) == (
        f"{at}: Asset orders requires resource 'warehouse', which is not defined. Did you "
        "mean 'warehouse_db'? Add it to Definitions(resources={'warehouse': ...})."
    )
    assert error.render() == (
        "Asset orders requires resource 'warehouse', which is not defined.\n"
        f" --> {at}\n"
        "  |\n"
        '6 | @asset(required_resources=["warehouse"])\n'
        "  |                             ^^^^^^^^^\n"
        "  = fix: Did you mean 'warehouse_db'? Add it to "
        "Definitions(resources={'warehouse': ...})."
    )


def test_unknown_io_manager_suggests_the_builtin() -> None:
    error = load_error("unknown_io_manager")
    assert isinstance(error, UnknownIOManagerError)
    assert str(error) == (
        f"{where('unknown_io_manager', 'def orders(')}: Asset orders uses "
        "io_manager='duckbd', which is not defined. Did you mean 'duckdb'? Known: duckdb, "
        "fs, memory; register others in Definitions(io_managers={...})."
    )
    assert '\n6 | @asset(io_manager="duckbd")\n  |                    ^^^^^^\n' in (error.render())


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
        f"{where('bad_partition_mapping', 'def monthly_revenue(')}: Asset monthly_revenue "
        "reads daily_orders (daily from 2024-01-01 until 2024-03-01 (UTC) -> monthly from "
        "2024-01-01 until 2024-03-01 (UTC)): "
    )
    assert "identity mapping" in text
    assert "partition_mapping=TimeWindowMapping()" in text
    assert "\n12 | def monthly_revenue(daily_orders):\n   |                     ^^^^^^^^^^^^" in (
        error.render()
    )


def test_check_on_unknown_asset_suggests_the_close_match() -> None:
    error = load_error("check_on_unknown_asset")
    assert isinstance(error, UnknownAssetError)
    at = where("check_on_unknown_asset", "def has_rows(")
    assert str(error) == (
        f"{at}: Check has_rows is on unknown asset 'order'. Did you mean 'orders'? Point "
        "asset= at a defined asset."
    )
    assert error.render() == (
        "Check has_rows is on unknown asset 'order'.\n"
        f"  --> {at}\n"
        "   |\n"
        '11 | @asset_check(asset="order")\n'
        "   |                     ^^^^^\n"
        "   = fix: Did you mean 'orders'? Point asset= at a defined asset."
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
        f"{where('bad_key', 'def daily_orders(')}: Invalid asset key 'sales/daily orders': "
        "component 'daily orders' must match [A-Za-z0-9_-]+ (letters, digits, '_' and '-'). "
        "Join components with '/', e.g. 'sales/daily_orders'."
    )


def test_broken_import_names_the_failing_line_and_shows_it() -> None:
    error = load_error("broken_import")
    assert isinstance(error, CodeLocationError)
    path = fixture("broken_import")
    failing = where("broken_import", 'SETTINGS["warehouse_url"]', decorated=False)
    assert str(error) == (
        f"{failing}: Importing code location {path} failed: KeyError: 'warehouse_url'. "
        "Fix the error in that file, then run `assetline validate`."
    )
    assert error.render() == (
        f"Importing code location {path} failed: KeyError: 'warehouse_url'.\n"
        f"  --> {failing}\n"
        "   |\n"
        '13 | WAREHOUSE_URL = SETTINGS["warehouse_url"]\n'
        "   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "   = fix: Fix the error in that file, then run `assetline validate`."
    )
    assert isinstance(error.__cause__, KeyError)


def test_syntax_error_names_the_users_file_and_line_and_marks_the_column() -> None:
    error = load_error("syntax_error")
    assert isinstance(error, CodeLocationError)
    path = fixture("syntax_error")
    assert str(error) == (
        f"{path}:8: Importing code location {path} failed: SyntaxError: '[' was never "
        "closed. Fix the error in that file, then run `assetline validate`."
    )
    assert error.render() == (
        f"Importing code location {path} failed: SyntaxError: '[' was never closed.\n"
        f" --> {path}:8\n"
        "  |\n"
        "8 |     return [1, 2, 3\n"
        "  |            ^\n"
        "  = fix: Fix the error in that file, then run `assetline validate`."
    )


def test_import_failure_in_a_helper_module_names_the_helpers_line() -> None:
    error = load_error("failing_helper")
    assert isinstance(error, CodeLocationError)
    assert error.location == SourceLocation(str(fixture("failing_helper_settings")), 5)
    assert str(error) == (
        f"{fixture('failing_helper_settings')}:5: Importing code location "
        f"{fixture('failing_helper')} failed: KeyError: 'ASSETLINE_TEST_NO_SUCH_VARIABLE'. "
        "Fix the error in that file, then run `assetline validate`."
    )


def test_bad_partitions_start_names_the_line_where_it_was_written() -> None:
    error = load_error("bad_daily_start")
    at = where("bad_daily_start", "DailyPartitions(start=", decorated=False)
    assert str(error) == (
        f"{at}: DailyPartitions(start='2024-31-01') is not a date: expected YYYY-MM-DD or "
        "an ISO date such as 2024-01-01."
    )
    assert error.render() == (
        "DailyPartitions(start='2024-31-01') is not a date: expected YYYY-MM-DD or an ISO "
        "date such as 2024-01-01.\n"
        f" --> {at}\n"
        "  |\n"
        '5 | DAILY = DailyPartitions(start="2024-31-01")\n'
        "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    )


def test_a_sensor_that_is_not_a_sensor_is_rejected() -> None:
    error = load_error("not_a_sensor")
    at = where("not_a_sensor", "defs = Definitions(", decorated=False)
    assert str(error) == (
        f"{at}: Definitions(sensors=...) holds 42, which is not a sensor. Decorate a "
        "function with @sensor."
    )
    assert error.render().splitlines()[4:7] == [
        "12 |     assets=[orders],",
        "13 |     sensors=[42],",
        "   |     ^^^^^^^",
    ]


def test_a_schedule_that_is_not_a_schedule_is_rejected() -> None:
    with pytest.raises(DefinitionError) as info:
        Definitions(schedules=["0 6 * * *"])  # type: ignore[list-item]
    assert info.value.problem == (
        "Definitions(schedules=...) holds '0 6 * * *', which is not a Schedule."
    )
    assert info.value.suggestion == "Use Schedule(name, cron=..., select=...)."
    assert info.value.location is not None
    assert info.value.location.file == __file__


def test_empty_schedules_and_sensors_are_accepted() -> None:
    defs = Definitions(schedules=[], sensors=())
    assert defs.schedules == () and defs.sensors == ()


def test_checks_must_be_asset_checks() -> None:
    with pytest.raises(DefinitionError) as info:
        Definitions(checks=[42])  # type: ignore[list-item]
    line = info.tb.tb_lineno if info.tb else 0
    assert str(info.value) == (
        f"{__file__}:{line}: Definitions(checks=...) holds 42, which is not an asset check. "
        "Decorate functions with @asset_check or use a built-in check from "
        "assets_core.checks (not_null, unique, row_count, ...)."
    )


def test_module_without_assets_says_what_to_define() -> None:
    error = load_error("no_assets")
    assert isinstance(error, CodeLocationError)
    assert str(error) == (
        f"{fixture('no_assets')} defines no assets and no `defs`. Define `defs = "
        "Definitions(assets=[...])` or module-level @asset functions."
    )
    assert error.location is None
    assert error.render() == str(error)


def test_self_dependency_is_a_cycle() -> None:
    @asset(key="orders", deps=["orders"])
    def orders() -> list[int]:
        return [1]

    with pytest.raises(CycleError) as info:
        Definitions(assets=[orders]).graph  # noqa: B018
    assert info.value.problem == "Asset orders depends on itself: orders -> orders."
    assert info.value.suggestion == "Remove that dependency."


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
    assert error.render() == "\n\n".join(
        ["3 definition errors:", *(e.render() for e in error.errors)]
    )


def test_a_cycle_is_reported_with_the_other_errors() -> None:
    error = load_error("cycle_and_typo")
    assert isinstance(error, DefinitionErrors)
    a, b = where("cycle_and_typo", "def a("), where("cycle_and_typo", "def b(")
    assert [e.message for e in error.errors] == [
        f"{where('cycle_and_typo', 'def report(')}: Asset report: parameter 'aa' does not "
        "name an upstream asset; no asset is called 'aa'. Did you mean 'a'? Define that "
        "asset, rename the parameter, or map it with ins={...: AssetIn('key')}.",
        f"{a}: Dependency cycle: a -> b -> a (a at {a}; b at {b}). Remove one of these "
        "dependencies.",
    ]


def test_errors_survive_pickling_with_their_fields() -> None:
    error = load_error("unknown_upstream")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is UnknownAssetError
    assert (copy.message, copy.problem, copy.suggestion, copy.location) == (
        error.message,
        error.problem,
        error.suggestion,
        error.location,
    )
    assert (copy.asset_key, copy.highlight, copy.render()) == (
        error.asset_key,
        error.highlight,
        error.render(),
    )


def test_several_errors_survive_pickling() -> None:
    error = load_error("cycle_and_typo")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is DefinitionErrors
    assert copy.message == error.message
    assert [type(e) for e in copy.errors] == [UnknownAssetError, CycleError]
    assert copy.render() == error.render()


def test_a_syntax_error_location_survives_pickling() -> None:
    error = load_error("syntax_error")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.location == error.location
    assert copy.location is not None and copy.location.column == 12


def test_only_the_users_files_are_locations() -> None:
    import json

    import assets_ui.app
    from assets_core.errors import is_user_file

    assert is_user_file(__file__)
    assert not is_user_file(json.__file__)  # the standard library
    assert not is_user_file(pytest.__file__)  # an installed package
    assert not is_user_file(assets_ui.app.__file__)  # the server calling Assetline
    assert not is_user_file("<string>")  # a generated function (dataclass __init__)
