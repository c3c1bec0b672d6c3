"""OpenLineage events of runs (SPEC §11) through the real ``assetline`` program: the
file transport (one JSON event a line) and the HTTP transport against a real receiver
on loopback; each event is rebuilt from its JSON with openlineage-python's classes and
serialized back to the same JSON, and validated against the OpenLineage JSON schemas
(``openlineage_spec/``). A dead endpoint neither fails nor holds the run."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    datasource_dataset,
    error_message_run,
    job_type_job,
    parent_run,
    schema_dataset,
    sql_job,
)
from openlineage.client.serde import Serde

from tests.conftest import FIXTURES, Cli

LOCATION = FIXTURES / "engine_openlineage.py"


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def _facet(name: str, d: dict[str, Any]) -> Any:
    d = _plain(d)
    if name == "parent":
        return parent_run.ParentRunFacet(
            run=parent_run.Run(**d["run"]),
            job=parent_run.Job(**d["job"]),
            root=parent_run.Root(
                run=parent_run.RootRun(**d["root"]["run"]),
                job=parent_run.RootJob(**d["root"]["job"]),
            ),
        )
    if name == "errorMessage":
        return error_message_run.ErrorMessageRunFacet(**d)
    if name == "jobType":
        return job_type_job.JobTypeJobFacet(**d)
    if name == "sql":
        return sql_job.SQLJobFacet(**d)
    if name == "dataSource":
        return datasource_dataset.DatasourceDatasetFacet(**d)
    if name == "schema":
        fields = [schema_dataset.SchemaDatasetFacetFields(**f) for f in d["fields"]]
        return schema_dataset.SchemaDatasetFacet(fields=fields)
    if name == "columnLineage":
        cl = column_lineage_dataset
        return cl.ColumnLineageDatasetFacet(
            fields={
                column: cl.Fields(
                    inputFields=[
                        cl.InputField(
                            namespace=i["namespace"],
                            name=i["name"],
                            field=i["field"],
                            transformations=[cl.Transformation(**t) for t in i["transformations"]],
                        )
                        for i in f["inputFields"]
                    ]
                )
                for column, f in d["fields"].items()
            },
            dataset=[],
        )
    raise AssertionError(f"unexpected facet {name}")


def _facets(d: dict[str, Any] | None) -> dict[str, Any]:
    return {name: _facet(name, f) for name, f in (d or {}).items()}


def rebuilt(event: dict[str, Any]) -> RunEvent:
    """The event rebuilt with openlineage-python's classes (their validators run)."""
    return RunEvent(
        eventType=RunState(event["eventType"]),
        eventTime=event["eventTime"],
        run=Run(runId=event["run"]["runId"], facets=_facets(event["run"]["facets"])),
        job=Job(
            namespace=event["job"]["namespace"],
            name=event["job"]["name"],
            facets=_facets(event["job"]["facets"]),
        ),
        inputs=[
            InputDataset(i["namespace"], i["name"], facets=_facets(i.get("facets")))
            for i in event["inputs"]
        ],
        outputs=[
            OutputDataset(o["namespace"], o["name"], facets=_facets(o.get("facets")))
            for o in event["outputs"]
        ],
        producer=event["producer"],
    )


SPEC = Path(__file__).with_name("openlineage_spec")


def _registry() -> Any:
    from referencing import Registry, Resource

    resources = []
    for path in sorted(SPEC.glob("*.json")):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def assert_valid(event: dict[str, Any]) -> None:
    """The event against the OpenLineage JSON schema, each facet against its own."""
    from jsonschema import Draft202012Validator

    registry = _registry()

    def check(instance: Any, ref: str) -> None:
        Draft202012Validator({"$ref": ref}, registry=registry).validate(instance)

    check(event, "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent")
    facets = [event["run"]["facets"], event["job"]["facets"]]
    facets += [d.get("facets", {}) for d in event["inputs"] + event["outputs"]]
    for group in facets:
        for facet in group.values():
            check(facet, facet["_schemaURL"])


def assert_round_trips(events: list[dict[str, Any]]) -> None:
    for event in events:
        assert json.loads(Serde.to_json(rebuilt(event))) == event
        assert_valid(event)


