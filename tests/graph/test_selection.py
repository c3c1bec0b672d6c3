"""The selection language on a small hand-made graph: every form, precedence, errors."""

from __future__ import annotations

import pickle
from collections.abc import Iterable

import pytest

from assets_core.definitions.asset import AssetsDefinition, asset
from assets_core.definitions.external import external_asset
from assets_core.definitions.repository import Definitions
from assets_core.definitions.sql_asset import sql_asset
from assets_core.errors import SelectionError, UsageError
from assets_core.graph.asset_graph import AssetGraph
from assets_core.graph.select import parse_selection, select, select_sorted
from assets_core.graph.selection import AssetName, GraphTraversal, Or
from assets_core.keys import AssetKey

# raw/raw_orders ---> sales/orders ----\
#                                       +--> sales/revenue --> finance/report --> finance/forecast
# raw/raw_customers -> sales/customers -/
# ops/audit (no edges)


def _sales_graph() -> AssetGraph:
    raw_orders = external_asset("raw/raw_orders", group="raw", owners=["team:ingest"])
    raw_customers = external_asset("raw/raw_customers", group="raw", owners=["team:ingest"])

    @asset(
        key="sales/orders",
        deps=["raw/raw_orders"],
        group="sales",
        tags={"tier": "gold"},
        owners=["team:analytics"],
    )
    def orders() -> None: ...

    @asset(
        key="sales/customers",
        deps=["raw/raw_customers"],
        group="sales",
        tags={"tier": "silver", "pii": ""},
    )
    def customers() -> None: ...

    @asset(
        key="sales/revenue",
        deps=["sales/orders", "sales/customers"],
        group="sales",
        tags={"tier": "gold"},
        owners=["team:analytics", "ana.lyst@example.com"],
    )
    def revenue() -> None: ...

    report = sql_asset("report", "SELECT * FROM revenue", key_prefix="finance", group="finance")

    @asset(key="finance/forecast", deps=["finance/report"], group="finance")
    def forecast() -> None: ...

    @asset(key="ops/audit", group="ops", tags={"tier": "bronze"})
    def audit() -> None: ...

    assets: list[AssetsDefinition] = [
        raw_orders,
        raw_customers,
        orders,
        customers,
        revenue,
        report,
        forecast,
        audit,
    ]
    return Definitions(assets=assets).graph


@pytest.fixture(scope="module")
def graph() -> AssetGraph:
    return _sales_graph()


def names(keys: Iterable[AssetKey]) -> set[str]:
    return {k.name for k in keys}


UPSTREAM_OF_REVENUE = {"orders", "customers", "raw_orders", "raw_customers"}
ALL = UPSTREAM_OF_REVENUE | {"revenue", "report", "forecast", "audit"}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("revenue", {"revenue"}),
        ("sales/revenue", {"revenue"}),
        ("*", ALL),
        ("+revenue", {"revenue", "orders", "customers"}),
        ("++revenue", {"revenue"} | UPSTREAM_OF_REVENUE),
        ("+++++revenue", {"revenue"} | UPSTREAM_OF_REVENUE),
        ("revenue+", {"revenue", "report"}),
        ("revenue++", {"revenue", "report", "forecast"}),
        ("+revenue+", {"revenue", "orders", "customers", "report"}),
        ("*report", {"report", "revenue"} | UPSTREAM_OF_REVENUE),
        ("orders*", {"orders", "revenue", "report", "forecast"}),
        ("*revenue*", ALL - {"audit"}),
        ("+orders*", {"raw_orders", "orders", "revenue", "report", "forecast"}),
        ("audit*", {"audit"}),
        ("group:sales", {"orders", "customers", "revenue"}),
        ("tag:tier=gold", {"orders", "revenue"}),
        ("tag:pii", {"customers"}),
        ("tag:tier", {"orders", "customers", "revenue", "audit"}),
        ("tag:tier=*l*", {"orders", "revenue", "customers"}),
        ("owner:team:analytics", {"orders", "revenue"}),
        ("owner:ana.lyst@example.com", {"revenue"}),
        ("kind:sql", {"report"}),
        ("kind:external", {"raw_orders", "raw_customers"}),
        ("key:sales/*", {"orders", "customers", "revenue"}),
        ("key:*/raw_*", {"raw_orders", "raw_customers"}),
        ("key:finance/[fr]*", {"forecast", "report"}),
        ("+group:finance", {"report", "forecast", "revenue"}),
        ("group:raw+", {"raw_orders", "raw_customers", "orders", "customers"}),
        ("(key:finance/*)*", {"report", "forecast"}),
        ("(orders or customers)+", {"orders", "customers", "revenue"}),
        ("*(report and kind:sql)", {"report", "revenue"} | UPSTREAM_OF_REVENUE),
        ("owner:team:ingest+", {"raw_orders", "raw_customers", "orders", "customers"}),
        ("orders or report", {"orders", "report"}),
        ("orders, report", {"orders", "report"}),
        ("orders,report,audit", {"orders", "report", "audit"}),
        ("group:sales and tag:tier=gold", {"orders", "revenue"}),
        ("not group:sales", ALL - {"orders", "customers", "revenue"}),
        ("*revenue and not kind:external", {"revenue", "orders", "customers"}),
        ("not not audit", {"audit"}),
        ("(orders)", {"orders"}),
    ],
)
def test_every_form_selects_what_the_spec_says(
    graph: AssetGraph, expr: str, expected: set[str]
) -> None:
    assert names(select(graph, expr)) == expected


