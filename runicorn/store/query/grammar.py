"""The run query language (``?q=``, ``runicorn ls -q``): a tokenizer and a recursive-descent
parser returning a tree; :mod:`runicorn.store.query.evaluation` walks the tree once to build the
predicate. Nothing here ever evaluates the text as code: a query is words, numbers, quoted
strings and a handful of operators, checked against a fixed grammar (docs/viewer.md#queries)::

    query      := or_expr END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" or_expr ")" | condition
    condition  := FIELD ( ("==" | "!=" | "<" | "<=" | ">" | ">=" | "contains") value
                        | "in" list | "not" "in" list | "exists" | "not" "exists" )
    list       := "[" [value ("," value)*] "]"
    value      := NUMBER | STRING | "true" | "false" | "null"
    FIELD      := "config." key | "summary." key | status | tags | project | name | id
                  | created | duration | host | notes | label

Keywords are case-insensitive. A query longer than :data:`MAX_QUERY_CHARS` or nested deeper than
:data:`MAX_DEPTH` (parentheses and ``not``) is refused. Every error is a
:class:`~runicorn.errors.QueryError` with the 1-based column where the text went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from runicorn.errors import QueryError

__all__ = [
    "FIELDS",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "All",
    "Any_",
    "Compare",
    "Exists",
    "InList",
    "Node",
    "Not",
    "QueryError",
    "check_field",
    "looks_like_query",
    "parse",
]

MAX_QUERY_CHARS = 2000
MAX_DEPTH = 50
# Fields named on their own; config.<key> and summary.<key> name a key of those files.
FIELDS = ("status", "tags", "project", "name", "id", "created", "duration", "host", "notes", "label")
KEYED_FIELDS = ("config.", "summary.")
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
KEYWORDS = ("and", "or", "not", "in", "contains", "exists", "true", "false", "null")
EXAMPLE = 'config.lr < 0.01 and summary.val/acc > 0.9 and tags contains "baseline"'
FIELD_HINT = "fields: config.<key>, summary.<key>, " + ", ".join(FIELDS) + f"; e.g. {EXAMPLE}"

Literal = int | float | str | bool | None

# Constant patterns, applied to the query text (never built from it). Both are linear.
_WORD = re.compile(r"[^\W\d][\w./:\-]*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SPACE = " \t\r\n"


@dataclass(frozen=True)
class Compare:
    """``field op value``: op one of :data:`COMPARISONS` or ``contains``."""

    field: str
    op: str
    value: Literal
    column: int


@dataclass(frozen=True)
class InList:
    """``field in [values]`` (``negated``: ``not in``)."""

    field: str
    values: tuple[Literal, ...]
    negated: bool
    column: int


@dataclass(frozen=True)
class Exists:
    """``field exists`` (``negated``: ``not exists``)."""

    field: str
    negated: bool
    column: int


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class All:
    """``a and b and ...``."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    """``a or b or ...``."""

    operands: tuple[Node, ...]


Node = Compare | InList | Exists | Not | All | Any_


@dataclass(frozen=True)
class Token:
    kind: str  # "word" (field or keyword), "number", "string", "op" (== ( [ , ...), "end"
    text: str  # the word lowercased for keywords, the operator, the string's value
    value: Literal
    column: int  # 1-based


def _error(what: str, column: int, hint: str | None = None) -> QueryError:
    return QueryError(f"{what} at column {column}", column, hint or f"a query looks like: {EXAMPLE}")


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of ``text`` one by one, ending with an ``end`` token; QueryError, when reached,
    for a character that starts no token or a string without its closing quote (so an error
    is reported where reading the query from the left first goes wrong)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        col = i + 1
        if c in "\"'":
            text_value, i = _string(text, i)
            yield Token("string", text_value, text_value, col)
            continue
        two = text[i : i + 2]
        if two in ("==", "!=", "<=", ">="):
            yield Token("op", two, None, col)
            i += 2
            continue
        if c in "<>()[],":
            yield Token("op", c, None, col)
            i += 1
            continue
        if c == "=":
            raise _error("'=' is not an operator: compare with '=='", col)
        m = _NUMBER.match(text, i)
        if m is not None and (c.isdigit() or c in "+-."):
            end = m.end()
            if end < n and (text[end].isalnum() or text[end] in "_."):
                raise _error(f"{text[i : end + 1]!r} is not a number", col)
            number = m.group()
            value: Literal = float(number) if any(ch in number for ch in ".eE") else int(number)
            yield Token("number", number, value, col)
            i = end
            continue
        m = _WORD.match(text, i)
        if m is not None:
            word = m.group()
            lowered = word.lower()
            if lowered in KEYWORDS:
                yield Token("word", lowered, None, col)
            else:
                yield Token("word", word, None, col)
            i = m.end()
            continue
        shown = repr(c) if c.isprintable() else f"U+{ord(c):04X}"
        raise _error(f"unexpected character {shown}", col)
    yield Token("end", "", None, n + 1)


def _string(text: str, start: int) -> tuple[str, int]:
    """The quoted string starting at ``start`` (backslash escapes the next character)."""
    quote = text[start]
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        if c == quote:
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise _error(f"the string starting with {quote} is not closed", start + 1)


def check_field(word: str, column: int = 1) -> str:
    """``word`` when it names a field of the grammar, else QueryError."""
    for prefix in KEYED_FIELDS:
        if word.startswith(prefix):
            if len(word) == len(prefix):
                raise _error(f"{word!r} needs a key after the dot", column, FIELD_HINT)
            return word
    if word in FIELDS:
        return word
    raise _error(f"unknown field {word!r}", column, FIELD_HINT)


class _Parser:
    def __init__(self, tokens: Iterator[Token]) -> None:
        self.source = tokens
        self.tokens: list[Token] = []
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        while len(self.tokens) <= self.i:  # tokens are read as the parser gets to them
            self.tokens.append(next(self.source))
        return self.tokens[self.i]

    def is_word(self, word: str) -> bool:
        t = self.tok
        return t.kind == "word" and t.text == word

    def is_op(self, op: str) -> bool:
        t = self.tok
        return t.kind == "op" and t.text == op

    def nest(self, column: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(f"the query is nested deeper than {MAX_DEPTH} levels", column)

    def query(self) -> Node:
        node = self.or_expr()
        if self.is_op(")"):
            raise _error("unexpected ')' without its '('", self.tok.column)
        if self.tok.kind != "end":
            raise _error("expected 'and', 'or' or the end of the query", self.tok.column)
        return node

    def or_expr(self) -> Node:
        return self.joined("or", self.and_expr, Any_)

    def and_expr(self) -> Node:
        return self.joined("and", self.not_expr, All)

    def joined(self, word: str, part: Callable[[], Node], node: Callable[[tuple[Node, ...]], Node]) -> Node:
        """``part`` (``word`` ``part``)*: one part as it is, more as ``node`` of them."""
        parts = [part()]
        while self.is_word(word):
            self.i += 1
            parts.append(part())
        return parts[0] if len(parts) == 1 else node(tuple(parts))

    def not_expr(self) -> Node:
        t = self.tok
        if self.is_word("not"):
            self.nest(t.column)
            self.i += 1
            node: Node = Not(self.not_expr())
            self.depth -= 1
            return node
        if self.is_op("("):
            self.nest(t.column)
            self.i += 1
            node = self.or_expr()
            if not self.is_op(")"):
                raise _error(f"expected ')' closing the '(' at column {t.column}", self.tok.column)
            self.i += 1
            self.depth -= 1
            return node
        return self.condition()

    def condition(self) -> Node:
        t = self.tok
        if t.kind != "word" or t.text in KEYWORDS:
            raise _error("expected a field", t.column, FIELD_HINT)
        field = check_field(t.text, t.column)
        self.i += 1
        op = self.tok
        if op.kind == "op" and op.text in COMPARISONS:
            self.i += 1
            return Compare(field, op.text, self.value(), t.column)
        if self.is_word("contains"):
            self.i += 1
            return Compare(field, "contains", self.value(), t.column)
        if self.is_word("exists"):
            self.i += 1
            return Exists(field, False, t.column)
        if self.is_word("in"):
            self.i += 1
            return InList(field, self.list(), False, t.column)
        if self.is_word("not"):
            self.i += 1
            if self.is_word("in"):
                self.i += 1
                return InList(field, self.list(), True, t.column)
            if self.is_word("exists"):
                self.i += 1
                return Exists(field, True, t.column)
            raise _error("expected 'in' or 'exists' after 'not'", self.tok.column)
        raise _error(
            f"expected an operator after {field} (==, !=, <, <=, >, >=, contains, in, not in, exists)",
            op.column,
        )

    def list(self) -> tuple[Literal, ...]:
        if not self.is_op("["):
            raise _error(
                "expected '[' starting a list of values",
                self.tok.column,
                'e.g. status in ["failed", "crashed"]',
            )
        self.i += 1
        values: list[Literal] = []
        if self.is_op("]"):
            self.i += 1
            return ()
        while True:
            values.append(self.value())
            if self.is_op(","):
                self.i += 1
                continue
            if self.is_op("]"):
                self.i += 1
                return tuple(values)
            raise _error("expected ',' or ']' in the list", self.tok.column)

    def value(self) -> Literal:
        t = self.tok
        if t.kind in ("number", "string"):
            self.i += 1
            return t.value
        if t.kind == "word" and t.text in ("true", "false", "null"):
            self.i += 1
            return {"true": True, "false": False, "null": None}[t.text]
        raise _error(
            "expected a value",
            t.column,
            'a value is a number (3, 0.01, 1e-3), a "string" in quotes, true, false or null',
        )


@lru_cache(maxsize=256)
def parse(text: str) -> Node:
    """The tree of ``text``; QueryError (with its column) when it is not a query."""
    if not isinstance(text, str):
        raise QueryError("a query must be text", 1)
    if len(text) > MAX_QUERY_CHARS:
        raise _error(
            f"the query is {len(text)} characters long, more than {MAX_QUERY_CHARS}", MAX_QUERY_CHARS + 1
        )
    if not text.strip(_SPACE):
        raise _error("the query is empty", 1)
    return _Parser(tokenize(text)).query()


_QUERY_MARKS = set("=!<>()[]")


def looks_like_query(text: str) -> bool:
    """Whether a ``q`` that did not parse was meant as a query (its error is then answered)
    rather than words to search: it holds one of ``= ! < > ( ) [ ]`` outside quotes, the word
    ``contains`` or ``exists``, or starts with ``config.`` or ``summary.``."""
    stripped = text.strip()
    if stripped.lower().startswith(KEYED_FIELDS):
        return True
    outside, quote = [], ""
    for c in stripped:
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        else:
            outside.append(c)
    bare = "".join(outside)
    if _QUERY_MARKS.intersection(bare):
        return True
    words = bare.lower().split()
    return "contains" in words or "exists" in words
