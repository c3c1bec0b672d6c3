"""The selection language (SPEC §2): tokenizer, recursive-descent parser and its AST.

Grammar, loosest binding first::

    selection := or_expr EOF
    or_expr   := and_expr (("or" | ",") and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | graph
    graph     := ["+"... | "*"] operand ["+"... | "*"]     operators touch the operand
               | "*"                                       every asset
    operand   := NAME | FILTER | "changed" | "(" or_expr ")"

``NAME`` is ``[A-Za-z0-9_-]+`` components joined by ``/``. A ``FILTER`` is
``KIND:VALUE`` where KIND is one of ``FILTER_KINDS``; its value runs over the characters
that kind allows (``FILTER_VALUE_CHARS``). ``key:`` and ``tag:`` values are globs, so a
``*`` there belongs to the pattern: write ``(key:sales/*)*`` for everything downstream.

Every node keeps ``pos``, the offset of its first character in the expression, so that
evaluation errors can point at the name that failed. ``str(node)`` prints an expression
that parses back to an equal node (positions are not compared).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assets_core.errors import SelectionError, did_you_mean

FILTER_KINDS: tuple[str, ...] = ("group", "tag", "owner", "kind", "key")
#: The characters a filter's value may hold; a value ends at the first other one.
FILTER_VALUE_CHARS: dict[str, str] = {
    "group": r"A-Za-z0-9_\-",
    "kind": r"A-Za-z0-9_\-",
    "owner": r"A-Za-z0-9_\-.@:",
    "tag": r"A-Za-z0-9_\-.@:=/*?\[\]!",
    "key": r"A-Za-z0-9_\-/*?\[\]!",
}
#: Filters whose value is a glob (``fnmatch``): a trailing ``*`` is part of the value.
GLOB_KINDS = frozenset({"tag", "key"})
KEYWORDS = frozenset({"and", "or", "not", "changed"})
MAX_DEPTH = 100

_VALUE_RE = {k: re.compile(f"[{chars}]+") for k, chars in FILTER_VALUE_CHARS.items()}
_WORD_RE = re.compile(r"[A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-]+)*")
_OPERAND_HINT = "an asset name, '*', '(' or a filter"
_VALUE_NAMES = {
    "group": "a group name",
    "tag": "a tag name",
    "owner": "an owner such as team:NAME",
    "kind": "a kind (python, sql or external)",
    "key": "a key pattern",
}


# -- AST -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AllAssets:
    """``*``: every asset in the graph."""

    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True, slots=True)
class AssetName:
    """One asset by key path (``sales/orders``) or unique last component (``orders``)."""

    name: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class AttributeFilter:
    """``kind:value`` such as ``group:sales``; ``kind`` is one of ``FILTER_KINDS``."""

    kind: str
    value: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True, slots=True)
class Changed:
    """``changed``: assets whose definition differs from the catalog's last snapshot."""

    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return "changed"


@dataclass(frozen=True, slots=True)
class GraphTraversal:
    """``+x``, ``x++``, ``*x*``...: the operand plus its neighbourhood.

    ``up`` and ``down`` count levels; 0 means none and None means all.
    """

    operand: SelectionNode
    up: int | None = 0
    down: int | None = 0
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        inner = str(self.operand)
        bare = isinstance(self.operand, (AssetName, Changed)) or (
            isinstance(self.operand, AttributeFilter)
            and not (self.operand.kind in GLOB_KINDS and self.down is None)
        )
        if not bare:
            inner = f"({inner})"
        return f"{_graph_op(self.up)}{inner}{_graph_op(self.down)}"


@dataclass(frozen=True, slots=True)
class Not:
    """``not x``: every asset outside ``x``."""

    operand: SelectionNode
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"not {_wrap(self.operand)}"


