"""Resources and ``EnvVar`` secrets: resolved at run time, passed by name, and never
written to the catalog (events, step records, metadata, runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import MetaData, select

from assets_core import Definitions, EnvVar, MaterializeResult, asset
from assets_core.catalog.catalog import Catalog
from assets_core.errors import ConfigError
from assets_core.execution.run import materialize

SECRET = "hunter2-Zq9xK7-not-for-logs"


@dataclass(frozen=True)
class Warehouse:
    host: str
    password: Any  # an EnvVar until the run resolves it


def catalog_rows(catalog: Catalog) -> list[str]:
    """Every row of every catalog table, as text."""
    meta = MetaData()
    meta.reflect(catalog.engine)
    out = []
    with catalog.engine.connect() as conn:
        for table in meta.sorted_tables:
            out.extend(f"{table.name}: {row!r}" for row in conn.execute(select(table)))
    return out


def leaks(catalog: Catalog, secret: str = SECRET) -> list[str]:
    found = [row for row in catalog_rows(catalog) if secret in row]
    if catalog.engine.dialect.name == "sqlite":
        db = Path(catalog.engine.url.database or "")
        for f in db.parent.glob(db.name + "*"):  # the database, its WAL and shm files
            if secret.encode() in f.read_bytes():
                found.append(f"file {f.name}")
    return found


def test_resources_are_passed_by_name_and_envvars_resolved_at_run_time(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str]] = []

    @asset(required_resources=["warehouse"])
    def uses_warehouse(context) -> int:  # type: ignore[no-untyped-def]
        wh = context.resources.warehouse
        seen.append((wh.host, wh.password))
        assert context.resources["warehouse"] is wh
        assert "warehouse" in context.resources
        return 1

    monkeypatch.delenv("WAREHOUSE_PASSWORD", raising=False)
    defs = Definitions(
        assets=[uses_warehouse],
        resources={"warehouse": Warehouse("db.local", EnvVar("WAREHOUSE_PASSWORD"))},
    )
    # Defining the resource did not need the variable; each run reads it.
    monkeypatch.setenv("WAREHOUSE_PASSWORD", "first")
    assert materialize(defs, catalog=sqlite_catalog).success
    monkeypatch.setenv("WAREHOUSE_PASSWORD", "second")
    assert materialize(defs, catalog=sqlite_catalog).success
    assert seen == [("db.local", "first"), ("db.local", "second")]


def test_envvar_inside_a_dict_resource_is_resolved(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "tok")

    @asset
    def calls_api(context) -> str:  # type: ignore[no-untyped-def]
        return str(context.resources.api["token"])

    defs = Definitions(assets=[calls_api], resources={"api": {"token": EnvVar("API_TOKEN")}})
    assert materialize(defs, catalog=sqlite_catalog).output_for("calls_api") == "tok"


def test_missing_envvar_is_a_usage_error_and_records_nothing(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)

    @asset
    def needs_it(context) -> int:  # type: ignore[no-untyped-def]
        return 1

    defs = Definitions(assets=[needs_it], resources={"x": EnvVar("NOT_SET_ANYWHERE")})
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE is not set"):
        materialize(defs, catalog=sqlite_catalog)
    assert sqlite_catalog.list_runs() == []


def secret_defs() -> Definitions:
    @asset(required_resources=["warehouse"])
    def extract(context) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        password = context.resources.warehouse.password
        context.log.info("connecting with %s", password)
        context.log.warning(f"password={password}")
        context.add_metadata({"dsn": f"postgres://u:{password}@host/db"})
        return pd.DataFrame({"x": [1, 2]})

    @asset(required_resources=["warehouse"])
    def summary(context, extract: pd.DataFrame) -> MaterializeResult:  # type: ignore[no-untyped-def]
        password = context.resources.warehouse.password
        return MaterializeResult(len(extract), metadata={"used": password})

    return Definitions(
        assets=[extract, summary],
        resources={"warehouse": Warehouse("db.local", EnvVar("WAREHOUSE_PASSWORD"))},
    )


def test_secret_is_redacted_from_logs_and_metadata(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_PASSWORD", SECRET)
    result = materialize(secret_defs(), catalog=catalog)
    assert result.success

    logs = [e.message for e in catalog.events(result.run_id) if e.type == "LOG"]
    assert logs == ["connecting with ***", "password=***"]
    mats = catalog.latest_materializations(["extract", "summary"])
    assert mats["extract"].metadata["dsn"] == "postgres://u:***@host/db"
    assert mats["summary"].metadata["used"] == "***"
    assert leaks(catalog) == []


def test_secret_nested_in_metadata_is_redacted(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_PASSWORD", SECRET)

    @asset
    def nested(context) -> int:  # type: ignore[no-untyped-def]
        password = context.resources.warehouse
        context.add_metadata({"connection": {"password": password}, "args": [password]})
        return 1

    defs = Definitions(assets=[nested], resources={"warehouse": EnvVar("WAREHOUSE_PASSWORD")})
    assert materialize(defs, catalog=sqlite_catalog).success
    assert leaks(sqlite_catalog) == []


def test_secret_in_an_exception_message_is_redacted(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_PASSWORD", SECRET)

    @asset
    def fails_loudly(context) -> int:  # type: ignore[no-untyped-def]
        raise ConnectionError(f"login failed for password {context.resources.warehouse}")

    defs = Definitions(assets=[fails_loudly], resources={"warehouse": EnvVar("WAREHOUSE_PASSWORD")})
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.status == "FAILURE"
    assert leaks(sqlite_catalog) == []


class PlainClient:
    """A resource that is neither a dataclass nor a dict."""

    def __init__(self, url: str, token: Any, options: dict[str, Any]) -> None:
        self.url = url
        self.token = token
        self.options = options


class SlotsClient:
    __slots__ = ("inner", "name")

    def __init__(self, name: str, inner: PlainClient) -> None:
        self.name = name
        self.inner = inner


class Uncopyable:
    def __init__(self, token: Any) -> None:
        self.token = token

    def __copy__(self) -> Uncopyable:
        raise TypeError("holds a live socket")


def test_envvars_resolve_inside_plain_objects_and_nested_values(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", SECRET)
    monkeypatch.setenv("OTHER_TOKEN", "second-secret-value")
    seen: list[Any] = []
    plain = PlainClient("https://api", EnvVar("API_TOKEN"), {"retry": [EnvVar("OTHER_TOKEN")]})
    slotted = SlotsClient("s", PlainClient("https://b", EnvVar("OTHER_TOKEN"), {}))
    nested = Warehouse("db", {"password": EnvVar("API_TOKEN")})

    @asset(required_resources=["api", "slotted", "warehouse"])
    def calls(context) -> int:  # type: ignore[no-untyped-def]
        r = context.resources
        seen.extend([r.api.token, r.api.options["retry"][0], r.slotted.inner.token])
        seen.append(r.warehouse.password["password"])
        context.log.info("token is %s", r.api.token)
        return 1

    defs = Definitions(
        assets=[calls], resources={"api": plain, "slotted": slotted, "warehouse": nested}
    )
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success
    assert seen == [SECRET, "second-secret-value", "second-secret-value", SECRET]
    # The definitions keep the EnvVar: the secret lives only in the run's copy.
    assert plain.token == EnvVar("API_TOKEN") and slotted.inner.token == EnvVar("OTHER_TOKEN")
    assert leaks(sqlite_catalog) == []


def test_an_envvar_in_an_object_that_cannot_be_copied_says_what_is_supported(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", SECRET)

    @asset(required_resources=["client"])
    def needs(context) -> int:  # type: ignore[no-untyped-def]
        return 1

    defs = Definitions(assets=[needs], resources={"client": Uncopyable(EnvVar("API_TOKEN"))})
    with pytest.raises(ConfigError) as e:
        materialize(defs, catalog=sqlite_catalog)
    assert str(e.value).startswith(
        "Cannot resolve the EnvVar in client.token: a Uncopyable could not be copied to hold "
        "the secret (TypeError: holds a live socket). EnvVar resolves in dicts, lists, tuples, "
        "dataclasses and plain objects"
    )
