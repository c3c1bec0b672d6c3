"""GraphQL errors with codes (SPEC §7): every error a client sees has
``extensions.code`` and a clear message, never a stack trace.

::

    code                 raised for
    NOT_FOUND            an unknown asset, run, check or dynamic partitions name
    INVALID_SELECTION    a selection expression that does not parse, names an unknown
                         asset or has a filter that matches no asset (the message
                         carries the caret line and close matches)
    INVALID_PARTITION    a partition key that the asset does not have
    INVALID_CONFIG       run config that does not fit the assets' config dataclasses
    DEFINITION_ERROR     the code location does not load (``reload``)
    BAD_USER_INPUT       other bad arguments, malformed documents, query limits
    FORBIDDEN            the token's role or groups do not allow the operation
    UNAUTHENTICATED      tokens are configured and the request has no valid one
    INTERNAL             anything unexpected: a generic message; the traceback is
                         logged on the server with the same reference
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from assets_core.errors import (
    AssetlineError,
    ConfigError,
    DefinitionError,
    NotFoundError,
    PartitionKeyError,
    SelectionError,
    UnknownAssetError,
    UsageError,
)
from assets_ui.graphql.body import MAX_MESSAGE, shorten

logger = logging.getLogger("assetline.ui")

NOT_FOUND = "NOT_FOUND"
INVALID_SELECTION = "INVALID_SELECTION"
INVALID_PARTITION = "INVALID_PARTITION"
INVALID_CONFIG = "INVALID_CONFIG"
DEFINITION_ERROR = "DEFINITION_ERROR"
BAD_USER_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
UNAUTHENTICATED = "UNAUTHENTICATED"
INTERNAL = "INTERNAL"

_REF_ATTR = "_assetline_error_ref"


class ApiError(Exception):
    """An error meant for the client: a code from the table above and a message.

    Args:
        code: One of the codes of this module.
        message: What happened and what to do, shown as is.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.code, self.message))


def code_of(exc: BaseException) -> str | None:
    """The client-facing code of a known exception, or None when it is unexpected."""
    if isinstance(exc, ApiError):
        return exc.code
    if isinstance(exc, (NotFoundError, UnknownAssetError)):
        return NOT_FOUND
    if isinstance(exc, SelectionError):
        return INVALID_SELECTION
    if isinstance(exc, PartitionKeyError):
        return INVALID_PARTITION
    if isinstance(exc, ConfigError):
        return INVALID_CONFIG
    if isinstance(exc, DefinitionError):
        return DEFINITION_ERROR
    if isinstance(exc, UsageError):
        return BAD_USER_INPUT
    return None


def api_error(exc: BaseException) -> ApiError:
    """``exc`` as an ``ApiError``; unexpected exceptions become INTERNAL."""
    code = code_of(exc)
    if code is None:
        return ApiError(INTERNAL, "Internal server error.")
    message = exc.message if isinstance(exc, (ApiError, AssetlineError)) else str(exc)
    return ApiError(code, message)


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log the traceback of every error that is not a known one, with a reference
    the client's message repeats."""
    for error in errors:
        original = error.original_error
        while isinstance(original, GraphQLError):  # a document or variables error
            original = original.original_error
        if original is None or code_of(original) is not None:
            continue
        ref = uuid.uuid4().hex[:12]
        with contextlib.suppress(AttributeError):  # exceptions with __slots__
            setattr(original, _REF_ATTR, ref)
        logger.error(
            "Unexpected error in %s (reference %s)",
            ".".join(str(p) for p in error.path or ()) or "the request",
            ref,
            exc_info=(type(original), original, original.__traceback__),
        )


def client_error(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: known codes keep their message, GraphQL
    document errors (syntax, validation, limits) are BAD_USER_INPUT, anything else
    is INTERNAL with a generic message."""
    original = error.original_error
    if isinstance(original, GraphQLError) and original is not error:
        return client_error(
            GraphQLError(
                original.message,
                error.nodes,
                error.source,
                error.positions,
                error.path,
                original.original_error,
                original.extensions,
            )
        )
    extensions: dict[str, Any] = dict(error.extensions or {})
    if original is None:
        code = extensions.get("code") or BAD_USER_INPUT
        message = error.message
    else:
        code = code_of(original) or INTERNAL
        if code == INTERNAL:
            ref = getattr(original, _REF_ATTR, None)
            message = "Internal server error" + (
                f" (reference {ref}; see the server log)." if ref else "."
            )
        else:
            message = original.message if hasattr(original, "message") else str(original)
    extensions["code"] = code
    return GraphQLError(
        shorten(message, MAX_MESSAGE),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorCodes(MaskErrors):
    """Rewrites every error of a result with ``client_error`` (strawberry's
    ``MaskErrors`` hooks run it on queries, mutations and each subscription event)."""

    def __init__(self) -> None:
        always: Callable[[GraphQLError], bool] = lambda _e: True  # noqa: E731
        super().__init__(should_mask_error=always)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        """Turn ``error`` into what the client may see."""
        return client_error(error)
