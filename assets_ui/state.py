"""Everything one server process holds: the code location, the catalog, the run
launcher, auth and auditing. One ``ServerState`` per app."""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.connection import assetline_home, default_catalog_url
from assets_core.errors import AssetlineError, CodeLocationError
from assets_core.redaction import learn_secrets, protect_output
from assets_ui.auth_file import server_auth
from assets_ui.graphql.body import DEFAULT_MAX_BODY_BYTES, configured_max_body_bytes
from assets_ui.graphql.cache import ResponseCache
from assets_ui.graphql.warmup import warm_up
from assets_ui.launcher import CodeLocationArgs, RunLauncher
from assets_ui.location import LoadedLocation, load_location
from assets_ui.security import AuditLog, OriginPolicy, TokenAuth
from assets_ui.workers import Peers

logger = logging.getLogger("assetline.ui")


@dataclass(eq=False)
class ServerState:
    """The server's shared state.

    Attributes:
        module: ``-m MODULE`` of the code location.
        file: ``-f FILE`` of the code location (absolute).
        home: ``$ASSETLINE_HOME`` of this server (storage, SQLite catalog, audit log).
        catalog: The catalog, shared by every request.
        location: The currently served definitions; replaced as a whole on reload.
        launcher: Starts runs in the warm worker.
        responses: Answers to queries, served again while the catalog is unchanged.
    """

    module: str | None
    file: str | None
    home: Path
    catalog: Catalog
    location: LoadedLocation
    launcher: RunLauncher
    auth: TokenAuth
    origins: OriginPolicy
    audit: AuditLog
    cwd: Path = field(default_factory=Path.cwd)
    #: The tokens of ``ASSETLINE_AUTH_TOKENS`` (kept when the auth file is reloaded).
    env_auth: TokenAuth = field(default_factory=lambda: TokenAuth(None))
    #: ``--auth FILE``: hashed tokens, read again on SIGHUP (``auth_file.reload_auth``).
    auth_file: Path | None = None
    #: ``[tool.assetline.server] max_body_bytes``: larger request bodies get HTTP 413.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    responses: ResponseCache = field(default_factory=ResponseCache)
    #: The other workers of ``assetline ui --workers N`` (None: a single process).
    peers: Peers | None = None
    #: The latest reload announced by a peer that this process serves.
    applied_reload: int = 0
    #: Why the latest reload failed (the previous definitions are served); None
    #: after a successful one.
    load_error: str | None = None
    _reload_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(
        cls,
        module: str | None = None,
        file: str | None = None,
        catalog_url: str | None = None,
        home: Path | None = None,
        auth_file: Path | None = None,
    ) -> ServerState:
        """Load the code location, open the catalog and prepare (not start) the
        run launcher.

        Raises:
            AuthConfigError: ``ASSETLINE_AUTH_TOKENS`` or the auth file is malformed.
            DefinitionError: The code location does not load.
            CatalogError: The catalog cannot be opened.
        """
        from assets_core.definitions.loader import configured_module

        cwd = Path.cwd()
        home = (home or assetline_home()).resolve()
        file = str(Path(file).resolve()) if file else None
        if not module and not file:
            module = configured_module(cwd)
        url = catalog_url or default_catalog_url(home)
        max_body_bytes = configured_max_body_bytes(cwd)
        env_auth = TokenAuth(os.environ.get("ASSETLINE_AUTH_TOKENS"))
        auth_file = auth_file.resolve() if auth_file is not None else None
        auth = server_auth(env_auth, auth_file)
        defs = load_location(module, file, cwd)
        protect_secrets(defs.resources)
        catalog = Catalog.open(url, home)
        location = LoadedLocation(defs)
        # Its definitions snapshot is recorded by the run worker (``worker.warm_up``).
        env = {"ASSETLINE_HOME": str(home), "ASSETLINE_CATALOG_URL": url}
        pythonpath = os.pathsep.join(p for p in (str(cwd), os.environ.get("PYTHONPATH")) if p)
        env["PYTHONPATH"] = pythonpath
        args = CodeLocationArgs(module, file, url, env=env, cwd=str(cwd))
        state = cls(
            module=module,
            file=file,
            home=home,
            catalog=catalog,
            location=location,
            launcher=RunLauncher(args, catalog),
            auth=auth,
            env_auth=env_auth,
            auth_file=auth_file,
            origins=OriginPolicy.from_env(),
            audit=AuditLog(home / "audit.log"),
            cwd=cwd,
            max_body_bytes=max_body_bytes,
        )
        warm_up(state, location)
        settle_heap(collect=False)
        return state

    def reload(self, announce: bool = True) -> LoadedLocation:
        """Load the code location again and serve it from now on.

        A new run worker loads it first, in its own process: broken user code fails
        there, and the server keeps serving the definitions it has. Only then is it
        imported here; the new worker records its definitions snapshot. With other workers
        (``--workers N``), returns once they all serve the new definitions too.

        Args:
            announce: Tell the other workers (False when following their reload).

        Raises:
            DefinitionError: The code location does not load (nothing changed).
            CodeLocationError: Another worker could not load it.
        """
        try:
            location = self._reload()
        except Exception as e:
            self.load_error = e.render() if isinstance(e, AssetlineError) else repr(e)
            self.responses.clear()  # answers holding the previous loadError
            raise
        if announce and self.peers is not None:
            # Recorded before it is announced, so this worker's own watcher skips it.
            token = self.applied_reload = self.peers.new_token()
            self.peers.announce(token)
            try:
                errors = self.peers.wait(token)
            except TimeoutError as e:
                errors = [str(e)]
            if errors:
                raise CodeLocationError(
                    "Reloaded in this server process, but not in every other: "
                    + "; ".join(errors)
                    + ". Fix the code location and reload again."
                )
        return location

    def _reload(self) -> LoadedLocation:
        with self._reload_lock:
            self.launcher.settle()  # the snapshot it records comes before the new one
            candidate = self.launcher.prepare_replacement()
            try:
                defs = load_location(self.module, self.file, self.cwd, fresh=True)
            except BaseException:
                self.launcher.discard(candidate)
                raise
            self.launcher.promote(candidate)
            protect_secrets(defs.resources)
            # The candidate worker recorded the definitions snapshot before it was ready.
            location = LoadedLocation(defs, generation=self.location.generation + 1)
            warm_up(self, location)
            self.location = location
            self.load_error = None
            self.responses.clear()  # answers about the previous definitions
            settle_heap()
            logger.info(
                "reloaded the code location: %d assets (generation %d)",
                len(location),
                location.generation,
            )
            return location

    def close(self) -> None:
        """Stop the run worker (runs in progress go on) and close the catalog."""
        self.launcher.close()
        self.catalog.close()


def protect_secrets(resources: Mapping[str, Any]) -> None:
    """Hide the values of the code location's ``EnvVar``s from this server's log,
    catalog writes and API answers (``assets_core.redaction``)."""
    if learn_secrets(resources):
        protect_output()


def settle_heap(collect: bool = True) -> None:
    """Move the loaded definitions out of the garbage collector's way.

    Tens of thousands of definition objects live as long as the server; without this
    every full collection walks them all, which turns a 100 ms request over 10,000
    assets into a 300 ms one at random. Garbage of a previous load is collected first.

    Args:
        collect: Collect first. At start there is no previous load: the garbage of the
            imports is a few thousand objects, and collecting them cost ~0.1 s of a
            start (SPEC §14 ``server_ready_2k``), so they are frozen with the rest.
    """
    gc.unfreeze()
    if collect:
        gc.collect()
    gc.freeze()
    gc.enable()  # ``assetline ui`` starts with the collector off (see ``cli.run_ui``)