@dataclass(frozen=True, slots=True)
class And:
    """``a and b and ...``: the intersection."""

    operands: tuple[SelectionNode, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return " and ".join(_wrap(o) for o in self.operands)


@dataclass(frozen=True, slots=True)
class Or:
    """``a or b`` / ``a, b``: the union."""

    operands: tuple[SelectionNode, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return " or ".join(_wrap(o) for o in self.operands)


SelectionNode = AllAssets | AssetName | AttributeFilter | Changed | GraphTraversal | Not | And | Or


def _graph_op(levels: int | None) -> str:
    return "*" if levels is None else "+" * levels


def _wrap(node: SelectionNode) -> str:
    return f"({node})" if isinstance(node, (And, Or)) else str(node)


# -- errors ------------------------------------------------------------------------------
def selection_error(expr: str, pos: int, message: str, width: int = 1) -> SelectionError:
    """A ``SelectionError`` showing ``expr`` on one line and carets under ``pos``.

    Args:
        expr: The whole expression as the user wrote it.
        pos: Offset of the offending character (``len(expr)`` for the end).
        message: What went wrong and what was expected.
        width: How many characters to underline.
    """
    line = expr.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    caret = " " * pos + "^" * max(1, width)
    return SelectionError(f"Invalid selection: {message}\n  {line}\n  {caret}")


# -- tokenizer ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme. ``kind`` is ``word``, ``filter``, a keyword, ``+``, ``*``, ``(``,
    ``)``, ``,`` or ``eof``; ``count`` is the number of ``+`` in a run."""

    kind: str
    text: str
    pos: int
    value: str = ""
    count: int = 0

    @property
    def end(self) -> int:
        return self.pos + len(self.text)


def tokenize(expr: str) -> list[Token]:
    """Split ``expr`` into tokens ending with an ``eof`` token; raise ``SelectionError``."""
    tokens: list[Token] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch in "()*,":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch == "+":
            j = i
            while j < n and expr[j] == "+":
                j += 1
            tokens.append(Token("+", expr[i:j], i, count=j - i))
            i = j
        elif (m := _WORD_RE.match(expr, i)) is not None:
            tokens.append(_word(expr, m.group(), i))
            i = tokens[-1].end
        else:
            raise selection_error(expr, i, _bad_char(ch, tokens[-1] if tokens else None, i))
    tokens.append(Token("eof", "", n))
    return tokens


def _word(expr: str, word: str, pos: int) -> Token:
    colon = pos + len(word)
    if colon >= len(expr) or expr[colon] != ":":
        return Token(word if word in KEYWORDS else "word", word, pos)
    if word not in FILTER_KINDS:
        hint = did_you_mean(f"{word}:", [f"{k}:" for k in FILTER_KINDS])
        kinds = ", ".join(f"{k}:" for k in FILTER_KINDS)
        message = f"unknown filter '{word}:'.{hint} Filters are {kinds}"
        raise selection_error(expr, pos, message, len(word))
    m = _VALUE_RE[word].match(expr, colon + 1)
    if m is None:
        raise selection_error(expr, colon + 1, f"expected {_VALUE_NAMES[word]} after '{word}:'")
    value = m.group()
    if word == "tag" and value.startswith("="):
        raise selection_error(expr, colon + 1, "expected a tag name before '='")
    return Token("filter", expr[pos : m.end()], pos, value=value)


def _bad_char(ch: str, prev: Token | None, pos: int) -> str:
    if ch == "/":
        return "'/' must join two key components, as in 'sales/orders'"
    if prev is not None and prev.kind == "filter" and prev.end == pos:
        kind = prev.text.split(":", 1)[0]
        return f"{ch!r} cannot appear in a '{kind}:' value"
    return f"unexpected character {ch!r}"


def _after(prev: str | None) -> str:
    return f" after '{prev}'" if prev is not None else " at the start"


# -- parser ------------------------------------------------------------------------------
_OPERAND_START = frozenset({"word", "filter", "changed", "("})


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens = tokenize(expr)
        self.i = 0
        self.depth = 0
        self.open_parens: list[int] = []

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _prev(self) -> str | None:
        return self.tokens[self.i - 1].text if self.i > 0 else None

    def _advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _touching(self) -> bool:
        """Whether the current token starts right where the previous one ended."""
        return self.i > 0 and self.tokens[self.i - 1].end == self.tok.pos

    def _fail(self, message: str) -> SelectionError:
        return selection_error(self.expr, self.tok.pos, message)

    def _nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._fail(f"the expression nests more than {MAX_DEPTH} levels deep")

    def parse(self) -> SelectionNode:
        node = self._or()
        if self.tok.kind != "eof":
            raise self._fail(self._expected_operator())
        return node

    def _expected_operator(self) -> str:
        if self.tok.kind == ")":
            return "unexpected ')' with no matching '('"
        close = " or ')'" if self.open_parens else " or the end"
        message = f"expected 'and', 'or', ','{close}{_after(self._prev())}"
        if self.tok.kind == "word" and self.tok.text.lower() in KEYWORDS:
            message += f" (operators are lowercase: '{self.tok.text.lower()}')"
        return message

    def _or(self) -> SelectionNode:
        start = self.tok.pos
        parts = [self._and()]
        while self.tok.kind in ("or", ","):
            self._advance()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts), start)

    def _and(self) -> SelectionNode:
        start = self.tok.pos
        parts = [self._not()]
        while self.tok.kind == "and":
            self._advance()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else And(tuple(parts), start)

    def _not(self) -> SelectionNode:
        nots: list[int] = []
        while self.tok.kind == "not":
            self._nest()
            nots.append(self._advance().pos)
        node = self._graph()
        for pos in reversed(nots):
            node = Not(node, pos)
        self.depth -= len(nots)
        return node

    def _graph(self) -> SelectionNode:
        start, tok = self.tok.pos, self.tok
        up: int | None = 0
        if tok.kind == "*":
            self._advance()
            touching = self._touching()
            if not (touching and self.tok.kind in ("+", "*", *_OPERAND_START)):
                return AllAssets(start)
            up = None
        elif tok.kind == "+":
            self._advance()
            up = tok.count
        if up != 0 and not (self._touching() and self.tok.kind in _OPERAND_START):
            gap = "" if self._touching() else " with no space between"
            raise self._fail(f"expected an asset name, '(' or a filter after '{tok.text}'{gap}")
        operand = self._operand()
        down: int | None = 0
        if self.tok.kind in ("+", "*") and self._touching():
            op = self._advance()
            down = op.count if op.kind == "+" else None
        if up == 0 and down == 0:
            return operand
        return GraphTraversal(operand, up, down, start)

    def _operand(self) -> SelectionNode:
        tok = self.tok
        if tok.kind == "word":
            self._advance()
            return AssetName(tok.text, tok.pos)
        if tok.kind == "filter":
            self._advance()
            kind = tok.text.split(":", 1)[0]
            return AttributeFilter(kind, tok.value, tok.pos)
        if tok.kind == "changed":
            self._advance()
            return Changed(tok.pos)
        if tok.kind == "(":
            self._nest()
            self.open_parens.append(self._advance().pos)
            node = self._or()
            if self.tok.kind != ")":
                opened = self.open_parens[-1] + 1
                if self.tok.kind == "eof":
                    raise self._fail(f"expected ')' to close the '(' at column {opened}")
                raise self._fail(self._expected_operator())
            self._advance()
            self.open_parens.pop()
            self.depth -= 1
            return node
        raise self._fail(f"expected {_OPERAND_HINT}{_after(self._prev())}")


def parse(expr: str) -> SelectionNode:
    """Parse a selection expression into its AST.

    Args:
        expr: An expression such as ``+group:sales and not tag:tier=bronze``.

    Returns:
        The root node; ``str()`` of it parses back to an equal node.

    Raises:
        SelectionError: The expression is empty or malformed; the message shows the
            position with a caret and says what was expected there.
    """
    if not isinstance(expr, str):
        raise SelectionError(f"A selection must be a string such as 'group:sales', got {expr!r}.")
    if not expr.strip():
        raise SelectionError(
            "Invalid selection: the expression is empty. Select assets by name "
            "('orders'), '*' for all, or a filter such as 'group:sales'."
        )
    return _Parser(expr).parse()


def walk(node: SelectionNode) -> list[SelectionNode]:
    """``node`` and every node below it, parents first."""
    out: list[SelectionNode] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        if isinstance(n, (GraphTraversal, Not)):
            stack.append(n.operand)
        elif isinstance(n, (And, Or)):
            stack.extend(reversed(n.operands))
    return out
