"""One redaction boundary for secrets (SPEC §13).

Every process that resolves ``EnvVar`` resources tells its ``Redactor`` the values
(``learn_secrets``); from then on each string that leaves the process through
Assetline passes ``Redactor.redact``:

- the catalog: ``BatchWriter`` (a run's events, steps, materializations, check
  results, run ends) redacts each batch, and every other statement goes through the
  engine's ``before_cursor_execute`` hook (``install_catalog_hook``) and its JSON
  serializer (``redact_value`` before encoding);
- the terminal and the server log: ``protect_output`` wraps ``sys.stdout`` and
  ``sys.stderr`` (``print``, ``warnings``) and redacts every ``logging`` record as it
  is made (message, traceback, stack), whatever handler writes it;
- the API: the GraphQL endpoint redacts each answer before it is sent.

A secret is replaced by ``***`` in its plain form and as it appears escaped in JSON
text and in a Python ``repr`` (a traceback's ``KeyError('...')``). Values are only
ever added, so a process that ran several runs keeps redacting the secrets of each.

``scrub_credentials`` removes the server's credentials (``ASSETLINE_AUTH_TOKENS``)
from an environment before user code runs in it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import fields, is_dataclass, replace
from typing import Any, TextIO

MASK = "***"
#: Environment variables holding the API server's credentials: never given to runs.
SERVER_CREDENTIALS = ("ASSETLINE_AUTH_TOKENS",)


def _forms(secrets: Iterable[str]) -> frozenset[str]:
    """Each secret as it appears in plain text, in JSON text (escaped, with and
    without ASCII escapes) and in a Python ``repr``."""
    forms: set[str] = set()
    for secret in secrets:
        if isinstance(secret, str) and secret:
            forms.add(secret)
            forms.add(json.dumps(secret)[1:-1])
            forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
            forms.add(repr(secret)[1:-1])
    return frozenset(forms)


class Redactor:
    """Replaces known secret values with ``***``.

    Args:
        secrets: The values to hide (empty strings are ignored).

    Example::

        redactor = Redactor(["hunter2"])
        redactor.redact("password=hunter2")  # 'password=***'
        redactor.redact_value({"hunter2": ["x hunter2"]})  # {'***': ['x ***']}
    """

    __slots__ = ("_forms", "_lock", "_pattern")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Hide ``secrets`` too (from now on)."""
        forms = _forms(secrets)
        with self._lock:
            if not forms <= self._forms:
                self._use(self._forms | forms)

    def replace(self, secrets: Iterable[str]) -> None:
        """Hide ``secrets`` instead of the secrets known so far (a new run or code
        location in this process: the previous one's secrets are not its text)."""
        forms = _forms(secrets)
        with self._lock:
            if forms != self._forms:
                self._use(forms)

    def _use(self, forms: frozenset[str]) -> None:
        ordered = sorted(forms, key=len, reverse=True)  # the longest form first
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if forms else None
        self._forms = forms

    def __bool__(self) -> bool:
        """Whether there is anything to hide."""
        return self._pattern is not None

    def contains_secret(self, text: str) -> bool:
        """Whether ``text`` holds a secret (in any of its forms)."""
        pattern = self._pattern
        return pattern is not None and pattern.search(text) is not None

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        pattern = self._pattern
        if pattern is None or not text or pattern.search(text) is None:
            return text  # the same object: callers tell "unchanged" by identity
        return pattern.sub(MASK, text)

    def redact_value(self, value: Any) -> Any:
        """``value`` with secrets hidden in every string it holds: dict keys and
        values, list and tuple items, dataclass fields (copies; the rest as is)."""
        if self._pattern is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        """``value`` redacted; the very same object when it holds no secret."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            items = [(self._walk(k), self._walk(v)) for k, v in value.items()]
            same = all(
                a is k and b is v for (a, b), (k, v) in zip(items, value.items(), strict=True)
            )
            return value if same else dict(items)
        if isinstance(value, (list, tuple)):
            walked = [self._walk(v) for v in value]
            if all(a is b for a, b in zip(walked, value, strict=True)):
                return value
            return walked if isinstance(value, list) else tuple(walked)
        if is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in fields(value):
                if f.init:
                    old = getattr(value, f.name)
                    new = self._walk(old)
                    if new is not old:
                        changes[f.name] = new
            return replace(value, **changes) if changes else value
        return value

    def redact_params(self, parameters: Any) -> Any:
        """DB-API parameters (a sequence or mapping, or a list of them for
        ``executemany``) with secrets hidden in their strings; JSON text stays JSON."""
        if self._pattern is None:
            return parameters
        return self._param(parameters)

    def _param(self, value: Any) -> Any:
        if isinstance(value, str):
            if not self.contains_secret(value):
                return value
            if value[:1] in ("{", "["):
                try:
                    return json.dumps(self._walk(json.loads(value)), separators=(",", ":"))
                except ValueError:
                    pass
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self._param(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._param(v) for v in value)
        return value


_redactor = Redactor()


def redactor() -> Redactor:
    """This process's redactor: every secret learned here so far."""
    return _redactor


