"""The run query grammar (runicorn/store/query/grammar.py) and its evaluator (evaluation.py) over runs
written by the SDK: every form, errors with their exact column, and hostile input
(docs/viewer.md#queries)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from runicorn.errors import QueryError
from runicorn.store.index.run_index import RunIndex
from runicorn.store.query.evaluation import compile_query, run_filter
from runicorn.store.query.fields import FieldContext
from runicorn.store.query.grammar import MAX_DEPTH, MAX_QUERY_CHARS, parse
from runicorn.store.query.run_filter import RunFilter


@pytest.fixture
def index(make_run, storage_root: Path) -> RunIndex:
    make_run(
        name="mlp", steps=3, config={"lr": 0.01, "opt": {"name": "adam"}, "layers": [1, 2]}, tags=["base"]
    )
    make_run(name="mlp", steps=3, config={"lr": 0.1, "opt": {"name": "sgd"}, "flag": True})
    make_run(name="cnn", steps=3, config={"lr": 1e-3, "note": "Résumé ✓"}, notes="first try")
    return RunIndex(storage_root)


def names(index: RunIndex, q: str) -> list[str]:
    runs = index.query(RunFilter(q=q, sort="config.lr", descending=False), limit=None).runs
    return [f"{r.name}:{r.config['lr']}" for r in runs]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("config.lr < 0.05", ["cnn:0.001", "mlp:0.01"]),
        ("config.lr >= 0.01 and config.lr <= 0.01", ["mlp:0.01"]),
        ("config.lr != 0.1", ["cnn:0.001", "mlp:0.01"]),
        ('config.opt.name == "sgd"', ["mlp:0.1"]),
        ("config.opt.name == 'adam' or name == \"cnn\"", ["cnn:0.001", "mlp:0.01"]),
        ('tags contains "base"', ["mlp:0.01"]),
        ('tags == "base"', ["mlp:0.01"]),
        ('tags != "base"', ["cnn:0.001", "mlp:0.1"]),
        ('notes contains "FIRST"', ["cnn:0.001"]),
        ('config.note contains "résumé ✓"', ["cnn:0.001"]),
        ("config.layers contains 2", ["mlp:0.01"]),
        ("config.lr in [0.1, 1e-3]", ["cnn:0.001", "mlp:0.1"]),
        ('config.opt.name not in ["adam"]', ["mlp:0.1"]),  # cnn has no opt.name: no match
        ("config.flag == true", ["mlp:0.1"]),
        ("config.flag == 1", []),  # a bool is not a number
        ('config.lr > "0"', []),  # a number and a string never match
        ("config.flag exists", ["mlp:0.1"]),
        ("config.flag not exists", ["cnn:0.001", "mlp:0.01"]),
        ("not config.flag exists and not (name == 'cnn')", ["mlp:0.01"]),
        ("NOT config.lr > 0.05 AND status == 'finished'", ["cnn:0.001", "mlp:0.01"]),
        (
            "summary.best_acc > 0.5 and duration >= 0 and created > '2000-01-01'",
            ["cnn:0.001", "mlp:0.01", "mlp:0.1"],
        ),
        ("config.missing == null or config.missing != null", []),  # missing never matches
        ("config.__class__ exists or config.__dict__ == 1", []),
        ("label == 'cnn'", ["cnn:0.001"]),
        ("cnn", ["cnn:0.001"]),  # plain words: the old substring search
        ("trained in fp16", []),
    ],
)
def test_queries_select_the_runs_a_user_means(index: RunIndex, query: str, expected: list[str]) -> None:
    assert names(index, query) == expected


@pytest.mark.parametrize(
    ("query", "column", "says"),
    [
        ("config.lr < ", 13, "expected a value"),
        ("config.lr", 10, "expected an operator"),
        ("config.lr = 1", 11, "'=' is not an operator"),
        ("colour == 1", 1, "unknown field 'colour'"),
        ("config. == 1", 1, "needs a key"),
        ("(status == 'x'", 15, "expected ')'"),
        ("status == 'x')", 14, "unexpected ')'"),
        ("status == 'x", 11, "not closed"),
        ("status in 'x'", 11, "expected '['"),
        ("status in ['x' 'y']", 16, "expected ',' or ']'"),
        ("status == 'x' status == 'y'", 15, "expected 'and', 'or'"),
        ("config.lr > 1abc", 13, "is not a number"),
        ("config.lr not 3", 15, "expected 'in' or 'exists'"),
        ("status == 'a' and", 18, "expected a field"),
        ("   ", 1, "empty"),
    ],
)
def test_errors_point_at_the_column(query: str, column: int, says: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.column == column
    assert says in caught.value.message and caught.value.message.endswith(f"at column {column}")
    assert caught.value.hint


@pytest.mark.parametrize(
    ("query", "column", "says"),
    [
        ("__import__('os').system('touch pwned')", 1, "unknown field '__import__'"),
        ("config.lr == eval('1')", 14, "expected a value"),
        ("status == 'a'\x00", 14, "U+0000"),
        ("(" * (MAX_DEPTH + 5) + "status == 'a'" + ")" * (MAX_DEPTH + 5), MAX_DEPTH + 1, "nested deeper"),
        ("not " * 10_000 + "status == 'a'", MAX_QUERY_CHARS + 1, "more than"),
        ("status == '" + "a" * 1_000_000 + "'", MAX_QUERY_CHARS + 1, "more than"),
        ("config.lr == 1 ; import os", 16, "unexpected character ';'"),
    ],
)
def test_hostile_queries_are_refused_quickly_and_run_nothing(
    query: str, column: int, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    with pytest.raises(QueryError) as caught:
        run_filter(query)
    assert time.monotonic() - start < 5
    assert caught.value.column == column and says in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_deep_but_allowed_nesting_and_long_chains_evaluate(index: RunIndex) -> None:
    deep = "(" * MAX_DEPTH + "name == 'cnn'" + ")" * MAX_DEPTH
    assert names(index, deep) == ["cnn:0.001"]
    chain = " or ".join(["config.lr == 5"] * 100) + " or name == 'cnn'"
    assert len(chain) < MAX_QUERY_CHARS and names(index, chain) == ["cnn:0.001"]


def test_a_query_is_compiled_once_per_text(index: RunIndex) -> None:
    assert compile_query("config.lr < 1") is compile_query("config.lr < 1")
    runs = index.runs()
    test = compile_query("config.lr < 1").test
    assert all(test(r, FieldContext(time.time())) for r in runs)
