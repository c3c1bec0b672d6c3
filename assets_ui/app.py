"""The Starlette application (SPEC §7): GraphQL at ``/graphql`` (GraphiQL in a
browser), the lineage UI at ``/``, ``/metrics`` and ``/healthz``.

Serve it with ``assetline ui`` or any ASGI server::

    app = create_app(module="example_project")
    uvicorn.run(app, host="127.0.0.1", port=3000)
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from assets_ui.graphql.errors import UNAUTHENTICATED
from assets_ui.graphql.schema import schema
from assets_ui.graphql.view import GraphQLEndpoint, error_response
from assets_ui.recovery import recovery_interval, sweep_dead_runs
from assets_ui.security import bearer_token
from assets_ui.state import ServerState
from assets_ui.workers import follow_reloads

STATIC_DIR = Path(__file__).resolve().parent / "static"

_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Assetline</title>
<style>body{{font:16px system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#222}}
code{{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}}</style></head>
<body><h1>UI not built: run make install</h1>
<p>The lineage UI has not been built into <code>{where}</code>. Run <code>make install</code>
(it builds <code>assets_ui/frontend</code>), then reload this page.</p>
<p>The API works meanwhile: <a href="/graphql">/graphql</a> (GraphiQL),
<a href="/healthz">/healthz</a>, <a href="/metrics">/metrics</a>.</p></body></html>
"""


class SPAStaticFiles(StaticFiles):
    """The built UI: files as they are; any other path without a file extension is
    a client-side route and gets ``index.html``."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """A file, or ``index.html`` for client routes."""
        try:
            response = await super().get_response(path, scope)
        except HTTPException as e:
            if e.status_code != 404 or "." in path.rsplit("/", 1)[-1]:
                raise
            response = await super().get_response("index.html", scope)
        if path in (".", "", "index.html") or "." not in path.rsplit("/", 1)[-1]:
            response.headers["Cache-Control"] = "no-cache"
        return response


class HostCheck:
    """Rejects requests whose Host header names this server in a way a DNS-rebinding
    page would (see ``OriginPolicy.host_allowed``)."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the Host, then pass the request on."""
        if scope["type"] in ("http", "websocket"):
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if not self.state.origins.host_allowed(host):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4403})
                    return
                message = f"Host {host!r} is not allowed; set ASSETLINE_ALLOWED_HOSTS to allow it."
                await PlainTextResponse(message, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    module: str | None = None,
    file: str | None = None,
    catalog_url: str | None = None,
    home: Path | None = None,
    static_dir: Path | None = None,
    auth_file: Path | None = None,
) -> Starlette:
    """Build the application for one code location and catalog.

    Loads the code location now (so a broken one fails here); the warm run worker
    starts with the app (its lifespan) and stops with it.

    Args:
        module: The code location as a module (``-m``).
        file: The code location as a file (``-f``).
        catalog_url: The catalog (default ``$ASSETLINE_CATALOG_URL`` or SQLite in home).
        home: ``$ASSETLINE_HOME`` (default ``$ASSETLINE_HOME`` or ``./.assetline``).
        static_dir: The built UI (default ``assets_ui/static``).
        auth_file: A file of hashed tokens (``--auth FILE``), read again on SIGHUP
            (``assetline ui`` installs the handler).

    Raises:
        DefinitionError: The code location does not load.
        CatalogError: The catalog cannot be opened.
        AuthConfigError: The tokens or the auth file are malformed.
    """
    recover_every_s = recovery_interval()
    state = ServerState.create(
        module=module, file=file, catalog_url=catalog_url, home=home, auth_file=auth_file
    )
    metrics: list[Any] = []  # built on the first scrape: prometheus_client is slow to import
    static = static_dir or STATIC_DIR
    graphql = GraphQLEndpoint(state, schema, state.responses, ide_page=static / "graphiql.html")

    async def healthz(request: Request) -> Response:
        location = state.location
        return JSONResponse(
            {
                "status": "ok",
                "assets": len(location),
                "generation": location.generation,
                "worker_pid": state.launcher.worker_pid,
                "pid": os.getpid(),
            }
        )

    async def metrics_endpoint(request: Request) -> Response:
        if state.auth.enabled and state.auth.principal(bearer_token(request.headers)) is None:
            return error_response(401, UNAUTHENTICATED, "Send a valid bearer token.")
        if not metrics:
            from assets_ui.metrics import Metrics

            metrics.append(Metrics(state))
        body = await asyncio.to_thread(metrics[0].render)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def not_built(request: Request) -> Response:
        return HTMLResponse(_NOT_BUILT.format(where=html.escape(str(static))))

    routes: list[Route | WebSocketRoute | Mount] = [
        Route("/healthz", healthz),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
    ]
    if (static / "index.html").is_file():
        routes.append(Mount("/", SPAStaticFiles(directory=static, html=True)))
    else:
        routes += [Route("/", not_built), Route("/{path:path}", not_built)]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.launcher.start()
        followers = [asyncio.create_task(sweep_dead_runs(state, recover_every_s))]
        if state.peers is not None:  # one of several workers: reload when they do
            followers.append(
                asyncio.create_task(follow_reloads(state, state.peers, state.applied_reload))
            )
        try:
            yield
        finally:
            for task in followers:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await asyncio.to_thread(state.close)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(HostCheck, state=state)
    app.state.assetline = state
    return app
