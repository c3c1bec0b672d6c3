"""Who may do what (SPEC §13): bearer tokens and roles, the Origin and Host checks
that keep other web pages from driving a local server, and the audit log.

Tokens are configured as ``ASSETLINE_AUTH_TOKENS="token:role[:group:NAME],..."``
(roles ``viewer`` < ``operator`` < ``admin``; ``group:NAME`` limits the token to
assets of that group; repeat it for several), or in a file of hashed tokens
(``assetline ui --auth FILE``, ``assets_ui/auth_file.py``). Only SHA-256 digests of
the tokens are kept in memory and compared. Without tokens every request is an ``admin`` —
the default for a server bound to 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assets_core.errors import UsageError
from assets_core.redaction import SERVER_CREDENTIALS, redactor

logger = logging.getLogger("assetline.audit")

ROLES = ("viewer", "operator", "admin")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who sends a request: a name for the audit log, a role, and the asset groups
    the role applies to (None: every group)."""

    name: str
    role: str
    groups: frozenset[str] | None = None

    def allows(self, role: str) -> bool:
        """Whether this principal's role is at least ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def allows_group(self, group: str) -> bool:
        """Whether this principal may act on assets of ``group``."""
        return self.groups is None or group in self.groups


ANONYMOUS_ADMIN = Principal("local", "admin")


class AuthConfigError(UsageError, ValueError):
    """``ASSETLINE_AUTH_TOKENS`` or the ``--auth`` file is malformed."""

    code = "AUTH_CONFIG_ERROR"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenAuth:
    """Checks bearer tokens against configured SHA-256 digests.

    Args:
        spec: ``"token:role[:group:NAME],..."``; empty or None disables auth.
    """

    def __init__(self, spec: str | None) -> None:
        self._entries: list[tuple[str, Principal]] = []
        for n, item in enumerate(p.strip() for p in (spec or "").split(",")):
            if not item:
                continue
            parts = item.split(":")
            if len(parts) < 2 or not parts[0] or parts[1] not in ROLES:
                raise AuthConfigError(
                    f"ASSETLINE_AUTH_TOKENS entry {n + 1} is not 'token:role[:group:NAME]' "
                    f"with a role among {', '.join(ROLES)}."
                )
            rest = parts[2:]
            if len(rest) % 2 or any(
                rest[i] != "group" or not rest[i + 1] for i in range(0, len(rest), 2)
            ):
                raise AuthConfigError(
                    f"ASSETLINE_AUTH_TOKENS entry {n + 1}: after the role, only "
                    "'group:NAME' scopes are allowed."
                )
            groups = frozenset(rest[1::2]) or None
            name = f"token-{_digest(parts[0])[:8]}"
            self._entries.append((_digest(parts[0]), Principal(name, parts[1], groups)))

    @property
    def enabled(self) -> bool:
        """Whether any token is configured."""
        return bool(self._entries)

    @property
    def count(self) -> int:
        """How many tokens are configured."""
        return len(self._entries)

    def with_entries(self, entries: Iterable[tuple[str, Principal]]) -> TokenAuth:
        """These tokens and ``entries`` (SHA-256 hex digest, principal) together."""
        combined = TokenAuth(None)
        combined._entries = [*self._entries, *entries]
        return combined

    def principal(self, token: str | None) -> Principal | None:
        """The principal of ``token``; None when auth is on and it is not valid.
        Without configured tokens everyone is an admin."""
        if not self._entries:
            return ANONYMOUS_ADMIN
        if not token:
            return None
        digest = _digest(token)
        found = None
        for known, principal in self._entries:
            if hmac.compare_digest(known, digest):
                found = principal
        return found


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header."""
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_from_params(params: Mapping[str, Any] | None) -> str | None:
    """The token in websocket ``connection_init`` params (``Authorization`` with a
    bearer value, or ``authToken``)."""
    if not isinstance(params, Mapping):
        return None
    auth = params.get("Authorization") or params.get("authorization")
    if isinstance(auth, str):
        token = bearer_token({"authorization": auth})
        if token:
            return token
    token = params.get("authToken")
    return token if isinstance(token, str) and token else None


