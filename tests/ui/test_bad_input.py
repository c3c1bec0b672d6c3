"""Bad input on the server (issue 14): bodies that are not one GraphQL request object,
bodies over the cap, media types that only look like JSON, and a seeded fuzzer of
2,500 malformed requests, all against a real server on a loopback port. Each answer
is a coded error with a 4xx status: never a 5xx, never a stack trace."""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import UiServer, start_server

KNOWN_CODES = {
    "NOT_FOUND", "INVALID_SELECTION", "INVALID_PARTITION", "INVALID_CONFIG",
    "DEFINITION_ERROR", "BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED",
}  # fmt: skip
JSON = {"content-type": "application/json"}
RUNS = "{ runs(limit: 100) { runs { id } } }"


@pytest.fixture(scope="module")
def small_cap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server whose project caps bodies at 4,000 bytes (``[tool.assetline.server]``)."""
    project = tmp_path_factory.mktemp("project")
    (project / "pyproject.toml").write_text("[tool.assetline.server]\nmax_body_bytes = 4000\n")
    mp = pytest.MonkeyPatch()
    mp.chdir(project)
    try:
        ui = start_server(tmp_path_factory.mktemp("home"))
    finally:
        mp.undo()
    yield ui
    ui.close()


def _coded(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", errors
    message: str = errors[0]["message"]
    return message


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"null", "not null"),
        (b"42", "not a number"),
        (b"true", "not a boolean"),
        (b'"string"', "not a string"),
        (b'{"query": "{ assets { key } }\xff"}', "not valid UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b'{"query": "{ assets { key } }", "variables": ' + b'{"a":' * 200 + b"1" + b"}" * 201,
         "nested more than"),
        (b"[]", "Batched operations are not supported"),
        (b'{"query": 5}', '"query" must be a string'),
        (b'{"query": "{ assets { key } }", "variables": [1]}', '"variables" must be an object'),
        (b"{", "not JSON"),
    ],
)  # fmt: skip
def test_bodies_that_are_not_a_request_object(server: UiServer, body: bytes, says: str) -> None:
    response = server.client.post("/graphql", content=body, headers=JSON)
    assert says in _coded(response, 400)


def test_subscription_over_http_post_is_refused(server: UiServer) -> None:
    response = server.post('subscription { runEvents(runId: "x") { type } }')
    assert "websocket" in _coded(response, 400)


def test_json_media_type_is_matched_exactly(server: UiServer) -> None:
    before = len(server.data(RUNS)["runs"]["runs"])
    mutation = json.dumps({"query": 'mutation { materialize(selection: "flaky") { id } }'})
    for media in ("application/jsonx", "application/json-patch", "text/plain"):
        response = server.client.post("/graphql", content=mutation, headers={"content-type": media})
        assert "application/json" in _coded(response, 415)
    assert len(server.data(RUNS)["runs"]["runs"]) == before  # nothing was launched
    with_charset = {"content-type": "application/json; charset=utf-8"}
    ok = server.client.post("/graphql", content=json.dumps({"query": RUNS}), headers=with_charset)
    assert ok.status_code == 200 and "errors" not in ok.json()


def test_a_megabyte_asset_key_is_not_echoed_whole(server: UiServer) -> None:
    key = "k" * 1_000_000
    response = server.post("query($k: String!) { asset(key: $k) { key } }", {"k": key})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert len(response.content) < 5_000 and "more characters" in error["message"]


def test_default_cap_is_one_mebibyte(server: UiServer) -> None:
    body = json.dumps({"query": RUNS, "variables": {"pad": "x" * (1024 * 1024)}})
    assert "larger than 1,048,576 bytes" in _coded(
        server.client.post("/graphql", content=body, headers=JSON), 413
    )


def test_configured_cap_refuses_larger_bodies(small_cap: UiServer) -> None:
    fits = json.dumps({"query": RUNS, "variables": {"pad": "x" * 3000}})
    assert small_cap.client.post("/graphql", content=fits, headers=JSON).status_code == 200
    big = json.dumps({"query": RUNS, "variables": {"pad": "x" * 5000}})
    message = _coded(small_cap.client.post("/graphql", content=big, headers=JSON), 413)
    assert "max_body_bytes" in message and "4,000" in message


def test_cap_holds_without_content_length(small_cap: UiServer) -> None:
    """A chunked body declares no length: the server stops reading past the cap."""

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ runs { runs { id } } }", "variables": {"pad": "'
        for _ in range(1000):  # 1 MB in all, never sent whole
            yield b"x" * 1000
        yield b'"}}'

    response = small_cap.client.post("/graphql", content=chunks(), headers=JSON)
    _coded(response, 413)


def test_a_bad_cap_setting_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assets_core.errors import UsageError
    from assets_ui.graphql.body import configured_max_body_bytes

    (tmp_path / "pyproject.toml").write_text('[tool.assetline.server]\nmax_body_bytes = "1MB"\n')
    with pytest.raises(UsageError, match=r"max_body_bytes .* must be an int > 0"):
        configured_max_body_bytes(tmp_path)


# -- the fuzzer ---------------------------------------------------------------------
DOCUMENTS = [
    "{ assets { key group } }",
    'query($k: String!) { asset(key: $k) { key } }',
    'mutation { materialize(selection: "no_such_asset") { id } }',
    "mutation($n: String!, $k: [String!]!) { addDynamicPartitions(name: $n, keys: $k) }",
    'subscription { runEvents(runId: "x") { type } }',
    "{ runs(limit: 5) { id status } }",
    "{ __schema { types { name } } }",
    "query { assets(selection: $s) { key } }",
    "{ asset(key: 5) }",
    "mutation { cancelRun(id: 7) { id } }",
]  # fmt: skip


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 6 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**70, 1.5, -0.0, 1e308])
    if kind in (3, 4, 5):
        alphabet = "ab/..é\x00\u202e[]{}\"'\\$%:; \n" + "x" * 5
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
    if kind == 6:
        return [_json_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_text(rng): _json_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def _text(rng: random.Random) -> str:
    return "".join(rng.choice("qvxkn/._é\x00") for _ in range(rng.randrange(0, 12)))


def _request(rng: random.Random) -> tuple[bytes, str]:
    """A random, mostly malformed request body and its content-type."""
    content_type = rng.choice(
        ["application/json"] * 6
        + ["application/jsonx", "text/plain", "", "application/json; charset=latin-1",
           "multipart/form-data; boundary=x", "application/graphql"]
    )  # fmt: skip
    shape = rng.randrange(8)
    if shape == 0:
        body = json.dumps(_json_value(rng)).encode()
    elif shape == 1:
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    elif shape == 2:
        opener = rng.choice([b"[", b'{"a":', b'{"query": "{ assets { key } }", "variables": {"v":'])
        n = rng.choice([10, 63, 65, 900, 5000, 15_000])  # under the 1 MiB cap
        body = opener * n + b"1" + b"}" * n
    else:
        request: dict[str, Any] = {"query": rng.choice(DOCUMENTS)}
        if rng.random() < 0.8:
            request["variables"] = {
                name: _json_value(rng) for name in rng.sample(["k", "n", "s", "id"], 2)
            }
        if rng.random() < 0.3:
            request[rng.choice(["operationName", "extensions", "query"])] = _json_value(rng)
        body = json.dumps(request).encode()
        if rng.random() < 0.2:
            cut = rng.randrange(len(body))
            body = body[:cut] + rng.choice([b"\xff", b"\x00", b"", b"\xc3"]) + body[cut + 1 :]
    return body, content_type


def _raw_post(port: int, body: bytes, content_type: str) -> tuple[int, bytes]:
    """POST over a plain socket, so that any content-type and body are sent as is."""
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
        f"Content-Type: {content_type}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def test_fuzzed_requests_get_coded_answers(server: UiServer) -> None:
    rng = random.Random(14)
    statuses: dict[int, int] = {}
    for n in range(2500):
        body, content_type = _request(rng)
        status, answer = _raw_post(server.port, body, content_type)
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (n, body[:200], answer[:500])
        assert b"Traceback" not in answer and b'File "' not in answer, (n, answer[:500])
        if status >= 400:
            errors = json.loads(answer)["errors"]
            assert errors[0]["extensions"]["code"] in KNOWN_CODES, (n, errors)
    assert statuses.get(200, 0) > 100 and statuses.get(400, 0) > 100, statuses


def test_post_without_origin_is_a_script_unless_it_carries_cookies(server: UiServer) -> None:
    """Scripts send no Origin (and authenticate with bearer tokens): accepted. A
    request with cookies is a browser's, which always sends an Origin on a POST."""
    query = {"query": RUNS}
    assert server.client.post("/graphql", json=query).status_code == 200
    with_cookie = server.client.post("/graphql", json=query, headers={"cookie": "session=abc"})
    assert with_cookie.status_code == 403
    error = with_cookie.json()["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN" and "Origin" in error["message"]
    same_site = {"cookie": "session=abc", "origin": server.url}
    assert server.client.post("/graphql", json=query, headers=same_site).status_code == 200
