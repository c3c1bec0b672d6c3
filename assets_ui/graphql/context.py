"""The context of one GraphQL operation: the definitions it sees, the catalog, its
loaders, who sent it, and the limits that keep one request from exhausting the
server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry import UNSET
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from assets_ui.graphql.cache import Validity
from assets_ui.graphql.errors import BAD_USER_INPUT, FORBIDDEN, ApiError
from assets_ui.graphql.loaders import Loaders
from assets_ui.location import LoadedLocation
from assets_ui.security import Principal

__all__ = ["UNSET", "Context", "ctx", "given", "page_size", "selects"]

if TYPE_CHECKING:
    from assets_core.catalog.catalog import Catalog
    from assets_core.catalog.records import MaterializationRecord
    from assets_core.catalog.status import AssetStatusInfo
    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.keys import AssetKey
    from assets_ui.state import ServerState

T = TypeVar("T")

#: Asset objects one operation may return in all (nested ``upstream`` lists add up).
MAX_ASSETS_PER_REQUEST = 200_000


@dataclass(eq=False)
class Context:
    """What every resolver reaches through ``info.context``.

    Attributes:
        state: The server's shared state.
        location: The definitions of this operation (fixed for its whole duration,
            even if a reload happens meanwhile).
        principal: Who sent it.
        loaders: Batched catalog reads of this operation.
        request: The Starlette request or websocket.
        validity: How long its answer stays right without a catalog change (the
            response cache reads it; see ``assets_ui.graphql.cache``).
    """

    state: ServerState
    location: LoadedLocation
    principal: Principal
    loaders: Loaders
    request: Any = None
    assets_left: int = field(default=MAX_ASSETS_PER_REQUEST)
    #: websocket ``connection_init`` payload (set by strawberry)
    connection_params: dict[str, Any] | None = None
    #: statuses read ahead for a list of assets (see ``types.asset.prefetch``)
    statuses: dict[AssetKey, AssetStatusInfo] = field(default_factory=dict)
    #: latest materializations (any partition) read ahead for a list of assets
    latest: dict[AssetKey, MaterializationRecord | None] = field(default_factory=dict)
    #: False for a websocket connection's context, shared by all its operations
    per_operation: bool = True
    validity: Validity = field(default_factory=Validity)

    @classmethod
    def create(
        cls,
        state: ServerState,
        principal: Principal,
        request: Any = None,
        cache: bool = True,
        location: LoadedLocation | None = None,
    ) -> Context:
        """A fresh context.

        Args:
            state: The server state.
            principal: Who sends the operation.
            request: The Starlette request or websocket.
            cache: False for a websocket connection, whose operations all share one
                context.
            location: The definitions to use (default: those served now).
        """
        location = location or state.location
        validity = Validity()
        loaders = Loaders(location, state.catalog, cache=cache, validity=validity)
        context = cls(state, location, principal, loaders, request, MAX_ASSETS_PER_REQUEST)
        context.per_operation = cache
        context.validity = validity
        return context

    @property
    def graph(self) -> AssetGraph:
        """The asset graph of this operation."""
        return self.location.graph

    @property
    def catalog(self) -> Catalog:
        """The catalog."""
        return self.state.catalog

    def require(self, role: str, action: str) -> None:
        """Raise FORBIDDEN unless the principal's role is at least ``role``."""
        if not self.principal.allows(role):
            raise ApiError(
                FORBIDDEN,
                f"{action} needs the {role} role; this token is a {self.principal.role}.",
            )

    def spend(self, n: int) -> None:
        """Count ``n`` more asset objects in the result; BAD_USER_INPUT past the cap."""
        self.assets_left -= n
        if self.assets_left < 0:
            raise ApiError(
                BAD_USER_INPUT,
                f"The query returns more than {MAX_ASSETS_PER_REQUEST} assets in all; "
                "ask for fewer (smaller selection, smaller upstream/downstream depth).",
            )


def ctx(info: Info[Any, Any]) -> Context:
    """The ``Context`` of a resolver's ``info``."""
    context: Context = info.context
    return context


def selects(info: Info, *path: str) -> bool:
    """Whether the operation selects the field ``path`` under the current field
    (looking through fragments)."""
    fields: list[Any] = list(info.selected_fields)
    for name in path:
        fields = [sub for f in fields for sub in _fields_of(f) if sub.name == name]
        if not fields:
            return False
    return True


def _fields_of(node: Any) -> Iterator[Any]:
    for sub in getattr(node, "selections", None) or ():
        if isinstance(sub, SelectedField):
            yield sub
        else:  # a fragment spread or an inline fragment
            yield from _fields_of(sub)


def given(value: T | None) -> T | None:
    """An optional argument's value: None when it was omitted (``UNSET``) or null."""
    return None if value is UNSET else value


def page_size(value: int | None, default: int, cap: int, what: str, minimum: int = 0) -> int:
    """A page size argument: ``default`` when null; BAD_USER_INPUT below ``minimum``
    (1 for a list paged by cursor: an empty page has no cursor to go on from) or
    above ``cap``."""
    if value is None:
        return default
    if value < minimum:
        raise ApiError(BAD_USER_INPUT, f"{what} must be >= {minimum}, got {value}.")
    if value > cap:
        raise ApiError(BAD_USER_INPUT, f"{what} must be <= {cap}, got {value}.")
    return value
