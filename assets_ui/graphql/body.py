"""What a POST to ``/graphql`` must be before strawberry reads it (SPEC §13).

At most ``[tool.assetline.server] max_body_bytes`` (HTTP 413), ``content-type:
application/json`` exactly (415: ``application/jsonx`` is not JSON), UTF-8, JSON
nested at most ``MAX_DEPTH`` levels, and one GraphQL request object (400). Each
refusal is a ``BodyError`` the endpoint answers as a ``BAD_USER_INPUT`` error, never a
500. Messages that echo the client's input are cut to ``MAX_ECHO`` characters
(``shorten``) so a megabyte key is never sent back whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.requests import Request

#: The default body cap: 1 MiB.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: Nesting levels of the JSON body (a document's variables included).
MAX_DEPTH = 64
#: Characters of a client's input an error message repeats.
MAX_ECHO = 200
#: Characters of any message sent to a client.
MAX_MESSAGE = 2000

_FIELDS: dict[str, tuple[type, ...]] = {
    "query": (str,),
    "variables": (dict,),
    "operationName": (str,),
    "extensions": (dict,),
}


class BodyError(Exception):
    """A request body the endpoint refuses.

    Args:
        status: The HTTP status (400, 413 or 415).
        message: What is wrong and what to send instead.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def shorten(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def media_type(content_type: str | None) -> str:
    """The media type of a ``content-type`` header, without parameters, lower case."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json(content_type: str | None) -> bool:
    """Whether ``content_type`` is ``application/json`` (parameters aside)."""
    return media_type(content_type) == "application/json"


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused past ``limit`` bytes without reading the rest.

    Raises:
        BodyError: 413 when the body (or its declared length) exceeds ``limit``.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BodyError(400, "The Content-Length header is not a number of bytes.")
        if int(declared) > limit:
            raise BodyError(413, _too_large(limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(413, _too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return (
        f"The request body is larger than {limit:,} bytes; send less, or raise "
        "[tool.assetline.server] max_body_bytes."
    )


def parse_request(content_type: str | None, body: bytes) -> dict[str, Any]:
    """The GraphQL request object of a POST body.

    Raises:
        BodyError: 415 for another media type, 400 for a body that is not one
            well-formed GraphQL request object.
    """
    if not is_json(content_type):
        raise BodyError(
            415,
            f"Send the operation as content-type: application/json, not "
            f"{shorten(media_type(content_type) or 'none', 60)!r}.",
        )
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BodyError(400, "The request body is not valid UTF-8.") from None
    except RecursionError:
        raise BodyError(400, f"The JSON body is nested more than {MAX_DEPTH} levels.") from None
    except json.JSONDecodeError as e:
        raise BodyError(
            400, f"The request body is not JSON: {e.msg} (line {e.lineno}, column {e.colno})."
        ) from None
    if isinstance(data, list):
        raise BodyError(
            400, 'Batched operations are not supported: send one {"query": ...} object.'
        )
    if not isinstance(data, dict):
        raise BodyError(
            400,
            f'The request body must be a JSON object {{"query": ..., "variables": ...}}, '
            f"not {_kind(data)}.",
        )
    for name, types in _FIELDS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, types):
            wanted = "a string" if types == (str,) else "an object"
            raise BodyError(400, f'"{name}" must be {wanted} or null, not {_kind(value)}.')
    if _depth(data) > MAX_DEPTH:
        raise BodyError(400, f"The JSON body is nested more than {MAX_DEPTH} levels.")
    return data


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _depth(value: Any) -> int:
    """The nesting depth of a parsed JSON value (iterative: no recursion limit)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            items: Any = item.values()
        elif isinstance(item, list):
            items = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((v, depth + 1) for v in items if isinstance(v, (dict, list)))
    return deepest


def configured_max_body_bytes(cwd: Path) -> int:
    """``[tool.assetline.server] max_body_bytes`` of ``cwd``'s pyproject.toml, else
    ``DEFAULT_MAX_BODY_BYTES``.

    Raises:
        UsageError: The setting is not a positive int.
    """
    from assets_core.errors import UsageError
    from assets_core.settings import load_settings

    server = load_settings(cwd).raw.get("server", {})
    value = server.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES) if isinstance(server, dict) else 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UsageError(
            f"[tool.assetline.server] max_body_bytes in {cwd / 'pyproject.toml'} must be an "
            "int > 0 (bytes; default 1048576)."
        )
    return value
