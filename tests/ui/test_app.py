"""The app around the API: static UI with client-route fallback, the page shown when
the UI is not built, Host and Origin checks, bearer tokens and roles (SPEC §13)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assets_ui.app import create_app
from assets_ui.security import OriginPolicy, TokenAuth
from tests.ui.conftest import UI_LOCATION, UiServer, start_server

MATERIALIZE = 'mutation { materialize(selection: "raw_orders") { id status } }'


class AsgiClient:
    """Calls the app in process (no lifespan: no run worker), one request at a time."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1:3000"
            ) as c:
                return await c.request(method, url, **kw)

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)


def _client(tmp_path: Path, **kw: Any) -> AsgiClient:
    return AsgiClient(create_app(file=str(UI_LOCATION), home=tmp_path / "home", **kw))


def test_static_ui_with_client_route_fallback(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<html>the app</html>")
    (static / "assets" / "app-123.js").write_text("console.log(1)")
    client = _client(tmp_path, static_dir=static)
    assert client.get("/").text == "<html>the app</html>"
    assert client.get("/assets/app-123.js").text == "console.log(1)"
    route = client.get("/assets/sales/orders")
    assert route.status_code == 200 and route.text == "<html>the app</html>"
    assert route.headers["cache-control"] == "no-cache"
    assert client.get("/runs/abc").text == "<html>the app</html>"
    assert client.get("/assets/missing-456.js").status_code == 404
    assert client.get("/healthz").json()["status"] == "ok"


def test_missing_build_shows_how_to_build_it(tmp_path: Path) -> None:
    client = _client(tmp_path, static_dir=tmp_path / "nothing")
    for path in ("/", "/assets/sales/orders"):
        page = client.get(path)
        assert page.status_code == 200
        assert "UI not built: run make install" in page.text
    assert client.post("/graphql", json={"query": "{ assets { key } }"}).status_code == 200


def test_foreign_origin_and_host_are_refused(tmp_path: Path) -> None:
    client = _client(tmp_path)
    body = {"query": "{ assets { key } }"}
    bad = client.post("/graphql", json=body, headers={"origin": "https://evil.example"})
    assert bad.status_code == 403
    assert bad.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for origin in ("http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080"):
        ok = client.post("/graphql", json=body, headers={"origin": origin})
        assert ok.status_code == 200, origin
    rebinding = client.get("/healthz", headers={"host": "attacker.example:3000"})
    assert rebinding.status_code == 403


def test_mutations_need_post_with_json(tmp_path: Path) -> None:
    client = _client(tmp_path)
    via_get = client.get("/graphql", params={"query": MATERIALIZE})
    assert via_get.status_code in (400, 405) or via_get.json()["errors"]
    graphql_body = client.post(
        "/graphql", content=MATERIALIZE, headers={"content-type": "application/graphql"}
    )
    if graphql_body.status_code == 200:
        assert graphql_body.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_origin_policy() -> None:
    policy = OriginPolicy(["https://ui.example.com"], ["assets.example.com"])
    assert policy.origin_allowed(None, "127.0.0.1:3000")
    assert policy.origin_allowed("https://ui.example.com", "assets.example.com")
    assert policy.origin_allowed("http://assets.example.com:3000", "assets.example.com:3000")
    assert not policy.origin_allowed("https://evil.example", "assets.example.com")
    assert not policy.origin_allowed("null", "127.0.0.1:3000")
    assert policy.host_allowed("assets.example.com") and policy.host_allowed("10.0.0.5:3000")
    assert policy.host_allowed("[::1]:3000") and not policy.host_allowed("evil.example")


def test_token_auth_keeps_digests_only() -> None:
    auth = TokenAuth("s3cret:viewer, op-token:operator:group:sales:group:ops ,root:admin")
    assert auth.enabled
    assert auth.principal(None) is None and auth.principal("wrong") is None
    operator = auth.principal("op-token")
    assert operator is not None and operator.role == "operator"
    assert operator.groups == frozenset({"sales", "ops"})
    assert not operator.allows("admin") and operator.allows("viewer")
    assert "s3cret" not in repr(auth.__dict__)
    with pytest.raises(ValueError, match="role"):
        TokenAuth("x:superuser")
    assert TokenAuth("").principal(None) is not None  # no tokens: local admin


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    mp = pytest.MonkeyPatch()
    mp.setenv("ASSETLINE_AUTH_TOKENS", "view:viewer,ops:operator:group:ops,root:admin")
    try:
        ui = start_server(tmp_path_factory.mktemp("secured"))
    finally:
        mp.undo()
    yield ui
    ui.close()


def test_tokens_and_roles(secured: UiServer) -> None:
    query = {"query": "{ assets { key } }"}
    anonymous = secured.client.post("/graphql", json=query)
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert secured.client.get("/metrics").status_code == 401

    def call(token: str, q: str) -> dict:  # type: ignore[type-arg]
        r = secured.client.post(
            "/graphql", json={"query": q}, headers={"authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    assert len(call("view", "{ assets { key } }")["data"]["assets"]) == 11
    denied = call("view", MATERIALIZE)["errors"][0]
    assert denied["extensions"]["code"] == "FORBIDDEN" and "operator" in denied["message"]
    outside = call("ops", MATERIALIZE)["errors"][0]
    assert outside["extensions"]["code"] == "FORBIDDEN" and "sales" in outside["message"]
    run = call("ops", 'mutation { materialize(selection: "flaky") { id status } }')
    assert run["data"]["materialize"]["status"] == "QUEUED"
    partitions = 'mutation { addDynamicPartitions(name: "customers", keys: ["acme"]) }'
    assert call("ops", partitions)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert call("root", partitions)["data"]["addDynamicPartitions"] == ["acme"]
    audit = (secured.home / "audit.log").read_text()
    assert '"action": "materialize"' in audit and '"outcome": "FORBIDDEN"' in audit
    assert "root" not in audit.replace("role", "")  # tokens never reach the log

    events = "subscription($id: String!) { runEvents(runId: $id) { type } }"
    run_id = run["data"]["materialize"]["id"]
    received, end = secured.subscribe(events, {"id": run_id}, params={"authToken": "view"})
    assert end["type"] == "complete" and received[-1]["data"]["runEvents"]["type"] == "RUN_SUCCESS"
    with pytest.raises(Exception, match=r"4403|Forbidden"):
        secured.subscribe(events, {"id": run_id}, params={"authToken": "nope"})
