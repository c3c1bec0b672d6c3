"""``assetline ui --auth FILE`` (SPEC §13): bearer tokens kept hashed in a TOML or
JSON file, with roles and group scopes, read again on SIGHUP.

::

    # auth.toml
    [[tokens]]
    name = "ci"                                   # who, in the audit log
    hash = "sha256:9f86d081884c7d65..."           # assetline auth hash TOKEN
    role = "operator"                             # viewer | operator | admin
    groups = ["sales"]                            # optional: only these asset groups

The same as JSON: ``{"tokens": [{"name": "ci", "hash": "sha256:...", "role":
"operator", "groups": ["sales"]}]}``. The file never holds a token, only its SHA-256
digest; a ``token`` field is refused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import signal
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assets_ui.security import ROLES, AuthConfigError, Principal, TokenAuth

logger = logging.getLogger("assetline.ui")

_HASH = re.compile(r"sha256:[0-9a-f]{64}")
_FIELDS = {"name", "hash", "role", "groups"}


def hash_token(token: str) -> str:
    """What ``hash`` holds for ``token`` in an auth file: ``sha256:<hex digest>``."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def load_auth_file(path: Path) -> list[tuple[str, Principal]]:
    """The (SHA-256 hex digest, principal) entries of an auth file.

    Args:
        path: A ``.json`` file is read as JSON, anything else as TOML.

    Raises:
        AuthConfigError: The file cannot be read, does not parse, or an entry is
            malformed (the message names the file and the entry).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise AuthConfigError(f"Cannot read the auth file {path}: {e}.") from None
    try:
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, RecursionError) as e:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise AuthConfigError(f"The auth file {path} is not valid {kind}: {e}.") from None
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(tokens, list):
        raise AuthConfigError(
            f"The auth file {path} must hold a list 'tokens' ([[tokens]] in TOML) of "
            "{name, hash, role, groups}."
        )
    entries = []
    for n, item in enumerate(tokens, 1):
        where = f"{path}, token {n}"
        entries.append(_entry(item, where))
    return entries


def _entry(item: Any, where: str) -> tuple[str, Principal]:
    if not isinstance(item, dict):
        raise AuthConfigError(f"{where}: each entry is a table {{name, hash, role, groups}}.")
    if "token" in item:
        raise AuthConfigError(
            f"{where}: the file must not hold tokens; replace 'token' with "
            "hash = \"<output of 'assetline auth hash TOKEN'>\"."
        )
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise AuthConfigError(
            f"{where}: unknown field {', '.join(unknown)}; use {', '.join(sorted(_FIELDS))}."
        )
    digest = item.get("hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise AuthConfigError(
            f"{where}: 'hash' must be 'sha256:' and 64 hex digits, as printed by "
            "'assetline auth hash TOKEN'."
        )
    role = item.get("role")
    if role not in ROLES:
        raise AuthConfigError(f"{where}: 'role' must be one of {', '.join(ROLES)}.")
    groups = item.get("groups")
    if groups is not None and (
        not isinstance(groups, list)
        or not groups
        or not all(isinstance(g, str) and g for g in groups)
    ):
        raise AuthConfigError(f"{where}: 'groups' must be a non-empty list of group names.")
    name = item.get("name")
    hexdigest = digest.removeprefix("sha256:")
    if name is not None and (not isinstance(name, str) or not name):
        raise AuthConfigError(f"{where}: 'name' must be a non-empty string.")
    principal = Principal(
        name or f"token-{hexdigest[:8]}", role, frozenset(groups) if groups else None
    )
    return hexdigest, principal


def server_auth(env_auth: TokenAuth, path: Path | None) -> TokenAuth:
    """The tokens of ``ASSETLINE_AUTH_TOKENS`` (``env_auth``) and of the auth file,
    together.

    Raises:
        AuthConfigError: The file is malformed.
    """
    return env_auth if path is None else env_auth.with_entries(load_auth_file(path))


def reload_auth(state: Any) -> bool:
    """Read ``state.auth_file`` again and serve its tokens from now on; a file that
    does not load is logged and the tokens in use are kept. Returns whether it
    loaded."""
    try:
        auth = server_auth(state.env_auth, state.auth_file)
    except AuthConfigError as e:
        logger.error("auth file not reloaded, the previous tokens stay in use: %s", e)
        return False
    state.auth = auth
    logger.warning("auth file %s reloaded: %d tokens", state.auth_file, auth.count)
    return True


def on_sighup(handler: Callable[[], object]) -> None:
    """Call ``handler`` on SIGHUP (from the main thread, between two bytecodes)."""
    signal.signal(signal.SIGHUP, lambda _signum, _frame: handler())


def add_auth_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``assetline auth hash [TOKEN]`` to an argparse ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "auth",
        help="tokens for 'assetline ui --auth FILE'",
        description="Tokens for 'assetline ui --auth FILE' (SPEC §13).",
    )
    commands = parser.add_subparsers(dest="auth_command", required=True, metavar="COMMAND")
    hash_parser = commands.add_parser(
        "hash",
        help="print the hash of a token, as the auth file's 'hash' holds it",
        description="Print 'sha256:<hex>' for TOKEN (read from stdin when omitted, so it "
        'stays out of the shell history): put it as hash = "..." in the auth file.',
    )
    hash_parser.add_argument("token", nargs="?", help="the token (default: a line of stdin)")
    hash_parser.set_defaults(func=_hash_command)
    return parser


def _hash_command(args: argparse.Namespace) -> int:
    import sys

    token = args.token if args.token is not None else sys.stdin.readline().strip()
    if not token:
        print(
            "assetline auth hash: give a token (an argument, or a line on stdin).", file=sys.stderr
        )
        return 2
    print(hash_token(token))
    return 0
