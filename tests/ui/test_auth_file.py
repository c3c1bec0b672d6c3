"""``assetline ui --auth FILE`` and what a run may see (SPEC §13), against a real
``assetline ui`` process: hashed tokens from TOML and JSON files with roles and group
scopes, reloaded on SIGHUP (a broken file keeps the tokens in use); runs never see
``ASSETLINE_AUTH_TOKENS`` nor the auth file's path; a code location leaking its
``EnvVar`` secret everywhere leaves zero occurrences in the server's output, its API
answers, its audit log and its SQLite catalog."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assets_ui.auth_file import hash_token, load_auth_file
from assets_ui.security import AuthConfigError
from tests.conftest import FIXTURES

ASSETLINE = Path(sys.executable).with_name("assetline")
SECRET = "vault-Kp4Qz8-never-shown"
ENV_TOKEN = "env-admin-T0k3n-Yw2"
RUN = "query($id: String!) { run(id: $id) { status tags events(limit: 500) { message } } }"


def auth_toml(*entries: tuple[str, str, list[str] | None]) -> str:
    lines = []
    for token, role, groups in entries:
        lines += ["[[tokens]]", f'name = "{role}-{token[:3]}"', f'hash = "{hash_token(token)}"']
        lines.append(f'role = "{role}"')
        if groups:
            lines.append(f"groups = {json.dumps(groups)}")
    return "\n".join(lines) + "\n"


def test_auth_files_in_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "auth.toml"
    toml.write_text(auth_toml(("op-token", "operator", ["sales"]), ("v-token", "viewer", None)))
    [(digest, op), (_, viewer)] = load_auth_file(toml)
    assert hash_token("op-token") == f"sha256:{digest}"
    assert (op.name, op.role, op.groups) == ("operator-op-", "operator", frozenset({"sales"}))
    assert viewer.groups is None
    as_json = tmp_path / "auth.json"
    as_json.write_text(json.dumps({"tokens": [{"hash": hash_token("x"), "role": "admin"}]}))
    [(_, admin)] = load_auth_file(as_json)
    assert admin.role == "admin" and admin.name.startswith("token-")
    assert "op-token" not in toml.read_text()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('[[tokens]]\ntoken = "plain"\nrole = "admin"\n', "must not hold tokens"),
        ('[[tokens]]\nhash = "md5:abc"\nrole = "admin"\n', "'hash' must be 'sha256:'"),
        (f'[[tokens]]\nhash = "{hash_token("t")}"\nrole = "root"\n', "'role' must be one of"),
        (f'[[tokens]]\nhash = "{hash_token("t")}"\nrole = "admin"\ngroups = []\n', "'groups'"),
        (f'[[tokens]]\nhash = "{hash_token("t")}"\nrole = "admin"\nrights = 1\n', "unknown field"),
        ("tokens = 3\n", "must hold a list 'tokens'"),
        ("[[tokens]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_malformed_auth_files_say_where_and_how_to_fix(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "auth.toml"
    path.write_text(content)
    with pytest.raises(AuthConfigError, match=r"auth\.toml") as caught:
        load_auth_file(path)
    assert says in caught.value.message


def test_auth_hash_command_reads_an_argument_or_stdin() -> None:
    expected = hash_token("my-token") + "\n"
    argument = subprocess.run(
        [ASSETLINE, "auth", "hash", "my-token"], capture_output=True, text=True
    )
    assert argument.returncode == 0 and argument.stdout == expected
    stdin = subprocess.run(
        [ASSETLINE, "auth", "hash"], input="my-token\n", capture_output=True, text=True
    )
    assert stdin.stdout == expected


def test_ui_refuses_a_missing_or_malformed_auth_file(tmp_path: Path) -> None:
    leaky = str(FIXTURES / "leaky_location.py")
    missing = subprocess.run(
        [ASSETLINE, "ui", "-f", leaky, "--auth", str(tmp_path / "nope.toml")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[tokens]]\ntoken = "plain"\nrole = "admin"\n')
    refused = subprocess.run(
        [ASSETLINE, "ui", "-f", leaky, "--auth", str(bad)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**os.environ, "ASSETLINE_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert refused.returncode == 2 and "must not hold tokens" in refused.stderr


# -- a real server process ------------------------------------------------------------
@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    home: Path
    auth: Path
    output: Path

    def post(self, token: str, query: str, **variables: Any) -> httpx.Response:
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )

    def data(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        response = self.post(token, query, **variables)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def wait_run(self, token: str, run_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while True:
            run: dict[str, Any] = self.data(token, RUN, id=run_id)["run"]
            if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                return run
            assert time.monotonic() < deadline, run
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("authserver")
    auth = root / "secret-dir" / "auth.toml"
    auth.parent.mkdir()
    auth.write_text(auth_toml(("viewer-1", "viewer", None), ("probe-op", "operator", ["probe"])))
    port = _free_port()
    output = root / "server.log"
    env = {
        **os.environ,
        "ASSETLINE_HOME": str(root / "home"),
        "ASSETLINE_AUTH_TOKENS": f"{ENV_TOKEN}:admin",
        "ASSETLINE_TEST_LEAKY_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("ASSETLINE_CATALOG_URL", None)
    argv = [str(ASSETLINE), "ui", "-f", str(FIXTURES / "leaky_location.py"), "--port", str(port)]
    with output.open("wb") as out:
        proc = subprocess.Popen(
            [*argv, "--auth", str(auth)], env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT
        )
    ui = Server(proc, f"http://127.0.0.1:{port}", root / "home", auth, output)
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{ui.url}/healthz", timeout=5).json()["worker_pid"]:
                break
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, output.read_text()
        assert time.monotonic() < deadline, output.read_text()
        time.sleep(0.2)
    yield ui
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_file_tokens_roles_and_groups(server: Server) -> None:
    assert server.post("nope", "{ assets { key } }").status_code == 401
    assert len(server.data("viewer-1", "{ assets { key } }")["assets"]) == 3
    launch = 'mutation { materialize(selection: "leaky") { id } }'
    denied = server.post("viewer-1", launch).json()["errors"][0]
    assert denied["extensions"]["code"] == "FORBIDDEN"
    outside = server.post("probe-op", launch).json()["errors"][0]
    assert outside["extensions"]["code"] == "FORBIDDEN" and "leaky" in outside["message"]


def test_runs_see_neither_the_env_tokens_nor_the_auth_file(server: Server) -> None:
    probe = 'mutation { materialize(selection: "env_probe") { id } }'
    run_id = server.data("probe-op", probe)["materialize"]["id"]
    assert server.wait_run("probe-op", run_id)["status"] == "SUCCESS"
    seen = json.loads((server.home / "env_probe.json").read_text())
    assert seen["names"] == []
    values = "\n".join(seen["values"])
    assert ENV_TOKEN not in values and str(server.auth) not in values
    assert "secret-dir" not in values
    # Nor through /proc: the server's own environment is not readable by its runs.
    assert len(seen["ancestors"]) >= 2  # the run worker, the server (and the test above)
    assert not any(ENV_TOKEN in text for text in seen["ancestors"]), seen["ancestors"]


def test_a_leaky_run_leaves_no_secret_in_answers_logs_or_catalog(server: Server) -> None:
    launch = 'mutation($t: JSON) { materialize(selection: "leaky+", tags: $t) { id } }'
    response = server.post(ENV_TOKEN, launch, t={"who": SECRET})
    run_id = response.json()["data"]["materialize"]["id"]
    run = server.wait_run(ENV_TOKEN, run_id)
    assert run["status"] == "FAILURE" and run["tags"] == {"who": "***"}
    answers = [response.text, json.dumps(run)]
    details = """{ asset(key: "leaky") { materializations { dataVersion metadata }
        checks { lastResult { metadata error } } } }"""
    answer = server.post(ENV_TOKEN, details)
    answers.append(answer.text)
    assert "description says ***" in answer.text and "version-***" in answer.text
    assert "check error says ***" in answer.text
    messages = " ".join(e["message"] for e in run["events"])
    assert "context.log says ***" in messages and "step error says ***" in messages
    assert SECRET not in "".join(answers)
    audit = (server.home / "audit.log").read_text()
    assert '"who": "***"' in audit and SECRET not in audit
    db = server.home / "catalog.db"
    stored = b"".join(f.read_bytes() for f in db.parent.glob("catalog.db*"))
    assert SECRET.encode() not in stored

    # A step's own output is captured into the catalog (STEP_OUTPUT); the rest reaches
    # the server's log: redacted either way.
    def seen() -> str:
        return server.output.read_text() + stored.decode("utf-8", "replace")

    deadline = time.monotonic() + 10
    while "warnings say" not in seen():
        assert time.monotonic() < deadline, server.output.read_text()
        time.sleep(0.1)
        stored = b"".join(f.read_bytes() for f in db.parent.glob("catalog.db*"))
    printed = server.output.read_text()
    for said in ("print says ***", "stderr says ***", "logging says ***", "warnings say ***"):
        assert said in seen(), said
    assert SECRET not in printed
    assert "Logging error" not in printed


def test_websocket_messages_are_capped_like_bodies(server: Server) -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    url = server.url.replace("http", "ws") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], max_size=None) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": {"authToken": ENV_TOKEN}}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        huge = {"query": 'subscription { runEvents(runId: "x") { type } }', "pad": "x" * 2**21}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": huge}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big


def test_sighup_reloads_the_auth_file(server: Server) -> None:
    query = "{ assets { key } }"
    server.auth.write_text(auth_toml(("new-admin", "admin", None)))
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while server.post("new-admin", query).status_code != 200:
        assert time.monotonic() < deadline, server.output.read_text()
        time.sleep(0.1)
    assert server.post("viewer-1", query).status_code == 401  # removed from the file
    assert server.post(ENV_TOKEN, query).status_code == 200  # the environment's stay

    server.auth.write_text('[[tokens]]\ntoken = "plain"\nrole = "admin"\n')
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while b"not reloaded" not in server.output.read_bytes():
        assert time.monotonic() < deadline, server.output.read_text()
        time.sleep(0.1)
    assert server.proc.poll() is None
    assert server.post("new-admin", query).status_code == 200  # the tokens in use stay
    assert server.post("plain", query).status_code == 401


def test_sighup_reaches_every_worker_of_ui_workers(tmp_path: Path) -> None:
    """With ``--workers 2`` the supervisor gets SIGHUP, reloads and tells each worker;
    every process then accepts the new token (and a worker started later would too)."""
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"tokens": [{"hash": hash_token("old-one"), "role": "viewer"}]}))
    port = _free_port()
    env = {**os.environ, "ASSETLINE_HOME": str(tmp_path / "home")}
    env.pop("ASSETLINE_AUTH_TOKENS", None)
    env.pop("ASSETLINE_CATALOG_URL", None)
    argv = [str(ASSETLINE), "ui", "-f", str(FIXTURES / "leaky_location.py"), "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*argv, "--workers", "2", "--auth", str(auth)],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"

    def status(token: str) -> int:
        headers = {"authorization": f"Bearer {token}"}
        return httpx.post(url, json={"query": "{ assets { key } }"}, headers=headers).status_code

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if status("old-one") == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        auth.write_text(json.dumps({"tokens": [{"hash": hash_token("new-one"), "role": "viewer"}]}))
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while log.read_text().count("reloaded: 1 tokens") < 3:  # the supervisor and 2 workers
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        # new connections land on either worker: each one has the new tokens
        assert {status("new-one") for _ in range(20)} == {200}
        assert {status("old-one") for _ in range(20)} == {401}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