@pytest.mark.parametrize(
    ("expr", "same_as"),
    [
        ("not orders and group:sales", "(not orders) and group:sales"),
        ("orders or customers and tag:tier=gold", "orders or (customers and tag:tier=gold)"),
        ("orders, customers and tag:tier=gold", "orders or (customers and tag:tier=gold)"),
        ("group:sales and orders or report", "(group:sales and orders) or report"),
        ("not orders or customers", "(not orders) or customers"),
        ("not +revenue", "not (+revenue)"),
    ],
)
def test_not_binds_tighter_than_and_which_binds_tighter_than_or(
    graph: AssetGraph, expr: str, same_as: str
) -> None:
    assert select(graph, expr) == select(graph, same_as)
    assert parse_selection(expr) == parse_selection(same_as)


@pytest.mark.parametrize(
    ("expr", "hint"),
    [
        ("group:sale", "Did you mean 'group:sales'? Known groups: finance, ops, raw, sales."),
        ("tag:color", "Known tags: pii, tier."),
        ("tag:tier=platinum", "Values of tag 'tier': tag:tier=bronze, tag:tier=gold, tag:tier="),
        ("owner:team:analytic", "Did you mean 'owner:team:analytics'?"),
        ("kind:dbt", "Known kinds: external, python, sql."),
        ("key:zz*", "No key matches the pattern."),
        ("key:ord*", "Did you mean 'key:*/ord*'?"),
    ],
)
def test_a_filter_that_matches_nothing_is_an_error_with_suggestions(
    graph: AssetGraph, expr: str, hint: str
) -> None:
    for whole in (expr, f"{expr}+ or audit", f"not {expr}", f"audit and ({expr})"):
        with pytest.raises(SelectionError) as e:
            select(graph, whole)
        message, line, caret = str(e.value).splitlines()
        assert (
            message
            == f"Invalid selection: '{expr}' matches no asset."
            + message.split("matches no asset.", 1)[1]
        )
        assert hint in message
        assert line.strip() == whole
        assert caret.index("^") == line.index(expr) and caret.count("^") == len(expr)


@pytest.mark.parametrize(
    "expr", ["group:sales and group:finance", "not *", "not (group:raw or not group:raw)"]
)
def test_a_valid_expression_may_select_nothing(graph: AssetGraph, expr: str) -> None:
    assert select(graph, expr) == frozenset()


@pytest.mark.parametrize(
    ("expr", "hint"),
    [
        ("ord*", "To select keys by pattern, write 'key:*/ord*'."),
        ("*venue", "To select keys by pattern, write 'key:*venue'."),
        ("zz*", "write 'key:zz*' (it matches no key either)."),
    ],
)
def test_a_glob_written_as_a_name_suggests_a_key_filter(
    graph: AssetGraph, expr: str, hint: str
) -> None:
    with pytest.raises(SelectionError, match="unknown asset") as e:
        select(graph, expr)
    assert hint in str(e.value)


def test_select_sorted_lists_parents_before_children(graph: AssetGraph) -> None:
    order = [str(k) for k in select_sorted(graph, "*report or audit")]
    assert order.index("raw/raw_orders") < order.index("sales/orders")
    assert order.index("sales/orders") < order.index("sales/revenue")
    assert order.index("sales/customers") < order.index("sales/revenue")
    assert order.index("sales/revenue") < order.index("finance/report")
    assert sorted(order) == sorted(str(k) for k in select(graph, "*report or audit"))
    assert order == [str(k) for k in graph.toposorted if str(k) in order]


# -- changed ----------------------------------------------------------------------------
def test_changed_is_not_called_when_the_expression_does_not_use_it(graph: AssetGraph) -> None:
    def boom() -> list[AssetKey]:
        raise AssertionError("changed() was called")

    assert names(select(graph, "orders", changed=boom)) == {"orders"}


