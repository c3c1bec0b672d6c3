"""A fast path in GraphQL execution for lists of plain objects.

graphql-core resolves and completes each field of each object on its own: for
``lineage(selection: "*")`` over 10,000 assets that is 80,000 resolver calls, about
0.3 s. When a list's items are objects whose selected fields are all leaves read
straight from attributes (strawberry fields without a resolver, permission or
extension, and without arguments), this executor builds the result dicts in one
tight loop instead — the same values, 10-20 times faster. Short lists take it too:
``assets { upstream { key } }`` completes 2,000 lists of two or three assets, and the
fast path answers it in two thirds of the time. Anything else (an
argument, a resolver, a nested object, a null where the schema forbids it, a value
the scalar rejects) falls back to graphql-core's own completion for that list, so
results and errors are exactly graphql-core's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLID,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

#: (response name, attribute or None for __typename, coerce or the type name, non-null)
Plan = list[tuple[str, str | None, Any, bool]]

_NONE: Any = object()
_DEFINITION = "strawberry-definition"


class _Fallback(Exception):
    pass


class StaticList(list):  # type: ignore[type-arg]
    """A list whose items never change (e.g. every edge of a loaded code location):
    the fast path keeps its projection per selection and serves it again."""

    __slots__ = ("projections",)

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.projections: dict[tuple[tuple[str, str | None], ...], list[dict[str, Any]]] = {}


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the leaf-list fast path."""

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Any,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        """Complete a list; plain objects with leaf fields take the fast path."""
        if isinstance(items, list) and items:  # short lists too: an asset's upstream
            object_type = item_type.of_type if is_non_null_type(item_type) else item_type
            if is_object_type(object_type):
                plan = self._plan(object_type, field_details_list)
                if plan is not None:
                    try:
                        if isinstance(items, StaticList):
                            return _project_static(items, plan)
                        return _project(items, plan)
                    except _Fallback:
                        pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        plans: dict[Any, Any] = self.__dict__.setdefault("_assetline_plans", {})
        key = (object_type, id(field_details_list))
        if key not in plans:
            # Keep field_details_list alive so its id is not reused meanwhile.
            plans[key] = (field_details_list, self._build_plan(object_type, field_details_list))
        return plans[key][1]  # type: ignore[no-any-return]

    def _build_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return None
        grouped, defer_usages, *_ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            return None
        plan: Plan = []
        for response_name, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                plan.append((response_name, None, object_type.name, True))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None or field_def.args or node.arguments or node.directives:
                return None
            if not getattr(field_def.resolve, "_is_default", False):
                return None
            strawberry_field = (field_def.extensions or {}).get(_DEFINITION)
            if strawberry_field is None or not strawberry_field.is_basic_field:
                return None
            field_type = field_def.type
            non_null = is_non_null_type(field_type)
            leaf = field_type.of_type if non_null else field_type
            if not is_leaf_type(leaf):
                return None
            plan.append((response_name, strawberry_field.python_name, _coercer(leaf), non_null))
        return plan


def _coercer(leaf: Any) -> Callable[[Any], Any]:
    """The leaf type's output coercion, with shortcuts: a ``str`` is a valid String
    or ID as it is, and an enum's few values are coerced once and remembered."""
    coerce: Callable[[Any], Any] = leaf.coerce_output_value
    if leaf is GraphQLString or leaf is GraphQLID:

        def string(value: Any) -> Any:
            return value if type(value) is str else coerce(value)

        return string
    if isinstance(leaf, GraphQLEnumType):
        seen: dict[Any, Any] = {}

        def enum(value: Any) -> Any:
            try:
                return seen[value]
            except KeyError:
                out = seen[value] = coerce(value)
                return out
            except TypeError:  # unhashable: let the type decide
                return coerce(value)

        return enum
    return coerce


def _project_static(items: StaticList, plan: Plan) -> list[dict[str, Any]]:
    key = tuple((name, attr) for name, attr, *_ in plan)
    found = items.projections.get(key)
    if found is None:
        found = items.projections[key] = _project(items, plan)
    return found


def _project(items: list[Any], plan: Plan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    append = out.append
    for item in items:
        if item is None:
            raise _Fallback
        row: dict[str, Any] = {}
        for response_name, attr, coerce, non_null in plan:
            if attr is None:
                row[response_name] = coerce
                continue
            value = getattr(item, attr, _NONE)
            if value is None:
                if non_null:
                    raise _Fallback
                row[response_name] = None
                continue
            if value is _NONE:
                raise _Fallback
            try:
                coerced = coerce(value)
            except Exception:
                raise _Fallback from None
            if coerced is None or coerced is Undefined:
                raise _Fallback
            row[response_name] = coerced
        append(row)
    return out
