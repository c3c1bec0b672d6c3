"""The redactor every string leaving a run passes (``assets_core.redaction``): its
forms of a secret, nested values, DB-API parameters, streams and log records."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass

from assets_core.redaction import (
    SERVER_CREDENTIALS,
    RedactingStream,
    Redactor,
    scrub_credentials,
)

SECRET = 'pa"ss\\wörd-42'


def test_plain_json_and_repr_forms_are_hidden() -> None:
    r = Redactor([SECRET, ""])
    assert r and not Redactor([""])
    assert r.redact(f"x {SECRET} y") == "x *** y"
    as_json = json.dumps({"k": f"v {SECRET}"})
    assert SECRET not in r.redact(as_json) and "***" in r.redact(as_json)
    assert json.loads(r.redact(as_json)) == {"k": "v ***"}
    assert r.redact(repr(KeyError(SECRET))) == "KeyError('***')"


def test_values_keys_and_dataclasses_are_walked() -> None:
    @dataclass(frozen=True, slots=True)
    class Row:
        text: str
        data: dict[str, object]
        n: int = 1

    r = Redactor([SECRET])
    row = Row(f"a {SECRET}", {SECRET: [SECRET, (SECRET, 3)], "n": 2.5})
    clean = r.redact_value([row])[0]
    assert clean == Row("a ***", {"***": ["***", ("***", 3)], "n": 2.5})
    unchanged = Row("nothing", {})
    assert r.redact_value(unchanged) is unchanged


def test_db_api_parameters_keep_json_valid() -> None:
    r = Redactor([SECRET])
    row = ("id", json.dumps({SECRET: SECRET}), 3, None)
    clean = r.redact_params([row])[0]
    assert clean[0] == "id" and json.loads(clean[1]) == {"***": "***"} and clean[2:] == (3, None)
    assert r.redact_params({"tags": f"t {SECRET}"}) == {"tags": "t ***"}
    assert Redactor().redact_params(row) is row


def test_stream_and_added_secrets() -> None:
    out = io.StringIO()
    r = Redactor()
    stream = RedactingStream(out, r)  # type: ignore[arg-type]
    stream.write("before hunter2\n")
    r.add(["hunter2"])
    stream.writelines(["after hunter2\n"])
    assert out.getvalue() == "before hunter2\nafter ***\n"


def test_log_records_are_redacted_when_made(monkeypatch: object) -> None:
    from assets_core import redaction

    r = redaction.redactor()
    r.add(["log-secret-77"])
    record = logging.LogRecord(
        "user", logging.WARNING, __file__, 1, "has %s", ("log-secret-77",), None
    )
    redaction._redact_record(record)
    assert record.getMessage() == "has ***"


def test_server_credentials_are_scrubbed() -> None:
    env = {"ASSETLINE_AUTH_TOKENS": "t:admin", "PATH": "/bin"}
    assert scrub_credentials(env) == {"ASSETLINE_AUTH_TOKENS": "t:admin"}
    assert env == {"PATH": "/bin"} and "ASSETLINE_AUTH_TOKENS" in SERVER_CREDENTIALS


def test_log_record_arguments_keep_their_positions() -> None:
    """uvicorn's access formatter unpacks ``record.args``: redaction keeps the tuple."""
    from assets_core import redaction

    redaction.redactor().add(["arg-secret-99"])
    args = ("127.0.0.1:5000", "POST", "/graphql?x=arg-secret-99", "1.1", 200)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, "%s %s %s %s %d", args, None
    )
    redaction._redact_record(record)
    assert record.args == ("127.0.0.1:5000", "POST", "/graphql?x=***", "1.1", 200)
    plain = logging.LogRecord("user", logging.INFO, __file__, 1, "%d items", (3,), None)
    redaction._redact_record(plain)
    assert plain.args == (3,)
    odd = logging.LogRecord(
        "user", logging.INFO, __file__, 1, "got %s", ({"k": "arg-secret-99"},), None
    )
    redaction._redact_record(odd)
    assert odd.getMessage() == "got {'k': '***'}"
