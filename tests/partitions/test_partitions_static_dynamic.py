"""Static and dynamic partitions: key rules, lookups and error messages."""

from __future__ import annotations

import pickle

import pytest

from assets_core.errors import DefinitionError, PartitionKeyError
from assets_core.partitions import (
    DynamicKeyCache,
    DynamicPartitions,
    StaticPartitions,
    key_problem,
)


def definition_error(fn: object, *args: object) -> str:
    """The problem ``fn(...)`` raises; the error is located at the line that called it."""
    with pytest.raises(DefinitionError) as info:
        fn(*args)  # type: ignore[operator]
    assert info.tb is not None
    assert str(info.value).startswith(f"{__file__}:{info.tb.tb_lineno}: {info.value.problem}")
    return info.value.problem


def key_error(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(PartitionKeyError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return str(info.value)


def test_static_keys_in_order_with_index_lookups() -> None:
    regions = StaticPartitions(["eu", "us", "apac"])
    assert regions.get_partition_keys() == ["eu", "us", "apac"]
    assert regions.keys == ("eu", "us", "apac")
    assert regions.num_partitions() == 3
    assert regions.index_of("apac") == 2
    assert regions.key_at(1) == "us"
    assert regions.indices_of(["us", "eu"]) == [1, 0]
    assert regions.keys_between("us", "apac") == ["us", "apac"]
    assert regions.kind == "static"
    assert regions.describe() == "static (eu, us, apac)"
    assert regions.to_dict() == {
        "kind": "static",
        "description": "static (eu, us, apac)",
        "keys": ["eu", "us", "apac"],
    }


def test_static_is_hashable_picklable_and_compares_by_keys() -> None:
    regions = StaticPartitions(("eu", "us"))
    assert regions == StaticPartitions(["eu", "us"])
    assert hash(regions) == hash(StaticPartitions(["eu", "us"]))
    assert regions != StaticPartitions(["us", "eu"])
    clone = pickle.loads(pickle.dumps(regions))
    assert clone == regions
    assert clone.index_of("us") == 1


def test_unknown_static_key_names_the_keys_and_the_closest() -> None:
    regions = StaticPartitions(["eu", "us", "apac"])
    assert key_error(regions.validate_key, "apak") == (
        "Partition key 'apak' is not one of the static partitions: eu, us, apac. "
        "Did you mean 'apac'?"
    )
    many = StaticPartitions([f"k{i}" for i in range(8)])
    assert key_error(many.index_of, "x") == (
        "Partition key 'x' is not one of the static partitions: k0, k1, k2, k3, k4, ... (8 keys)."
    )
    assert many.describe() == "static (k0, k1, k2, k3, k4, ... (8 keys))"


def test_reversed_static_range() -> None:
    regions = StaticPartitions(["eu", "us", "apac"])
    assert key_error(regions.keys_between, "apac", "eu") == (
        "Partition range apac..eu is reversed: --from must not be after --to."
    )


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([], "StaticPartitions([]) needs at least one key."),
        (
            "eu",
            "StaticPartitions('eu') needs a list of keys, not one string: "
            "StaticPartitions(['eu']).",
        ),
        (
            ["eu", "us", "eu"],
            "StaticPartitions has the key 'eu' twice (positions 0 and 2); keys must be unique.",
        ),
        (
            ["a|b"],
            "StaticPartitions key 'a|b' contains '|', which joins the parts of "
            "multi-partition keys.",
        ),
        (
            ["a/b"],
            "StaticPartitions key 'a/b' contains a path separator; partitions are "
            "stored one folder per key.",
        ),
        (
            [".hidden"],
            "StaticPartitions key '.hidden' starts with '.', which would make its folder hidden.",
        ),
        ([""], "StaticPartitions key '' is empty."),
        ([" eu"], "StaticPartitions key ' eu' starts or ends with whitespace."),
        ([1], "StaticPartitions key 1 is a int, not a string."),
    ],
)
def test_bad_static_keys(keys: object, message: str) -> None:
    assert definition_error(StaticPartitions, keys) == message