def test_changed_is_called_once_and_graph_operators_apply(graph: AssetGraph) -> None:
    calls: list[int] = []

    def changed() -> list[AssetKey]:
        calls.append(1)
        return [AssetKey(("sales", "orders")), AssetKey(("gone", "asset"))]

    result = select(graph, "changed+ or (changed and group:sales)", changed=changed)
    assert names(result) == {"orders", "revenue"}
    assert calls == [1]


def test_changed_without_a_snapshot_is_an_error_with_a_caret(graph: AssetGraph) -> None:
    with pytest.raises(SelectionError) as err:
        select(graph, "orders or changed+")
    assert str(err.value) == (
        "Invalid selection: 'changed' compares with the last definitions snapshot, and "
        "there is none: use a catalog that has one (run `assetline validate` or "
        "materialize first)\n"
        "  orders or changed+\n"
        "            ^^^^^^^"
    )


# -- errors -----------------------------------------------------------------------------
def error_of(graph: AssetGraph, expr: str) -> str:
    with pytest.raises(SelectionError) as err:
        select(graph, expr)
    return str(err.value)


def test_the_spec_example_points_after_the_dangling_and(graph: AssetGraph) -> None:
    assert error_of(graph, "group:sales and") == (
        "Invalid selection: expected an asset name, '*', '(' or a filter after 'and'\n"
        "  group:sales and\n"
        "                 ^"
    )


@pytest.mark.parametrize(
    ("expr", "message", "caret"),
    [
        ("a or or b", "expected an asset name, '*', '(' or a filter after 'or'", "     ^"),
        ("orders report", "expected 'and', 'or', ',' or the end after 'orders'", "       ^"),
        ("(orders report)", "expected 'and', 'or', ',' or ')' after 'orders'", "        ^"),
        ("(orders or report", "expected ')' to close the '(' at column 1", "                 ^"),
        ("orders)", "unexpected ')' with no matching '('", "      ^"),
        ("()", "expected an asset name, '*', '(' or a filter after '('", " ^"),
        ("not", "expected an asset name, '*', '(' or a filter after 'not'", "   ^"),
        (", orders", "expected an asset name, '*', '(' or a filter at the start", "^"),
        (
            "+ orders",
            "expected an asset name, '(' or a filter after '+' with no space between",
            "  ^",
        ),
        ("**orders", "expected an asset name, '(' or a filter after '*'", " ^"),
        ("orders +report", "expected 'and', 'or', ',' or the end after 'orders'", "       ^"),
        ("orders $", "unexpected character '$'", "       ^"),
        ("sales/", "'/' must join two key components, as in 'sales/orders'", "     ^"),
        ("group:", "expected a group name after 'group:'", "      ^"),
        ("tag:=gold", "expected a tag name before '='", "    ^"),
        ("group:sales.eu", "'.' cannot appear in a 'group:' value", "           ^"),
    ],
)
def test_syntax_errors_show_a_caret_and_what_was_expected(
    graph: AssetGraph, expr: str, message: str, caret: str
) -> None:
    assert error_of(graph, expr) == f"Invalid selection: {message}\n  {expr}\n  {caret}"


def test_an_unknown_name_is_underlined_with_close_matches(graph: AssetGraph) -> None:
    assert error_of(graph, "+group:sales and not revenu*") == (
        "Invalid selection: unknown asset 'revenu'. Did you mean 'sales/revenue'? To select "
        "keys by pattern, write 'key:*/revenu*'.\n"
        "  +group:sales and not revenu*\n"
        "                       ^^^^^^"
    )


def test_an_unknown_key_path_suggests_the_close_key(graph: AssetGraph) -> None:
    assert error_of(graph, "sales/order") == (
        "Invalid selection: unknown asset 'sales/order'. Did you mean 'sales/orders', "
        "'sales/customers' or 'sales/revenue'?\n"
        "  sales/order\n"
        "  ^^^^^^^^^^^"
    )


def test_an_unknown_name_without_close_matches_says_so(graph: AssetGraph) -> None:
    assert error_of(graph, "zzz") == "Invalid selection: unknown asset 'zzz'.\n  zzz\n  ^^^"


def test_a_group_name_used_as_an_asset_name_suggests_the_filter(graph: AssetGraph) -> None:
    assert error_of(graph, "finance") == (
        "Invalid selection: unknown asset 'finance'. 'finance' is a group: select it with "
        "'group:finance'.\n  finance\n  ^^^^^^^"
    )


