"""Multi-dimensional partitions: composed keys, index arithmetic, ranges, errors."""

from __future__ import annotations

import itertools
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets_core.errors import DefinitionError, PartitionKeyError
from assets_core.partitions import (
    DailyPartitions,
    DynamicKeyCache,
    DynamicPartitions,
    MultiPartitionKey,
    MultiPartitions,
    StaticPartitions,
)

DAILY = DailyPartitions("2024-01-01", end="2024-01-04")
REGION = StaticPartitions(["eu", "us"])
CHANNEL = StaticPartitions(["web", "app", "store"])
MULTI = MultiPartitions({"date": DAILY, "region": REGION, "channel": CHANNEL})


def key_error(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(PartitionKeyError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return str(info.value)


def test_keys_are_the_product_in_dimension_order() -> None:
    keys = MULTI.get_partition_keys()
    expected = [
        "|".join(p)
        for p in itertools.product(DAILY.get_partition_keys(), REGION.keys, CHANNEL.keys)
    ]
    assert keys == expected
    assert keys[:2] == ["2024-01-01|eu|web", "2024-01-01|eu|app"]
    assert MULTI.num_partitions() == 3 * 2 * 3
    assert MULTI.names == ("date", "region", "channel")
    assert MULTI.kind == "multi"
    assert MULTI.time_dimension == "date"


@settings(max_examples=50)
@given(st.integers(0, 17))
def test_index_arithmetic_matches_the_listing(i: int) -> None:
    keys = MULTI.get_partition_keys()
    assert MULTI.key_at(i) == keys[i]
    assert MULTI.index_of(keys[i]) == i
    assert MULTI.keys_in_index_range(i, i + 4) == keys[i : i + 4]


def test_one_dimension_is_allowed() -> None:
    single = MultiPartitions({"region": REGION})
    assert single.get_partition_keys() == ["eu", "us"]


def test_multi_key_helper_splits_and_joins() -> None:
    key = MULTI.split("2024-01-02|us|app")
    assert key == MultiPartitionKey(("date", "region", "channel"), ("2024-01-02", "us", "app"))
    assert key["region"] == "us"
    assert str(key) == "2024-01-02|us|app"
    assert key.as_dict() == {"date": "2024-01-02", "region": "us", "channel": "app"}
    assert str(MultiPartitionKey.from_dict({"a": "1", "b": "2"})) == "1|2"
    assert MultiPartitionKey.split("a|b") == ["a", "b"]
    assert MultiPartitionKey.join(["a", "b"]) == "a|b"
    assert MULTI.join({"channel": "web", "date": "2024-01-01", "region": "eu"}) == (
        "2024-01-01|eu|web"
    )


def test_bad_keys_name_the_dimension() -> None:
    assert key_error(MULTI.validate_key, "2024-01-02|mars|web") == (
        "Partition key '2024-01-02|mars|web' has a bad 'region' part: 'mars' is not one of "
        "the static partitions: eu, us."
    )
    assert key_error(MULTI.validate_key, "2024-02-30|eu|web") == (
        "Partition key '2024-02-30|eu|web' has a bad 'date' part: '2024-02-30' is not a valid "
        "daily key: expected YYYY-MM-DD between 2024-01-01 and 2024-01-03."
    )
    assert key_error(MULTI.validate_key, "2024-01-02|eu") == (
        "Partition key '2024-01-02|eu' is not a valid multi-partition key: expected 3 parts "
        "joined by '|' (date|region|channel)."
    )


def test_keys_between_full_keys_is_a_range_in_key_order() -> None:
    assert MULTI.keys_between("2024-01-01|us|store", "2024-01-02|eu|app") == [
        "2024-01-01|us|store",
        "2024-01-02|eu|web",
        "2024-01-02|eu|app",
    ]


def test_keys_between_one_dimension_expands_the_others() -> None:
    keys = MULTI.keys_between("2024-01-02", "2024-01-03")
    assert len(keys) == 2 * 2 * 3
    assert keys == [k for k in MULTI.get_partition_keys() if k[:10] in ("2024-01-02", "2024-01-03")]
    assert MULTI.keys_between("us", "us") == [k for k in MULTI.get_partition_keys() if "|us|" in k]
    assert MULTI.keys_between_in("channel", "app", "store")[:2] == [
        "2024-01-01|eu|app",
        "2024-01-01|eu|store",
    ]


def test_keys_between_errors() -> None:
    assert key_error(MULTI.keys_between, "2024-01-02", "2024-05-01") == (
        "In dimension 'date': Partition key '2024-05-01' is out of range: expected a daily key "
        "between 2024-01-01 and 2024-01-03."
    )
    assert key_error(MULTI.keys_between, "nope", "never") == (
        "Partition range nope..never is neither a range of full keys (date|region|channel) nor "
        f"a range of one dimension's keys of {MULTI.describe()}."
    )
    twins = MultiPartitions({"a": REGION, "b": REGION})
    assert key_error(twins.keys_between, "eu", "us") == (
        "Partition range eu..us fits several dimensions (a, b); give full keys (a|b) instead."
    )
    assert key_error(MULTI.keys_for, "colour", ["red"]) == (
        f"{MULTI.describe()} has no dimension 'colour'; dimensions: date, region, channel."
    )


def test_keys_matching_pins_several_dimensions() -> None:
    assert MULTI.keys_matching({"region": ["us"], "channel": ["store", "web"]}) == [
        "2024-01-01|us|web",
        "2024-01-01|us|store",
        "2024-01-02|us|web",
        "2024-01-02|us|store",
        "2024-01-03|us|web",
        "2024-01-03|us|store",
    ]


def test_time_window_of_the_time_dimension() -> None:
    window = MULTI.time_window_for("2024-01-02|eu|web")
    assert window == DAILY.time_window_for("2024-01-02")
    assert MultiPartitions({"r": REGION, "c": CHANNEL}).time_window_for("eu|web") is None


def test_dynamic_dimension_takes_keys_by_name() -> None:
    multi = MultiPartitions({"customer": DynamicPartitions("customers"), "region": REGION})
    store = DynamicKeyCache({"customers": ["acme", "globex"]})
    keys = multi.get_partition_keys(store)
    assert keys == ["acme|eu", "acme|us", "globex|eu", "globex|us"]
    assert multi.index_of("globex|us", store) == 3
    assert multi.dynamic_names() == ("customers",)
    assert MULTI.dynamic_names() == ()


def test_several_dynamic_dimensions_share_one_store() -> None:
    multi = MultiPartitions(
        {
            "date": DAILY,
            "customer": DynamicPartitions("customers"),
            "vendor": DynamicPartitions("vendors"),
            "buyer": DynamicPartitions("customers"),
        }
    )
    assert multi.dynamic_names() == ("customers", "vendors")
    store = DynamicKeyCache({"customers": ["acme", "globex"], "vendors": ["v1"]})
    assert multi.num_partitions(store) == DAILY.num_partitions() * 4
    assert multi.keys_between("2024-01-02", "2024-01-02", store) == [
        "2024-01-02|acme|v1|acme",
        "2024-01-02|acme|v1|globex",
        "2024-01-02|globex|v1|acme",
        "2024-01-02|globex|v1|globex",
    ]
    multi.validate_key("2024-01-02|globex|v1|acme", store)
    with pytest.raises(PartitionKeyError) as bad:
        multi.validate_key("2024-01-02|globex|v2|acme", store)
    assert bad.value.message.startswith(
        "Partition key '2024-01-02|globex|v2|acme' has a bad 'vendor' part: 'v2' is not a key "
        "of dynamic partitions 'vendors' (known keys: v1)."
    )


def test_describe_hash_pickle() -> None:
    assert MultiPartitions({"region": REGION, "channel": CHANNEL}).describe() == (
        "multi (region: static (eu, us); channel: static (web, app, store))"
    )
    again = MultiPartitions({"date": DAILY, "region": REGION, "channel": CHANNEL})
    assert again == MULTI
    assert hash(again) == hash(MULTI)
    assert pickle.loads(pickle.dumps(MULTI)) == MULTI
    assert MultiPartitions({"region": REGION, "date": DAILY}) != MultiPartitions(
        {"date": DAILY, "region": REGION}
    )


@pytest.mark.parametrize(
    ("dimensions", "message"),
    [
        ({}, "MultiPartitions({}) needs at least one dimension."),
        (
            {"my date": DAILY},
            "MultiPartitions dimension name 'my date' must be a word of letters, "
            "digits and '_' such as 'date' or 'region'.",
        ),
        (
            {"m": MULTI},
            "MultiPartitions dimension 'm' is itself a MultiPartitions; list its "
            "dimensions in the outer one instead.",
        ),
        (
            {"r": ["eu"]},
            "MultiPartitions dimension 'r' must be a partitions definition such as "
            "StaticPartitions([...]), got ['eu'].",
        ),
        ([("r", REGION), ("r", REGION)], "MultiPartitions has the dimension 'r' twice."),
    ],
)
def test_bad_definitions(dimensions: object, message: str) -> None:
    with pytest.raises(DefinitionError) as info:
        MultiPartitions(dimensions)  # type: ignore[arg-type]
    assert info.value.problem == message
