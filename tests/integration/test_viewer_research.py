"""The research view's API over a real viewer and runs written by the SDK: queries in ``q``,
sorting by any field, labels, ``columns``, ``/api/runs/columns``, ``/api/runs/table`` and
``/api/metrics/grouped`` (docs/api.md#research)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import orjson
import pytest

import runicorn
from runicorn import format as fmt


def write(root: Path, name: str, config: dict, losses: dict[int, float], **kwargs) -> str:
    run = runicorn.init(
        project="p",
        name=name,
        storage=root,
        config=config,
        capture_console=False,
        system_metrics=False,
        **kwargs,
    )
    for step, loss in losses.items():
        run.log({"loss": loss}, step=step)
    run.summary({"val/acc": config.get("lr", 0) * 10, "best": {"epoch": 3}})
    run.finish()
    return run.id


@pytest.fixture
def research_root(storage_root: Path) -> tuple[Path, dict[str, str]]:
    ids = {
        "a": write(
            storage_root,
            "mlp",
            {"lr": 0.01, "bs": 32, "opt": {"name": "adam"}},
            {1: 1.0, 2: 0.5},
            tags=["base"],
        ),
        "b": write(storage_root, "mlp", {"lr": 0.01, "bs": 64, "opt": {"name": "sgd"}}, {1: 3.0, 3: 1.0}),
        "c": write(
            storage_root, "mlp", {"lr": 0.1, "bs": 64, "opt": {"name": "sgd"}}, {2: 2.0}, tags=["base", "x"]
        ),
        "d": write(storage_root, "cnn", {"lr": 0.1}, {1: 7.0}),
    }
    return storage_root, ids


def get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


def keys_of(answer: dict) -> set[str]:
    return {r["key"] for r in answer["runs"]}


def test_q_filters_with_the_grammar_and_plain_words_still_search(research_root, live_viewer) -> None:
    root, ids = research_root
    base = live_viewer(root)
    assert keys_of(get(base, "/api/runs", q="config.lr < 0.05").json()) == {ids["a"], ids["b"]}
    assert keys_of(get(base, "/api/runs", q='config.opt.name == "sgd" and config.bs >= 64').json()) == {
        ids["b"],
        ids["c"],
    }
    assert keys_of(get(base, "/api/runs", q='tags contains "base" or name == "cnn"').json()) == {
        ids["a"],
        ids["c"],
        ids["d"],
    }
    assert keys_of(get(base, "/api/runs", q="summary.val/acc > 0.5").json()) == {ids["c"], ids["d"]}
    assert keys_of(get(base, "/api/runs", q="config.bs not exists").json()) == {ids["d"]}
    assert keys_of(get(base, "/api/runs", q='config.lr == "0.01"').json()) == set()  # number vs string
    assert keys_of(get(base, "/api/runs", q="CNN").json()) == {ids["d"]}  # plain words: substring
    assert keys_of(get(base, "/api/runs", q="config.__class__ exists").json()) == set()


def test_a_query_error_answers_400_with_its_column(research_root, live_viewer) -> None:
    root, _ = research_root
    base = live_viewer(root)
    for path in ("/api/runs", "/api/runs/columns", "/api/runs/table"):
        r = get(base, path, q="config.lr < ")
        assert r.status_code == 400
        body = r.json()
        assert body["status"] == 400 and body["column"] == 13
        assert body["error"] == "expected a value at column 13" and body["hint"]
    assert get(base, "/api/runs", q="__import__('os').system('x')").json()["column"] == 1


def test_sort_by_a_config_key_puts_runs_without_it_last(research_root, live_viewer) -> None:
    root, ids = research_root
    base = live_viewer(root)
    up = [r["key"] for r in get(base, "/api/runs", sort="config.bs", order="asc").json()["runs"]]
    down = [r["key"] for r in get(base, "/api/runs", sort="config.bs", order="desc").json()["runs"]]
    assert up[0] == ids["a"] and up[-1] == ids["d"]
    assert down[-1] == ids["d"] and down[2] == ids["a"]
    assert get(base, "/api/runs", sort="colour").status_code == 400


def test_rows_carry_labels_and_the_asked_values(research_root, live_viewer) -> None:
    root, ids = research_root
    base = live_viewer(root)
    answer = get(base, "/api/runs", columns="config.lr,config.opt.name,summary.best.epoch,tags").json()
    rows = {r["key"]: r for r in answer["runs"]}
    assert rows[ids["d"]]["label"] == "cnn"
    mlp_labels = {rows[ids[k]]["label"] for k in "abc"}
    assert len(mlp_labels) == 3 and all(label.startswith("mlp ") for label in mlp_labels)
    assert rows[ids["a"]]["label"] == "mlp lr=0.01 name=adam bs=32"  # the chosen columns' keys first
    assert rows[ids["a"]]["values"] == {
        "config.lr": 0.01,
        "config.opt.name": "adam",
        "summary.best.epoch": 3,
        "tags": '["base"]',
    }
    assert rows[ids["d"]]["values"]["config.opt.name"] is None
    # Labels are made over the filtered runs: a lone mlp run is just "mlp".
    alone = get(base, "/api/runs", q="config.bs == 32").json()["runs"]
    assert [r["label"] for r in alone] == ["mlp"]


def test_columns_lists_keys_with_their_spread(research_root, live_viewer) -> None:
    root, _ = research_root
    base = live_viewer(root)
    answer = get(base, "/api/runs/columns").json()
    assert answer["total"] == 4
    cols = {c["name"]: c for c in answer["columns"]}
    assert cols["config.lr"] == {
        "name": "config.lr",
        "type": "number",
        "count": 4,
        "distinct": 2,
        "differs": True,
    }
    assert cols["config.opt.name"]["type"] == "string" and cols["config.opt.name"]["count"] == 3
    assert cols["summary.best.epoch"] == {
        "name": "summary.best.epoch",
        "type": "number",
        "count": 4,
        "distinct": 1,
        "differs": False,
        "goal": "maximize",
        "goal_from": "name",
    }
    only_sgd = get(base, "/api/runs/columns", q='config.opt.name == "sgd"').json()
    assert only_sgd["total"] == 2
    assert {c["name"]: c["differs"] for c in only_sgd["columns"]}["config.bs"] is False


def test_table_answers_columns_for_every_matching_run(research_root, live_viewer) -> None:
    root, ids = research_root
    base = live_viewer(root)
    answer = get(
        base, "/api/runs/table", columns="config.lr,config.bs,summary.val/acc", sort="config.bs", order="asc"
    ).json()
    assert answer["keys"] == [ids["a"], *answer["keys"][1:3], ids["d"]]
    assert answer["columns"]["config.bs"] == [32, 64, 64, None]
    assert answer["columns"]["summary.val/acc"][0] == pytest.approx(0.1)
    assert len(answer["labels"]) == 4 and answer["total"] == 4
    assert get(base, "/api/runs/table", columns="config.lr,nope").status_code == 400


def test_grouped_metric_mean_and_band_by_hand(research_root, live_viewer) -> None:
    root, ids = research_root
    base = live_viewer(root)
    answer = get(base, "/api/metrics/grouped", q='name == "mlp"', by="config.lr", key="loss").json()
    groups = {g["label"]: g for g in answer["groups"]}
    assert list(groups) == ["lr=0.01", "lr=0.1"]
    g = groups["lr=0.01"]
    # a: steps 1, 2 -> 1.0, 0.5; b: steps 1, 3 -> 3.0, 1.0 (its value at step 2 is its step-1 value).
    assert set(g["runs"]) == {ids["a"], ids["b"]} and g["value"] == 0.01
    assert g["x"] == [1, 2, 3]
    assert g["mean"] == [2.0, 1.75, 1.0]
    assert g["lo"] == [1.0, 0.5, 1.0] and g["hi"] == [3.0, 3.0, 1.0]
    assert g["count"] == [2, 2, 1]
    std = get(base, "/api/metrics/grouped", q='name == "mlp"', by="config.lr", key="loss", band="std").json()
    s = {x["label"]: x for x in std["groups"]}["lr=0.01"]
    assert s["lo"][0] == pytest.approx(1.0) and s["hi"][0] == pytest.approx(3.0)
    by_tag = get(base, "/api/metrics/grouped", by="tags", key="loss").json()
    assert [grp["label"] for grp in by_tag["groups"]] == ["base", "x", "no tags"]
    assert by_tag["groups"][0]["mean"] == [1.0, 1.25]  # a (1.0, 0.5) and c (2.0 at step 2)


def test_existing_run_keys_named_like_the_new_routes_are_not_shadowed(research_root, live_viewer) -> None:
    root, ids = research_root
    base = live_viewer(root)
    assert get(base, f"/api/runs/{ids['a']}").json()["config"]["bs"] == 32


def test_grouped_answers_every_run_past_the_old_cap_of_500(storage_root: Path, live_viewer) -> None:
    first = write(storage_root, "many", {"lr": 0}, {1: 1.0, 2: 0.5, 3: 0.25})
    source = fmt.run_dir(storage_root, "p", "many", first)
    meta = orjson.loads((source / fmt.META_FILE).read_bytes())
    ids = {first}
    for i in range(1, 520):  # copies of an SDK run, as an import or a mirror brings them
        run_id = f"20260101_000000_{i:06x}"
        copy = fmt.run_dir(storage_root, "p", "many", run_id)
        shutil.copytree(source, copy)
        (copy / fmt.META_FILE).write_bytes(orjson.dumps({**meta, "id": run_id}))
        (copy / fmt.CONFIG_FILE).write_bytes(orjson.dumps({"lr": i % 4}))
        ids.add(run_id)
    base = live_viewer(storage_root)
    answer = get(base, "/api/metrics/grouped", by="config.lr", key="loss").json()
    assert answer["runs_total"] == 520 and answer["truncated"] is False
    assert {r for g in answer["groups"] for r in g["runs"]} == ids
    for group in answer["groups"]:
        assert group["x"] == [1, 2, 3] and group["mean"] == [1.0, 0.5, 0.25]
        assert group["count"] == [len(group["runs"])] * 3


def test_grouped_follows_what_a_live_run_logs_after_an_answer(storage_root: Path, live_viewer) -> None:
    write(storage_root, "mlp", {"lr": 0.1}, {1: 4.0})
    run = runicorn.init(
        project="p",
        name="mlp",
        storage=storage_root,
        config={"lr": 0.1},
        capture_console=False,
        system_metrics=False,
    )
    run.log({"loss": 2.0}, step=1)
    run.flush()
    base = live_viewer(storage_root)
    before = get(base, "/api/metrics/grouped", by="config.lr", key="loss").json()["groups"][0]
    assert before["x"] == [1] and before["mean"] == [3.0]
    run.log({"loss": 1.0}, step=2)
    run.flush()
    after = get(base, "/api/metrics/grouped", by="config.lr", key="loss").json()["groups"][0]
    run.finish()
    assert after["x"] == [1, 2] and after["mean"] == [3.0, 1.0]  # step 2: the live run alone