def test_uppercase_operators_get_a_hint(graph: AssetGraph) -> None:
    assert error_of(graph, "orders AND report") == (
        "Invalid selection: expected 'and', 'or', ',' or the end after 'orders' "
        "(operators are lowercase: 'and')\n"
        "  orders AND report\n"
        "         ^"
    )
    assert error_of(graph, "NOT") == (
        "Invalid selection: unknown asset 'NOT'. Operators are lowercase: 'and', 'or', 'not'."
        "\n  NOT\n  ^^^"
    )


def test_an_unknown_filter_kind_lists_the_valid_ones(graph: AssetGraph) -> None:
    assert error_of(graph, "orders or grp:sales") == (
        "Invalid selection: unknown filter 'grp:'. Did you mean 'group:'? Filters are "
        "group:, tag:, owner:, kind:, key:\n"
        "  orders or grp:sales\n"
        "            ^^^"
    )


def test_an_ambiguous_short_name_lists_both_keys() -> None:
    a = external_asset("crm/customers")
    b = external_asset("shop/customers")
    graph = Definitions(assets=[a, b]).graph
    assert error_of(graph, "customers+") == (
        "Invalid selection: asset name 'customers' is ambiguous: it matches crm/customers, "
        "shop/customers. Use the full key path.\n"
        "  customers+\n"
        "  ^^^^^^^^^"
    )
    assert names(select(graph, "crm/customers")) == {"customers"}


@pytest.mark.parametrize("expr", ["", "   ", "\n\t"])
def test_an_empty_expression_is_an_error(graph: AssetGraph, expr: str) -> None:
    assert error_of(graph, expr) == (
        "Invalid selection: the expression is empty. Select assets by name ('orders'), '*' "
        "for all, or a filter such as 'group:sales'."
    )


def test_newlines_in_the_expression_keep_the_caret_aligned(graph: AssetGraph) -> None:
    assert error_of(graph, "orders or\nreprt") == (
        "Invalid selection: unknown asset 'reprt'. Did you mean 'finance/report'?\n"
        "  orders or reprt\n"
        "            ^^^^^"
    )


def test_selection_errors_are_usage_errors_and_survive_pickling(graph: AssetGraph) -> None:
    with pytest.raises(SelectionError) as err:
        select(graph, "orders and")
    assert isinstance(err.value, UsageError)
    assert err.value.code == "INVALID_SELECTION"
    assert err.value.exit_code == 2
    assert str(pickle.loads(pickle.dumps(err.value))) == str(err.value)


def test_absurd_nesting_is_a_selection_error_not_a_crash(graph: AssetGraph) -> None:
    message = error_of(graph, "(" * 500 + "orders" + ")" * 500)
    assert message.startswith("Invalid selection: the expression nests more than 100 levels")
    assert names(select(graph, "(" * 50 + "orders" + ")" * 50)) == {"orders"}
    assert names(select(graph, "not " * 60 + "audit")) == {"audit"}


def test_a_long_flat_expression_does_not_hit_the_recursion_limit(graph: AssetGraph) -> None:
    assert names(select(graph, " or ".join(["orders"] * 3000))) == {"orders"}
    assert names(select(graph, ", ".join(["revenue+"] * 3000))) == {"revenue", "report"}


# -- the AST ----------------------------------------------------------------------------
def test_the_ast_keeps_positions_for_tools_that_point_at_the_source() -> None:
    tree = parse_selection("orders, ++sales/revenue*")
    assert isinstance(tree, Or)
    first, second = tree.operands
    assert first == AssetName("orders") and first.pos == 0
    assert isinstance(second, GraphTraversal)
    assert (second.up, second.down, second.pos) == (2, None, 8)
    assert second.operand == AssetName("sales/revenue") and second.operand.pos == 10


@pytest.mark.parametrize(
    ("expr", "printed"),
    [
        ("orders,report", "orders or report"),
        ("+ (orders)".replace(" ", ""), "+orders"),
        ("*(key:sales/*)*", "*(key:sales/*)*"),
        ("(key:sales/*)+", "key:sales/*+"),
        ("group:sales*", "group:sales*"),
        ("a and (b or c)", "a and (b or c)"),
        ("not (a, b)", "not (a or b)"),
        ("(a and b) and c", "(a and b) and c"),
        ("+(+a)", "+(+a)"),
        ("(*)+", "(*)+"),
        ("tag:tier=gold++ and owner:team:analytics", "tag:tier=gold++ and owner:team:analytics"),
    ],
)
def test_str_prints_an_expression_that_parses_back(expr: str, printed: str) -> None:
    tree = parse_selection(expr)
    assert str(tree) == printed
    assert parse_selection(printed) == tree