def test_key_rules() -> None:
    assert key_problem("2024-01-01|eu") is not None
    assert key_problem("a\nb") == "contains a control character"
    assert key_problem("x" * 256) == (
        "is 256 bytes long in UTF-8; the limit is 255 bytes (it becomes a file name)"
    )
    assert key_problem("customer-42.v2") is None


def test_dynamic_keys_come_from_a_store_asked_by_name() -> None:
    customers = DynamicPartitions("customers")
    store = DynamicKeyCache({"customers": ["acme", "globex"], "other": ["x"]})
    assert customers.get_partition_keys(store) == ["acme", "globex"]
    assert customers.get_partition_keys(DynamicKeyCache({"other": ["x"]})) == []
    assert customers.index_of("globex", store) == 1
    assert customers.num_partitions(store) == 2
    assert customers.key_at(0, store) == "acme"
    assert customers.dynamic_names() == ("customers",)
    assert customers.describe() == "dynamic 'customers'"
    assert customers.kind == "dynamic"
    assert customers.to_dict() == {
        "kind": "dynamic",
        "description": "dynamic 'customers'",
        "name": "customers",
    }
    assert pickle.loads(pickle.dumps(customers)) == customers


def test_dynamic_without_keys_is_a_programming_error() -> None:
    customers = DynamicPartitions("customers")
    with pytest.raises(ValueError) as no_store:
        customers.get_partition_keys()
    assert str(no_store.value) == (
        "DynamicPartitions('customers') takes its keys from the catalog: pass dynamic_keys, "
        "a DynamicKeyStore such as the Catalog or DynamicKeyCache({'customers': [...]})."
    )
    with pytest.raises(TypeError) as a_list:
        customers.get_partition_keys(["acme"])  # type: ignore[arg-type]
    assert str(a_list.value) == (
        "dynamic_keys must be a DynamicKeyStore (the Catalog, or DynamicKeyCache("
        "{'customers': [...]})), not list."
    )
    with pytest.raises(TypeError, match=r"not one string: \{'customers': \['acme'\]\}"):
        DynamicKeyCache({"customers": "acme"})


def test_a_cache_reads_its_source_once_per_name() -> None:
    asked: list[str] = []

    class Source:
        def dynamic_partitions(self, name: str) -> list[str]:
            asked.append(name)
            return {"customers": ["acme", "globex"]}.get(name, [])

    cache = DynamicKeyCache({"regions": ["eu"]}, source=Source())
    customers = DynamicPartitions("customers")
    for _ in range(3):
        assert customers.get_partition_keys(cache) == ["acme", "globex"]
    assert DynamicPartitions("regions").get_partition_keys(cache) == ["eu"]
    assert DynamicPartitions("vendors").get_partition_keys(cache) == []
    assert asked == ["customers", "vendors"]


def test_unknown_dynamic_key_says_how_to_add_it() -> None:
    customers = DynamicPartitions("customers")

    def store(keys: list[str]) -> DynamicKeyCache:
        return DynamicKeyCache({"customers": keys})

    assert key_error(customers.validate_key, "initech", store(["acme", "globex"])) == (
        "Partition key 'initech' is not a key of dynamic partitions 'customers' (known keys: "
        "acme, globex). Add it with: assetline partitions add customers initech"
    )
    assert key_error(customers.validate_key, "acme", store([])) == (
        "Partition key 'acme' is not a key of dynamic partitions 'customers' (it has no keys "
        "yet). Add it with: assetline partitions add customers acme"
    )


def test_dynamic_name_and_new_keys_are_validated() -> None:
    assert definition_error(DynamicPartitions, "my customers") == (
        "DynamicPartitions('my customers'): the name must be 1-200 letters, digits, '_', '-' "
        "or '.' (not first), e.g. DynamicPartitions('customers')."
    )
    customers = DynamicPartitions("customers")
    assert customers.validate_new_keys(["b", "a", "b", "c"], existing=["c"]) == ["b", "a"]
    assert key_error(customers.validate_new_keys, ["ok", "a|b"]) == (
        "Cannot add partition key 'a|b' to dynamic partitions 'customers': it contains '|', "
        "which joins the parts of multi-partition keys."
    )
