"""The GraphQL schema (SPEC §7) with its limits.

Limits: query depth (introspection aside), aliases and tokens per document; page
sizes per field (see each field); assets per request (``context.MAX_ASSETS_PER_REQUEST``).
The printed schema is committed as ``assets_ui/schema.graphql``; regenerate it with
``python -m assets_ui.graphql.schema --write`` after adding to the schema (never
rename or remove: deprecate first).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from assets_ui.graphql.errors import ErrorCodes, log_unexpected
from assets_ui.graphql.fast import FastExecutionContext
from assets_ui.graphql.mutation import Mutation
from assets_ui.graphql.query import Query
from assets_ui.graphql.subscription import Subscription

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000


class AssetlineSchema(strawberry.Schema):
    """Strawberry's schema, logging only the errors nobody expected (with their
    traceback); known errors reach the client with their code instead."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected errors server-side."""
        log_unexpected(errors)


def build_schema(fast: bool = True) -> AssetlineSchema:
    """The schema with its limits and error handling.

    Args:
        fast: Execute with the fast path for lists (``assets_ui.graphql.fast``);
            False gives graphql-core's own execution (the tests compare the two).
    """
    extensions: list[Any] = [
        ErrorCodes,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=256),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: ValidationCache(maxsize=256),
    ]
    return AssetlineSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=FastExecutionContext if fast else None,
    )


schema = build_schema()


SNAPSHOT = Path(__file__).resolve().parent.parent / "schema.graphql"
_HEADER = """\
# The GraphQL contract (SPEC §7), printed from the strawberry schema:
#   python -m assets_ui.graphql.schema --write
# tests/ui/test_schema_snapshot.py fails when the two differ. Add fields and types;
# never rename or remove one (deprecate it first).

"""


def sdl() -> str:
    """The schema as SDL, exactly as committed in ``assets_ui/schema.graphql``."""
    return _HEADER + schema.as_str() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the SDL, or with ``--write`` update ``assets_ui/schema.graphql``."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        SNAPSHOT.write_text(sdl(), encoding="utf-8")
        print(f"wrote {SNAPSHOT}")
    else:
        print(sdl(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
