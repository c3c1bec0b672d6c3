"""Asset keys: one canonical form ``a/b/c``, validated when an asset is defined."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets_core import AssetKey, asset
from assets_core.errors import InvalidKeyError

component = st.text(alphabet=st.sampled_from("abcxyzABC019_-"), min_size=1, max_size=8)


@given(st.lists(component, min_size=1, max_size=4))
def test_parse_and_str_round_trip(parts: list[str]) -> None:
    key = AssetKey(tuple(parts))
    assert str(key) == "/".join(parts)
    assert AssetKey.parse(str(key)) == key
    assert AssetKey.parse(tuple(parts)) == key
    assert AssetKey.parse(list(parts)) == key
    assert hash(AssetKey.parse(str(key))) == hash(key)
    assert pickle.loads(pickle.dumps(key)) == key
    assert key.name == parts[-1]


def test_parse_accepts_a_key_or_an_asset() -> None:
    @asset(key_prefix="sales")
    def orders() -> list[int]:
        return [1]

    key = AssetKey(("sales", "orders"))
    assert AssetKey.parse(key) is key
    assert AssetKey.parse(orders) == key
    assert repr(key) == "AssetKey('sales/orders')"
    assert key.with_prefix("raw") == AssetKey(("raw", "sales", "orders"))
    assert key.with_prefix(["a", "b"]) == AssetKey(("a", "b", "sales", "orders"))


@pytest.mark.parametrize(
    ("value", "component"),
    [
        ("sales/daily orders", "'daily orders'"),
        ("sales//orders", "''"),
        ("../etc/passwd", "'..'"),
        ("sales.orders", "'sales.orders'"),
        ("orders/", "''"),
        ("", "''"),
        ("ventes/équipe", "'équipe'"),
    ],
)
def test_invalid_component(value: str, component: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        AssetKey.parse(value)
    assert info.tb is not None  # this test's frame, at the line that made the key
    assert str(info.value) == (
        f"{__file__}:{info.tb.tb_lineno}: "
        f"Invalid asset key {value!r}: component {component} must match [A-Za-z0-9_-]+ "
        "(letters, digits, '_' and '-'). Join components with '/', e.g. "
        "'sales/daily_orders'."
    )
    assert info.value.code == "INVALID_KEY"


def test_empty_key_and_unparseable_values() -> None:
    with pytest.raises(InvalidKeyError) as info:
        AssetKey(())
    assert info.value.problem == "An asset key needs at least one component."
    with pytest.raises(InvalidKeyError) as info:
        AssetKey.parse(3)
    assert info.value.problem == "Cannot make an asset key from 3; pass a string 'a/b'."


def test_keys_order_by_components() -> None:
    keys = [AssetKey.parse(k) for k in ["b", "a/c", "a/b", "a"]]
    assert [str(k) for k in sorted(keys)] == ["a", "a/b", "a/c", "b"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "orders"),
        ({"key": "sales/daily_orders"}, "sales/daily_orders"),
        ({"key": ("sales", "daily_orders")}, "sales/daily_orders"),
        ({"key_prefix": "sales"}, "sales/orders"),
        ({"key_prefix": ["raw", "shop"]}, "raw/shop/orders"),
        ({"key_prefix": "raw/shop"}, "raw/shop/orders"),
        ({"key": "daily_orders", "key_prefix": "sales"}, "sales/daily_orders"),
    ],
)
def test_asset_key_from_options(options: dict[str, object], expected: str) -> None:
    @asset(**options)  # type: ignore[arg-type]
    def orders() -> list[int]:
        return [1]

    assert str(orders.key) == expected
    assert orders.keys == (AssetKey.parse(expected),)


def test_invalid_key_prefix_names_the_location() -> None:
    def orders() -> list[int]:
        return [1]

    with pytest.raises(InvalidKeyError) as info:
        asset(key_prefix="raw data")(orders)
    line = orders.__code__.co_firstlineno
    assert str(info.value).startswith(
        f"{__file__}:{line}: Invalid asset key 'raw data/orders': component 'raw data'"
    )


def test_key_limits_count_utf8_bytes_per_component_and_characters_in_all() -> None:
    from assets_core.keys import MAX_COMPONENT_BYTES, component_problem

    assert component_problem("a" * MAX_COMPONENT_BYTES) is None
    assert component_problem("é" * 127) is None  # 254 bytes
    assert component_problem("é" * 130) == (
        "is 260 bytes long in UTF-8; the limit is 255 bytes (it becomes a file name)"
    )
    for bad, problem in [
        ("", "is empty"),
        ("..", "is '..', which names a folder relative to its parent"),
        (".", "is '.', which names a folder relative to its parent"),
        ("a/b", "contains a path separator"),
        ("a\\b", "contains a path separator"),
        ("a\x00b", "contains NUL"),
        ("a\nb", "contains a control character"),
        ("\ud800", "is not valid Unicode text (it contains a lone surrogate)"),
    ]:
        assert component_problem(bad) == problem, bad


def test_long_asset_keys_are_rejected_up_front_without_echoing_them() -> None:
    long = "a" * 5000
    with pytest.raises(InvalidKeyError) as info:

        @asset(key=long)
        def orders() -> list[int]:
            return [1]

    message = str(info.value)
    assert f"Invalid asset key {'a' * 60!r}... (5,000 characters): component " in message
    assert "is 5,000 bytes long in UTF-8; the limit is 255 bytes" in message
    assert len(message) < 600
    # 255 bytes per component, 500 characters in all (the catalog's key column).
    assert str(AssetKey.parse("/".join(["a" * 255] * 1 + ["b" * 244]))) == (
        "a" * 255 + "/" + "b" * 244
    )
    with pytest.raises(InvalidKeyError, match="it is 501 characters long; the limit is 500"):
        AssetKey.parse("/".join(["a" * 255, "b" * 245]))


def _valid_by_the_rules(parts: list[str]) -> bool:
    """The key rules one component at a time, as ``AssetKey`` states them."""
    from assets_core.keys import _COMPONENT, MAX_KEY_LENGTH, component_problem

    return (
        bool(parts)
        and all(_COMPONENT.match(p) and component_problem(p) is None for p in parts)
        and len("/".join(parts)) <= MAX_KEY_LENGTH
    )


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=6),
            st.text(alphabet=st.sampled_from("ab_-/.\\\x00é"), max_size=6),
            st.text(alphabet=st.sampled_from("ab"), min_size=250, max_size=260),
        ),
        max_size=3,
    )
)
def test_a_key_is_accepted_exactly_when_every_rule_holds(parts: list[str]) -> None:
    """The one-regular-expression check of the common case accepts and rejects the
    same keys as the rules applied component by component; parsing from text (kept
    by text) agrees, and a rejected text is rejected again."""
    valid = _valid_by_the_rules(parts)
    if valid:
        assert str(AssetKey(tuple(parts))) == "/".join(parts)
    else:
        with pytest.raises(InvalidKeyError):
            AssetKey(tuple(parts))
    text = "/".join(parts)
    text_parts = text.split("/")
    for _ in range(2):
        if _valid_by_the_rules(text_parts):
            assert AssetKey.parse(text).path == tuple(text_parts)
        else:
            with pytest.raises(InvalidKeyError):
                AssetKey.parse(text)