def test_file_transport_events_of_a_failed_run(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.assetline.openlineage]\ntransport = "file"\npath = "lineage/ol.jsonl"\n'
        'namespace = "shop"\n'
    )
    (tmp_path / "lineage").mkdir()
    result = cli("materialize", "-f", LOCATION, env={"OL_FAIL": "1"})
    assert result.returncode == 1, result
    lines = (tmp_path / "lineage" / "ol.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert_round_trips(events)
    seen = [(e["eventType"], e["job"]["name"]) for e in events]
    assert seen == [
        ("START", "run:*"),
        ("START", "orders"),
        ("COMPLETE", "orders"),
        ("START", "revenue"),
        ("COMPLETE", "revenue"),
        ("START", "audit"),
        ("FAIL", "audit"),
        ("FAIL", "run:*"),
    ]
    run_id = cli("runs", "--format", "json").json()["runs"][0]["id"]  # type: ignore[index]
    run_uuid = str(uuid.UUID(hex=run_id))
    assert events[0]["run"]["runId"] == run_uuid and events[0]["job"]["namespace"] == "shop"
    by = {(e["eventType"], e["job"]["name"]): e for e in events}
    revenue = by[("COMPLETE", "revenue")]
    assert revenue["run"]["runId"] == by[("START", "revenue")]["run"]["runId"] != run_uuid
    parent = revenue["run"]["facets"]["parent"]
    assert parent["run"]["runId"] == run_uuid
    assert (parent["job"]["namespace"], parent["job"]["name"]) == ("shop", "run:*")
    home = tmp_path / "assetline_home"
    storage = str(Path(str(home)) / "storage")
    assert [(i["namespace"], i["name"]) for i in revenue["inputs"]] == [
        ("file", f"{storage}/orders")
    ]
    [out] = revenue["outputs"]
    assert (out["namespace"], out["name"]) == ("file", f"{storage}/revenue")
    assert out["facets"]["dataSource"]["name"] == "fs"
    assert out["facets"]["dataSource"]["uri"] == Path(storage).as_uri()
    assert [(f["name"], f["type"]) for f in out["facets"]["schema"]["fields"]] == [
        ("region", "string"),
        ("total", "double"),
    ]
    total = out["facets"]["columnLineage"]["fields"]["total"]["inputFields"]
    assert {(i["field"], t["type"], t["subtype"]) for i in total for t in i["transformations"]} == {
        ("amount", "DIRECT", "AGGREGATION"),
        ("status", "INDIRECT", "FILTER"),
        ("region", "INDIRECT", "GROUP_BY"),
    }
    assert "GROUP BY region" in revenue["job"]["facets"]["sql"]["query"]
    assert "sql" not in by[("COMPLETE", "orders")]["job"]["facets"]
    failed = by[("FAIL", "audit")]["run"]["facets"]["errorMessage"]
    assert "audit failed on purpose" in failed["message"]
    assert failed["programmingLanguage"] == "PYTHON"
    assert "raise ValueError" in failed["stackTrace"]
    assert (
        "1 step(s) failed: audit"
        in by[("FAIL", "run:*")]["run"]["facets"]["errorMessage"]["message"]
    )


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, str | None, dict[str, Any]]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[str, str | None, dict[str, Any]]]]]:
    received: list[tuple[str, str | None, dict[str, Any]]] = []
    handler = type("Handler", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("executor", ["inprocess", "multiprocess"])
def test_http_transport_posts_each_event_with_the_api_key(
    cli: Cli,
    tmp_path: Path,
    receiver: tuple[str, list[tuple[str, str | None, dict[str, Any]]]],
    executor: str,
) -> None:
    url, received = receiver
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.assetline.openlineage]\ntransport = "http"\nurl = "{url}"\n'
        'api_key = "k-123"\ntimeout_s = 2\n'
    )
    result = cli("materialize", "-f", LOCATION, "--select", "orders", "--executor", executor)
    assert result.returncode == 0, result
    assert [(p, a) for p, a, _ in received] == [("/api/v1/lineage", "Bearer k-123")] * 4
    events = [e for _, _, e in received]
    assert [(e["eventType"], e["job"]["name"]) for e in events] == [
        ("START", "run:orders"),
        ("START", "orders"),
        ("COMPLETE", "orders"),
        ("COMPLETE", "run:orders"),
    ]
    assert_round_trips(events)


def test_a_dead_endpoint_is_logged_once_and_does_not_hold_the_run(cli: Cli, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.assetline.openlineage]\ntransport = "http"\nurl = "http://127.0.0.1:{port}"\n'
    )
    started = time.monotonic()
    result = cli("materialize", "-f", LOCATION, "--select", "orders")
    took = time.monotonic() - started
    assert result.returncode == 0, result
    assert result.stderr.count("OpenLineage (http) failed") == 1, result
    assert "later items are tried once" in result.stderr
    assert took < 30, took


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('transport = "kafka"', 'transport must be "http" (with url) or "file"'),
        ('transport = "http"', 'transport = "http" needs url'),
        ('transport = "file"', 'transport = "file" needs path'),
        ('transport = "file"\npath = "x"\ntimeout_s = 0', "timeout_s must be a number"),
        ('transport = "file"\npath = "x"\nurll = "y"', "unknown setting(s) urll"),
    ],
)
def test_bad_settings_are_usage_errors(cli: Cli, tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.assetline.openlineage]\n{table}\n")
    result = cli("materialize", "-f", LOCATION, "--select", "orders")
    assert result.returncode == 2, result
    assert message in result.stderr, result
