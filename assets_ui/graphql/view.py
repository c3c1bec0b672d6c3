"""``/graphql`` over HTTP and websockets: who is calling, from which page, and the
context each operation runs in.

``GraphQLEndpoint`` checks, before strawberry sees a request: the Origin of browser
requests (POST and websocket handshakes) and, when tokens are configured, the bearer
token (``UNAUTHENTICATED``, HTTP 401). A POST without an Origin comes from a script
and is accepted (it authenticates with a bearer token, which no other page can
attach); one that carries cookies without an Origin is refused (FORBIDDEN), since
only a browser sends cookies and browsers send an Origin on every POST. Then the
body (``body.py``). Websocket clients send their token in the
``connection_init`` payload (``Authorization: Bearer ...`` or ``authToken``) since
browsers cannot set headers on a websocket.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from assets_core.redaction import redactor
from assets_ui.graphql import cache as response_cache
from assets_ui.graphql.body import MAX_MESSAGE, BodyError, parse_request, read_body, shorten
from assets_ui.graphql.cache import Entry, ResponseCache, request_key
from assets_ui.graphql.context import Context
from assets_ui.graphql.errors import (
    BAD_USER_INPUT,
    FORBIDDEN,
    INTERNAL,
    NOT_FOUND,
    UNAUTHENTICATED,
)
from assets_ui.location import LoadedLocation
from assets_ui.security import ANONYMOUS_ADMIN, Principal, bearer_token, token_from_params
from assets_ui.state import ServerState

PRINCIPAL = "assetline.principal"
#: The ``_Pending`` of an HTTP request the response cache may keep.
PENDING = "assetline.pending"
#: The principal of a context whose request did not authenticate (it runs nothing:
#: only GraphiQL's page and websocket handshakes get that far without a token).
NOBODY = Principal("anonymous", "viewer", frozenset())

_IDE_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphiQL not built</title></head>
<body style="font:16px system-ui,sans-serif;max-width:40rem;margin:4rem auto">
<h1>GraphiQL not built: run make install</h1>
<p>GraphiQL is built with the lineage UI into <code>{where}</code>, which has no
<code>graphiql.html</code>. Run <code>make install</code> (it builds
<code>assets_ui/frontend</code>), then reload this page. The API answers POST requests
meanwhile.</p></body></html>
"""


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """A GraphQL-shaped error response."""
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view with Assetline's context, auth and Origin checks.

    Args:
        state: The server state every operation's context refers to.
        schema: The schema to serve.
        cache: The response cache (None: every query executes).
        ide_page: GraphiQL's page, built with the UI (``static/graphiql.html``); a
            browser's GET of ``/graphql`` gets it. Its scripts are files of the same
            build, never a CDN's.
    """

    def __init__(
        self,
        state: ServerState,
        schema: BaseSchema,
        cache: ResponseCache | None = None,
        ide_page: Path | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql", keep_alive=True, keep_alive_interval=15)
        self.state = state
        self.cache = cache
        self.ide_page = ide_page
        self._inflight: dict[Hashable, asyncio.Future[Entry | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse foreign pages, missing tokens and malformed bodies, then answer from
        the response cache or serve as strawberry does."""
        if scope["type"] == "http":
            request = Request(scope, receive)
            rejection = self._check_http(request)
            if rejection is None and request.method == "POST":
                try:
                    body = await read_body(request, self.state.max_body_bytes)
                    parsed = parse_request(request.headers.get("content-type"), body)
                except BodyError as e:
                    rejection = error_response(e.status, BAD_USER_INPUT, e.message)
                else:
                    receive = _replay(body, request.receive)
                    if self.cache is not None:
                        await self._cached(request, parsed, scope, receive, send)
                        return
            if rejection is not None:
                await rejection(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _cached(
        self, request: Request, parsed: dict[str, Any], scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Serve a POSTed operation: from the cache when a valid entry exists (or an
        identical request is being executed), else execute it and keep the answer."""
        assert self.cache is not None
        key = self._key(request, parsed)
        if key is None:
            await super().__call__(scope, receive, send)
            return
        catalog = self.state.catalog
        location = self.state.location
        if catalog.commits.is_local:
            commits = catalog.commit_marker()
        else:
            commits = await asyncio.to_thread(catalog.commit_marker)
        key = (location.generation, *key)
        flight = (key, commits)
        entry = self.cache.get(key, commits, response_cache.now())
        if entry is None and flight in self._inflight:
            entry = await asyncio.shield(self._inflight[flight])
        if entry is not None:
            await _send_entry(entry, send)
            return
        # The first of identical concurrent requests executes; the others wait for
        # its answer (and execute themselves if it cannot be kept).
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        leader = flight not in self._inflight
        if leader:
            self._inflight[flight] = future
        pending = _Pending(location, commits)
        scope[PENDING] = pending
        try:
            await super().__call__(scope, receive, send)
        finally:
            if leader:
                del self._inflight[flight]
            entry = pending.entry(self.cache)
            if entry is not None:
                self.cache.put(key, entry)
            future.set_result(entry)

    def _key(self, request: Request, parsed: dict[str, Any]) -> tuple[Hashable, ...] | None:
        """What the answer to this request depends on besides the definitions and
        the catalog; None when the request is not a cacheable query."""
        headers = request.headers
        if any(kind in headers.get("accept", "") for kind in ("multipart/", "event-stream")):
            return None  # streamed (incremental delivery) responses are not kept
        found = request_key(parsed)
        if found is None:
            return None
        return (request.scope.get(PRINCIPAL) or NOBODY, *found)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the UI's build (read on each request: a rebuild shows at once),
        or a page saying how to build it; never strawberry's page, which loads its
        scripts from a CDN."""
        headers = {"Cache-Control": "no-cache"}
        page = self.ide_page
        if page is not None and page.is_file():
            return HTMLResponse(page.read_text(encoding="utf-8"), headers=headers)
        where = html.escape(str(page.parent if page is not None else "assets_ui/static"))
        return HTMLResponse(_IDE_NOT_BUILT.format(where=where), status_code=503, headers=headers)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Strawberry's ``run``, its refusals as coded errors; remembers an HTTP
        response the cache may keep."""
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as e:
            code = NOT_FOUND if e.status_code == 404 else BAD_USER_INPUT
            return error_response(e.status_code, code, shorten(e.reason, MAX_MESSAGE))
        pending = request.scope.get(PENDING) if isinstance(request, Request) else None
        if pending is not None and not isinstance(response, StreamingResponse):
            pending.response = response
        return response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Execute a query or mutation sent over HTTP; subscriptions are refused with
        BAD_USER_INPUT (they are served over the websocket)."""
        allowed = {OperationType.QUERY}
        if request_adapter.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as e:
            if e.operation_type == OperationType.SUBSCRIPTION:
                reason = (
                    "Subscriptions are served over the websocket at /graphql "
                    "(graphql-transport-ws), not over HTTP."
                )
            else:
                reason = e.as_http_error_reason(request_adapter.method)
            raise HTTPException(400, reason) from e
        except CannotGetOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason()) from e
        except MissingQueryError as e:
            missing = 'No GraphQL query found in the request: send {"query": ...}.'
            raise HTTPException(400, missing) from e

    def _check_http(self, request: Request) -> Response | None:
        headers = request.headers
        if request.method == "POST" and "origin" not in headers and "cookie" in headers:
            # Scripts send no Origin and authenticate with a bearer token; a request
            # with cookies is a browser's, and browsers send Origin on every POST.
            return error_response(
                403,
                FORBIDDEN,
                "A POST that carries cookies must send an Origin header: Assetline "
                "authenticates with bearer tokens, not cookies.",
            )
        if request.method == "POST" and not self.state.origins.origin_allowed(
            headers.get("origin"), headers.get("host")
        ):
            return error_response(
                403,
                FORBIDDEN,
                f"Requests from origin {headers.get('origin')} are not allowed; "
                "set ASSETLINE_ALLOWED_ORIGINS to allow it.",
            )
        if not self.state.auth.enabled:
            request.scope[PRINCIPAL] = ANONYMOUS_ADMIN
            return None
        principal = self.state.auth.principal(bearer_token(headers))
        if principal is not None:
            request.scope[PRINCIPAL] = principal
            return None
        wants_ide = (
            request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in headers.get("accept", "")
        )
        if wants_ide:  # the GraphiQL page itself; its requests carry the token
            return None
        return error_response(
            401, UNAUTHENTICATED, "Sign in: send a valid token as 'Authorization: Bearer <token>'."
        )

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        """Cross-origin websocket handshakes: loopback pages and listed origins."""
        return self.state.origins.origin_allowed(origin, request.headers.get("host"))

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        """A context per HTTP request, or per websocket connection."""
        if isinstance(request, WebSocket):
            # Until connection_init authenticates it (on_ws_connect), nothing runs.
            return Context.create(self.state, NOBODY, request, cache=False)
        pending: _Pending | None = request.scope.get(PENDING)
        principal = request.scope.get(PRINCIPAL) or NOBODY
        if pending is None:
            return Context.create(self.state, principal, request)
        # The definitions the cache key named, even if a reload happened meanwhile.
        context = Context.create(self.state, principal, request, location=pending.location)
        pending.context = context
        return context

    def _ws_principal(self, ws: WebSocket, params: dict[str, Any] | None) -> Principal | None:
        token = token_from_params(params) or bearer_token(ws.headers)
        return self.state.auth.principal(token)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        """Authenticate the websocket from its ``connection_init`` payload."""
        principal = self._ws_principal(context.request, context.connection_params)
        if principal is None:
            raise ConnectionRejectionError(
                {
                    "message": "Sign in: send a valid token in connection_init.",
                    "code": UNAUTHENTICATED,
                }
            )
        context.principal = principal
        return None

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Format the result; an error that escaped ``ErrorCodes`` (strawberry reports
        some document errors, such as syntax errors, past the extensions) gets its code
        here."""
        response = await super().process_result(request, result)
        pending: _Pending | None = request.scope.get(PENDING)
        if pending is not None:
            pending.failed = bool(result.errors) or "errors" in response
        errors: list[dict[str, Any]] = response.get("errors") or []  # type: ignore[assignment]
        for error in errors:
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                extensions["code"] = INTERNAL if error.get("path") else BAD_USER_INPUT
                if error.get("path"):
                    error["message"] = "Internal server error."
        return response

    def encode_json(self, data: object) -> str:
        """Compact JSON (the 10,000-asset lineage is a megabyte as it is), without
        the code location's secrets (``assets_core.redaction``)."""
        text = json.dumps(data, separators=(",", ":"))
        hide = redactor()
        if hide and hide.contains_secret(text):
            text = json.dumps(hide.redact_value(data), separators=(",", ":"))
        return text


@dataclass(eq=False)
class _Pending:
    """What the cache learns while strawberry executes one request."""

    location: LoadedLocation
    commits: Hashable
    context: Context | None = None
    response: Response | None = None
    failed: bool = True

    def entry(self, cache: ResponseCache) -> Entry | None:
        """The entry to keep, or None when the answer must not be served again."""
        response, context = self.response, self.context
        if response is None or context is None or self.failed or response.status_code != 200:
            return None
        validity = context.validity
        now = response_cache.now()
        expires = cache.expiry(validity, now)
        if not validity.cacheable or expires <= now:
            return None
        headers = tuple((k, v) for k, v in response.raw_headers)
        return Entry(self.commits, expires, response.status_code, headers, bytes(response.body))


def _replay(body: bytes, receive: Receive) -> Receive:
    """An ASGI ``receive`` that hands out ``body`` (already read) first, then
    whatever the connection sends next (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_entry(entry: Entry, send: Send) -> None:
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body, "more_body": False})
