"""``reportMaterialization``: a producer outside Assetline records an external asset's
new data over the API (issue 16); on SQLite and PostgreSQL catalogs."""

from __future__ import annotations

from tests.ui.conftest import UiServer

REPORT = """mutation($a: String!, $v: String, $m: JSON) {
    reportMaterialization(asset: $a, dataVersion: $v, metadata: $m) {
        assetKey dataVersion metadata runId } }"""
STATUS = """query($k: String!) { asset(key: $k) { status staleReasons
    latestMaterialization { dataVersion } } }"""


def test_a_reported_materialization_is_recorded(server: UiServer) -> None:
    before = server.data(STATUS, k="raw/events")["asset"]
    assert before["status"] == "MISSING"
    assert "never observed" in before["staleReasons"][0]

    reported = server.data(REPORT, a="raw/events", v="kafka-offset-42", m={"rows": 1200})
    got = reported["reportMaterialization"]
    assert got["assetKey"] == "raw/events"
    assert got["dataVersion"] == "kafka-offset-42"
    assert got["metadata"] == {"rows": 1200}

    after = server.data(STATUS, k="raw/events")["asset"]
    assert after["status"] == "FRESH"
    assert after["latestMaterialization"]["dataVersion"] == "kafka-offset-42"
    run = server.data("query($id: String!) { run(id: $id) { status tags } }", id=got["runId"])
    assert run["run"]["status"] == "SUCCESS"
    assert run["run"]["tags"] == {"assetline/kind": "reported"}


def test_bad_reports_are_coded_errors(server: UiServer) -> None:
    unknown = server.error(REPORT, a="raw/nope", v="1")
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    not_an_object = server.error(REPORT, a="raw/events", v="1", m=[1, 2])
    assert not_an_object["extensions"]["code"] == "BAD_USER_INPUT"
