"""Turns a query tree (:mod:`runicorn.store.query.grammar`) into a predicate over runs, once per query
text: the tree is walked a single time into nested closures (cached by the text), so testing
10,000 runs calls small functions and never looks at the tree again.

The rules (docs/viewer.md#queries): a field the run does not have never matches (``not``
inverts the result, so ``not config.lr > 1`` matches runs without ``lr``); a number compared
with a string, a bool or null, or the other way round, never matches; ``contains`` is a
case-insensitive substring of a string, or an element of a list (``tags``); ``==`` on a list
matches when an element is equal, ``!=`` when none is. ``created`` compared with a string reads
it as an ISO date or time in local time (``created > "2026-01-31"``).

:func:`run_filter` is what ``?q=`` uses: a query when the text parses as one, the old
substring search when it is plain words.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from runicorn.errors import QueryError
from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.fields import MISSING, FieldContext, getter
from runicorn.store.query.grammar import (
    All,
    Any_,
    Compare,
    Exists,
    InList,
    Literal,
    Node,
    Not,
    looks_like_query,
    parse,
)

__all__ = ["CompiledQuery", "Predicate", "compile_query", "run_filter", "search_text"]

Predicate = Callable[[RunInfo, FieldContext], bool]
_Test = Callable[[Any], bool]
_NUMBERS = (int, float)
_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class CompiledQuery:
    """A query ready to test runs: ``test(run, ctx)``; ``fields``: the fields it reads."""

    text: str
    test: Predicate
    fields: frozenset[str]

    @property
    def needs_labels(self) -> bool:
        return "label" in self.fields


@lru_cache(maxsize=256)
def compile_query(text: str) -> CompiledQuery:
    """The predicate of query ``text`` (cached by the text); QueryError when it does not parse."""
    tree = parse(text)
    fields: set[str] = set()
    return CompiledQuery(text, _build(tree, fields), frozenset(fields))


def run_filter(q: str | None, where: str | None = None) -> CompiledQuery | None:
    """What ``?q=`` and ``?where=`` filter by, together (a run passes both)."""
    words = _words_or_query(q)
    if where is None or not where.strip():
        return words
    extra = compile_query(where)
    if words is None:
        return extra
    first, second = words.test, extra.test
    return CompiledQuery(
        f"({words.text}) and ({extra.text})",
        lambda run, ctx: first(run, ctx) and second(run, ctx),
        words.fields | extra.fields,
    )


def _words_or_query(q: str | None) -> CompiledQuery | None:
    """What ``?q=`` filters by: None for an empty text; the query when the text parses as one;
    otherwise, when it looks like no query (:func:`~runicorn.store.query.grammar.looks_like_query`),
    a case-insensitive substring search over key, id, project, name, alias, tags and notes.
    Raises QueryError for a text that looks like a query but does not parse."""
    text = q or ""
    if not text.strip():
        return None
    try:
        return compile_query(text)  # as given: error columns count from its first character
    except QueryError:
        if looks_like_query(text):
            raise
    needle = text.strip().lower()
    return CompiledQuery(text, lambda run, ctx: needle in search_text(run), frozenset())


def search_text(run: RunInfo) -> str:
    """What the plain-words search looks in, lowercased."""
    alias = run.meta.get("alias")
    parts = [run.key, run.id, run.project, run.name, run.notes, *run.tags]
    if isinstance(alias, str):
        parts.append(alias)
    return "\n".join(parts).lower()


# --- building the closures ---------------------------------------------------------------------
def _build(node: Node, fields: set[str]) -> Predicate:
    if isinstance(node, All):
        parts = tuple(_build(n, fields) for n in node.operands)

        def all_of(run: RunInfo, ctx: FieldContext) -> bool:
            for part in parts:
                if not part(run, ctx):
                    return False
            return True

        return all_of
    if isinstance(node, Any_):
        parts = tuple(_build(n, fields) for n in node.operands)

        def any_of(run: RunInfo, ctx: FieldContext) -> bool:
            for part in parts:
                if part(run, ctx):
                    return True
            return False

        return any_of
    if isinstance(node, Not):
        inner = _build(node.operand, fields)
        return lambda run, ctx: not inner(run, ctx)
    fields.add(node.field)
    get = getter(node.field)
    test = _test_of(node)
    return lambda run, ctx: test(get(run, ctx))


def _test_of(node: Compare | InList | Exists) -> _Test:
    if isinstance(node, Exists):
        if node.negated:
            return lambda v: v is MISSING
        return lambda v: v is not MISSING
    if isinstance(node, InList):
        values = [_literal_for(node.field, v) for v in node.values]
        return _in_test(values, node.negated)
    return _compare_test(node.op, _literal_for(node.field, node.value))


def _literal_for(field: str, value: Literal) -> Literal:
    """``created`` compared with an ISO date: the date as unix seconds (local time)."""
    if field == "created" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except (ValueError, OverflowError, OSError):
            return value
    return value


def _same_kind(literal: Literal) -> _Test:
    """Whether a run's value is of the literal's kind (number, string, bool, null)."""
    if literal is None:
        return lambda v: v is None
    if isinstance(literal, bool):
        return lambda v: v.__class__ is bool
    if isinstance(literal, str):
        return lambda v: v.__class__ is str
    return lambda v: v.__class__ in _NUMBERS


def _equal(literal: Literal) -> _Test:
    """Equal and of the same kind (``1 == true`` is not, as Python would have it)."""
    if literal is None:
        return lambda v: v is None
    if isinstance(literal, bool):
        return lambda v: v is literal
    if isinstance(literal, str):
        return lambda v: v.__class__ is str and v == literal
    return lambda v: v.__class__ in _NUMBERS and v == literal


def _compare_test(op: str, literal: Literal) -> _Test:
    equal = _equal(literal)
    if op == "==":
        return lambda v: any(map(equal, v)) if v.__class__ is list else equal(v)
    if op == "!=":
        kind = _same_kind(literal)
        return lambda v: (not any(map(equal, v))) if v.__class__ is list else (kind(v) and not equal(v))
    if op == "contains":
        if isinstance(literal, str):
            needle = literal.lower()
            return lambda v: (
                any(map(equal, v)) if v.__class__ is list else (v.__class__ is str and needle in v.lower())
            )
        return lambda v: v.__class__ is list and any(map(equal, v))
    order = _ORDER[op]
    if literal is None or isinstance(literal, bool):
        return lambda v: False  # null and booleans have no order
    kind = _same_kind(literal)
    return lambda v: kind(v) and order(v, literal)


def _in_key(value: Any) -> tuple[str, Any] | None:
    """A hashable key equal for equal values of the same kind (None for lists and objects)."""
    cls = value.__class__
    if cls is bool:
        return ("b", value)
    if cls in _NUMBERS:
        return ("n", value)
    if cls is str:
        return ("s", value)
    if value is None:
        return ("z", None)
    return None


def _in_test(values: list[Literal], negated: bool) -> _Test:
    keys = {_in_key(v) for v in values}
    keys.discard(None)

    def found(v: Any) -> bool:
        if v.__class__ is list:
            return any(_in_key(e) in keys for e in v)
        return _in_key(v) in keys

    if negated:
        return lambda v: v is not MISSING and not found(v)
    return found
