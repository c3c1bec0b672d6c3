"""``/graphql`` over HTTP and websockets: who is calling, from which page, and the
context each operation runs in.

``GraphQLEndpoint`` checks, before strawberry sees a request: the Origin of browser
requests (POST and websocket handshakes) and, when tokens are configured, the bearer
token (``UNAUTHENTICATED``, HTTP 401). Websocket clients send their token in the
``connection_init`` payload (``Authorization: Bearer ...`` or ``authToken``) since
browsers cannot set headers on a websocket.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult

from assets_ui.graphql.context import Context
from assets_ui.graphql.errors import BAD_USER_INPUT, FORBIDDEN, INTERNAL, UNAUTHENTICATED
from assets_ui.security import ANONYMOUS_ADMIN, Principal, bearer_token, token_from_params
from assets_ui.state import ServerState

PRINCIPAL = "assetline.principal"
#: The principal of a context whose request did not authenticate (it runs nothing:
#: only GraphiQL's page and websocket handshakes get that far without a token).
NOBODY = Principal("anonymous", "viewer", frozenset())


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
    """

    def __init__(self, state: ServerState, schema: BaseSchema) -> None:
        super().__init__(schema, graphql_ide="graphiql", keep_alive=True, keep_alive_interval=15)
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse foreign pages and missing tokens, then serve as strawberry does."""
        if scope["type"] == "http":
            request = Request(scope, receive)
            rejection = self._check_http(request)
            if rejection is not None:
                await rejection(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def _check_http(self, request: Request) -> Response | None:
        headers = request.headers
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
        return Context.create(self.state, request.scope.get(PRINCIPAL) or NOBODY, request)

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
        errors: list[dict[str, Any]] = response.get("errors") or []  # type: ignore[assignment]
        for error in errors:
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                extensions["code"] = INTERNAL if error.get("path") else BAD_USER_INPUT
                if error.get("path"):
                    error["message"] = "Internal server error."
        return response

    def encode_json(self, data: object) -> str:
        """Compact JSON (the 10,000-asset lineage is a megabyte as it is)."""
        return json.dumps(data, separators=(",", ":"))