def learn_secrets(resources: Mapping[str, Any], *, keep: bool = False) -> Redactor:
    """Make this process's redactor hide the values of the ``EnvVar``s in
    ``resources`` (as this process's environment resolves them); returns it.

    Args:
        resources: The resources of the code location about to run.
        keep: Hide them besides the secrets already known (a Dask worker serving
            several runs at once) instead of in their place.
    """
    from assets_core.definitions.resources import secret_values

    values = secret_values(dict(resources))
    if keep:
        _redactor.add(values)
    else:
        _redactor.replace(values)
    return _redactor


def install_catalog_hook(engine: Any) -> None:
    """Redact the parameters of every statement ``engine`` executes."""
    from sqlalchemy import event

    def hide(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> tuple[str, Any]:
        if _redactor and _is_write(statement):
            # Writes only: a lookup by a value equal to a secret must still find it.
            return statement, _redactor.redact_params(parameters)
        return statement, parameters

    event.listen(engine, "before_cursor_execute", hide, retval=True)


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:6].upper() in ("INSERT", "UPDATE")


class RedactingCursor:
    """A DB-API cursor whose ``execute`` and ``executemany`` redact their parameters
    (the catalog's raw-cursor writers bypass SQLAlchemy's hook).

    Args:
        cursor: The driver's cursor.
    """

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, statement: str, parameters: Any = ()) -> Any:
        """Execute; a write's parameters are redacted."""
        if _is_write(statement):
            parameters = _redactor.redact_params(parameters)
        return self.cursor.execute(statement, parameters)

    def executemany(self, statement: str, rows: Any) -> Any:
        """Execute for each row; a write's parameters are redacted."""
        if _is_write(statement):
            rows = _redactor.redact_params(list(rows))
        return self.cursor.executemany(statement, rows)

    def __iter__(self) -> Any:
        return iter(self.cursor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


def guarded_cursor(cursor: Any) -> Any:
    """``cursor``, redacting its parameters when this process knows secrets."""
    return RedactingCursor(cursor) if _redactor else cursor


# -- the terminal and the logs -------------------------------------------------------
class RedactingStream:
    """A text stream that redacts what is written to it, then writes it to ``stream``.

    Args:
        stream: The stream wrapped (``sys.stdout`` or ``sys.stderr``).
        redactor: The redactor to apply.
    """

    def __init__(self, stream: TextIO, redactor: Redactor) -> None:
        self.stream = stream
        self.redactor = redactor

    def write(self, text: str) -> int:
        """Write ``text`` redacted; returns ``len(text)`` as a stream would."""
        self.stream.write(self.redactor.redact(text) if isinstance(text, str) else text)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each of ``lines``, redacted."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


_protected = False


def protect_output() -> None:
    """Redact, from now on, what this process prints to ``sys.stdout`` and
    ``sys.stderr`` (``print``, ``warnings``, tracebacks printed by Python) and every
    ``logging`` record (message, exception text, stack). Idempotent."""
    global _protected
    with _redactor._lock:
        if _protected:
            return
        _protected = True
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream, _redactor))
    make_record = logging.getLogRecordFactory()

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if _redactor:
            _redact_record(record)
        return record

    logging.setLogRecordFactory(redacted_record)


def _redact_record(record: logging.LogRecord) -> None:
    """Hide secrets in ``record``, keeping ``msg`` and ``args`` apart where it can:
    formatters (uvicorn's access log) read ``args`` by position."""
    try:
        message = record.getMessage()
    except Exception:  # logging reports bad arguments itself
        return
    if _redactor.contains_secret(message):
        if isinstance(record.msg, str):
            record.msg = _redactor.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        try:
            leaks = _redactor.contains_secret(record.getMessage())
        except Exception:  # an argument changed type: keep the text only
            leaks = True
        if leaks:
            record.msg, record.args = _redactor.redact(message), None
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = _redactor.redact(text)
    if record.stack_info:
        record.stack_info = _redactor.redact(record.stack_info)


def _redact_arg(value: Any) -> Any:
    if isinstance(value, str):
        return _redactor.redact(value)
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value)
    return _redactor.redact(text) if _redactor.contains_secret(text) else value


def scrub_credentials(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Remove the server's credentials from ``environ`` (default ``os.environ``, so
    that user code in this process and its children cannot read them); returns
    what was removed."""
    env = os.environ if environ is None else environ
    return {name: env.pop(name) for name in SERVER_CREDENTIALS if name in env}


def run_environment() -> dict[str, str]:
    """This process's environment without the server's credentials: what a process
    that runs user code (the server's run worker) is started with."""
    return {k: v for k, v in os.environ.items() if k not in SERVER_CREDENTIALS}