def _host_of(value: str) -> str:
    host = value.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class OriginPolicy:
    """Which Origin and Host headers the server accepts.

    Browsers send ``Origin`` on cross-site requests; a request without one comes from
    a non-browser client and carries no ambient credentials. An Origin is allowed when
    it is the server itself, a loopback address, or listed in ``allowed_origins``.
    The Host must be an IP address, ``localhost`` or listed in ``allowed_hosts`` — a
    DNS-rebinding page has neither.

    Args:
        allowed_origins: Extra origins (``https://ui.example.com``) or ``*``.
        allowed_hosts: Extra host names or ``*``.
    """

    def __init__(
        self, allowed_origins: Iterable[str] = (), allowed_hosts: Iterable[str] = ()
    ) -> None:
        self.origins = {o.strip().rstrip("/").lower() for o in allowed_origins if o.strip()}
        self.hosts = {h.strip().lower() for h in allowed_hosts if h.strip()}

    @classmethod
    def from_env(cls) -> OriginPolicy:
        """From ``ASSETLINE_ALLOWED_ORIGINS`` and ``ASSETLINE_ALLOWED_HOSTS``."""
        return cls(
            os.environ.get("ASSETLINE_ALLOWED_ORIGINS", "").split(","),
            os.environ.get("ASSETLINE_ALLOWED_HOSTS", "").split(","),
        )

    def host_allowed(self, host_header: str | None) -> bool:
        """Whether the Host header names this server in an accepted way."""
        if not host_header or "*" in self.hosts:
            return True
        host = _host_of(host_header)
        return host in LOOPBACK_NAMES or _is_ip(host) or host in self.hosts

    def origin_allowed(self, origin: str | None, host_header: str | None) -> bool:
        """Whether a request with this Origin may run operations."""
        if origin is None or "*" in self.origins:
            return True
        origin = origin.strip().rstrip("/").lower()
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        if host_header and parts.netloc == host_header.strip().lower():
            return True
        return _host_of(parts.netloc) in LOOPBACK_NAMES


class AuditLog:
    """Appends one JSON line per mutation: when, who, what, with which arguments and
    how it ended. Written to ``<home>/audit.log`` and the ``assetline.audit`` logger.

    Args:
        path: The log file; None logs to the logger only.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, who: Principal, action: str, outcome: str, **details: Any) -> None:
        """Write one entry."""
        entry = {
            "at": time.time(),
            "who": who.name,
            "role": who.role,
            "action": action,
            "outcome": outcome,
            **details,
        }
        line = json.dumps(redactor().redact_value(entry), default=str, sort_keys=True)
        logger.info(line)
        if self.path is None:
            return
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line + "\n")
        except OSError as e:  # auditing must not take the API down
            logger.warning("cannot write the audit log %s: %s", self.path, e)


def hide_server_credentials() -> None:
    """Keep this server's tokens from other processes (Linux): blank the value of
    ``ASSETLINE_AUTH_TOKENS`` in the process's original environment, which
    ``/proc/PID/environ`` shows to every process of the same user (a run's asset
    could read it there), and make the process non-dumpable (no core dump, no
    ``/proc/PID/mem`` for processes without ``CAP_SYS_PTRACE``). ``os.environ``, a copy,
    keeps the value for this process."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    libc.getenv.restype = ctypes.c_void_p
    libc.getenv.argtypes = [ctypes.c_char_p]
    for name in SERVER_CREDENTIALS:
        value = libc.getenv(name.encode())
        if value:
            ctypes.memset(value, ord("*"), len(ctypes.string_at(value)))
    pr_set_dumpable = 4
    libc.prctl(pr_set_dumpable, 0, 0, 0, 0)
