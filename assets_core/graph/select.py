"""Evaluate selection expressions (SPEC §2) against an ``AssetGraph``.

``select(graph, "+group:sales and not tag:tier=bronze")`` returns the selected keys.
An unknown or ambiguous asset name, and a filter that matches no asset (an unknown
group, tag, owner or kind, a ``key:`` glob that matches no key), are errors reported
with a caret under them and close matches: a typo must not pass CI as an empty
selection. An expression whose filters all match something may still select nothing
(``not group:x`` when every asset is in ``x``, an empty intersection): that is valid,
and the commands say so.

Filters: ``group:``, ``owner:`` and ``kind:`` compare exactly; ``key:`` matches the key
path (``sales/orders``) and ``tag:`` the tag name and value as globs (``fnmatch``, case
sensitive). ``tag:tier`` selects the assets that have a ``tier`` tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase

from assets_core.errors import did_you_mean
from assets_core.graph.asset_graph import AssetGraph
from assets_core.graph.selection import (
    AllAssets,
    And,
    AssetName,
    AttributeFilter,
    Changed,
    GraphTraversal,
    Not,
    Or,
    SelectionNode,
    parse,
    selection_error,
    walk,
)
from assets_core.keys import AssetKey

ChangedKeys = Callable[[], Iterable[AssetKey]]


def parse_selection(expr: str) -> SelectionNode:
    """Parse a selection expression without evaluating it.

    Args:
        expr: An expression such as ``*orders or group:finance``.

    Returns:
        The AST; ``str()`` of it is an equivalent expression.

    Raises:
        SelectionError: The expression is empty or malformed (the message shows where).
    """
    return parse(expr)


def select(graph: AssetGraph, expr: str, changed: ChangedKeys | None = None) -> frozenset[AssetKey]:
    """The keys of ``graph`` that ``expr`` selects.

    Args:
        graph: The asset graph to select from.
        expr: A selection expression (SPEC §2), e.g. ``+orders+ and not kind:external``.
        changed: Returns the keys whose definition differs from the catalog's last
            snapshot; called at most once, and only when ``expr`` uses ``changed``.

    Returns:
        The selected keys.

    Raises:
        SelectionError: ``expr`` is malformed, names an unknown or ambiguous asset, has
            a filter that matches no asset, or uses ``changed`` while ``changed`` is None.
    """
    return _Evaluator(graph, expr, changed).run()


def select_sorted(
    graph: AssetGraph, expr: str, changed: ChangedKeys | None = None
) -> list[AssetKey]:
    """Like ``select`` but a list in the graph's topological order.

    Args:
        graph: The asset graph to select from.
        expr: A selection expression.
        changed: As for ``select``.

    Returns:
        The selected keys, parents before children.

    Raises:
        SelectionError: As for ``select``.
    """
    return graph.sorted(select(graph, expr, changed))


class _Evaluator:
    def __init__(self, graph: AssetGraph, expr: str, changed: ChangedKeys | None) -> None:
        self.graph = graph
        self.expr = expr
        self.changed = changed
        self._changed_keys: frozenset[AssetKey] | None = None
        self._all: frozenset[AssetKey] | None = None

    def run(self) -> frozenset[AssetKey]:
        tree = parse(self.expr)
        if self.changed is None:
            for node in walk(tree):
                if isinstance(node, Changed):
                    raise selection_error(
                        self.expr,
                        node.pos,
                        "'changed' compares with the last definitions snapshot, and there "
                        "is none: use a catalog that has one (run `assetline validate` or "
                        "materialize first)",
                        len("changed"),
                    )
        return self.eval(tree)

    @property
    def everything(self) -> frozenset[AssetKey]:
        if self._all is None:
            self._all = frozenset(self.graph.nodes)
        return self._all

    def eval(self, node: SelectionNode) -> frozenset[AssetKey]:
        if isinstance(node, AssetName):
            return frozenset((self.resolve(node),))
        if isinstance(node, AllAssets):
            return self.everything
        if isinstance(node, AttributeFilter):
            return self.filter(node)
        if isinstance(node, Changed):
            return self.changed_keys()
        if isinstance(node, GraphTraversal):
            base = self.eval(node.operand)
            out = set(base)
            if node.up != 0:
                out |= self.graph.upstream(base, node.up)
            if node.down != 0:
                out |= self.graph.downstream(base, node.down)
            return frozenset(out)
        if isinstance(node, Not):
            return self.everything - self.eval(node.operand)
        if isinstance(node, And):
            result = self.eval(node.operands[0])
            for operand in node.operands[1:]:
                result &= self.eval(operand)
            return result
        if isinstance(node, Or):
            return frozenset().union(*(self.eval(o) for o in node.operands))
        raise TypeError(f"not a selection node: {node!r}")  # pragma: no cover

    def resolve(self, node: AssetName) -> AssetKey:
        key = self.graph.find(node.name)
        if key is not None:
            return key
        name = node.name
        same = sorted(str(k) for k in self.graph.nodes if k.name == name)
        if len(same) > 1:
            message = (
                f"asset name {name!r} is ambiguous: it matches {', '.join(same)}. "
                "Use the full key path."
            )
        else:
            if name in self.graph.groups:
                hint = f" {name!r} is a group: select it with 'group:{name}'."
            elif name.lower() in ("and", "or", "not"):
                hint = " Operators are lowercase: 'and', 'or', 'not'."
            else:
                hint = did_you_mean(name, self.graph.key_strings()) + self._glob_hint(node)
            message = f"unknown asset {name!r}.{hint}"
        raise selection_error(self.expr, node.pos, message, len(name))

    def _glob_hint(self, node: AssetName) -> str:
        """``stg_*`` parses as ``stg_`` and everything downstream of it: when a ``*``
        touches the name, the user most likely meant a key pattern."""
        end = node.pos + len(node.name)
        before = node.pos > 0 and self.expr[node.pos - 1] == "*"
        after = self.expr[end : end + 1] == "*"
        if not (before or after):
            return ""
        pattern = ("*" if before else "") + node.name + ("*" if after else "")
        for glob in (pattern, f"*/{pattern}"):
            if any(fnmatchcase(k, glob) for k in self.graph.key_strings()):
                return f" To select keys by pattern, write 'key:{glob}'."
        return f" To select keys by pattern, write 'key:{pattern}' (it matches no key either)."

    def filter(self, node: AttributeFilter) -> frozenset[AssetKey]:
        found = self._filter(node)
        if not found:
            raise selection_error(
                self.expr,
                node.pos,
                f"'{node}' matches no asset.{self._filter_hint(node)}",
                len(str(node)),
            )
        return found

    def _filter_hint(self, node: AttributeFilter) -> str:
        nodes = self.graph.nodes.values()
        kind, value = node.kind, node.value
        if kind == "key":
            keys = self.graph.key_strings()
            if not value.startswith("*"):
                wider = f"*/{value}"
                if any(fnmatchcase(k, wider) for k in keys):
                    return f" Did you mean 'key:{wider}'? (a key pattern matches the whole path)"
            return did_you_mean(value.strip("*?"), keys) or " No key matches the pattern."
        if kind == "tag":
            name, eq, _ = value.partition("=")
            values = sorted({v for n in nodes for t, v in n.spec.tags.items() if t == name})
            if eq and values:
                shown = ", ".join(f"tag:{name}={v}" if v else f"tag:{name}" for v in values)
                return f" Values of tag {name!r}: {shown}."
            known = sorted({t for n in nodes for t in n.spec.tags})
        elif kind == "group":
            known = sorted(self.graph.groups)
        elif kind == "owner":
            known = sorted({o for n in nodes for o in n.spec.owners})
        else:
            known = sorted({"python", "sql", "external"} | {n.kind for n in nodes})
        if not known:
            return f" No asset has a {kind}."
        hint = _close(kind, value.partition("=")[0], known)
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        return f"{hint} Known {kind}s: {shown}."

    def _filter(self, node: AttributeFilter) -> frozenset[AssetKey]:
        kind, value = node.kind, node.value
        if kind == "group":
            return frozenset(self.graph.groups.get(value, ()))
        nodes = self.graph.nodes.values()
        if kind == "key":
            return frozenset(n.key for n in nodes if fnmatchcase(str(n.key), value))
        if kind == "kind":
            return frozenset(n.key for n in nodes if n.kind == value)
        if kind == "owner":
            return frozenset(n.key for n in nodes if value in n.spec.owners)
        name, eq, wanted = value.partition("=")
        return frozenset(
            n.key
            for n in nodes
            if any(
                fnmatchcase(tag, name) and (not eq or fnmatchcase(tag_value, wanted))
                for tag, tag_value in n.spec.tags.items()
            )
        )

    def changed_keys(self) -> frozenset[AssetKey]:
        if self._changed_keys is None:
            assert self.changed is not None  # run() checked it
            # Keys of assets removed since the snapshot are not in the graph to select.
            keys = frozenset(AssetKey.parse(k) for k in self.changed())
            self._changed_keys = keys & self.everything
        return self._changed_keys


def _close(kind: str, value: str, known: list[str]) -> str:
    """`` Did you mean 'group:sales'?`` for the known values closest to ``value``."""
    import difflib

    matches = difflib.get_close_matches(value, known, n=3, cutoff=0.6)
    if not matches:
        return ""
    quoted = [f"'{kind}:{m}'" for m in matches]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" Did you mean {joined}?"
