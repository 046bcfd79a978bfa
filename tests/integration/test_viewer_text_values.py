"""The viewer's API for the text, null and list values of a run logged through runicorn.wandb
(docs/api.md#get-apirunskeytext-values) against a real uvicorn: the values by step, pages, bad
arguments, and the charts' series of the same run unbroken."""

from __future__ import annotations

from pathlib import Path

import httpx

import runicorn.wandb as wandb


def get(base: str, url: str, **params: object) -> httpx.Response:
    return httpx.get(base + url, params=params, timeout=30)  # type: ignore[arg-type]


def test_text_values_by_step_beside_the_charted_numbers(storage_root: Path, live_viewer) -> None:
    settings = wandb.Settings(console="off", x_disable_stats=True, silent=True)
    run = wandb.init(project="text", name="wb", dir=str(storage_root), settings=settings)
    wandb.log({"phase": "warmup", "loss": 1.0})
    for i in range(30):
        wandb.log({"phase": "train", "loss": 0.5 / (i + 1), "note": None if i % 2 else f"epoch {i}"})
    wandb.finish()
    base = live_viewer(storage_root)
    answer = get(base, f"/api/runs/{run.id}/text-values", limit=2).json()
    by_key = {item["key"]: item for item in answer["keys"]}
    assert sorted(by_key) == ["note", "phase"] and answer["malformed"] == 0
    assert by_key["phase"]["count"] == 31 and by_key["phase"]["start"] == 29
    assert [r["step"] for r in by_key["phase"]["rows"]] == [29, 30]
    page = get(base, f"/api/runs/{run.id}/text-values", metric="phase", start=0, limit=2).json()
    assert [(r["step"], r["value"]) for r in page["keys"][0]["rows"]] == [(0, "warmup"), (1, "train")]
    notes = get(base, f"/api/runs/{run.id}/text-values", metric="note", start=0, limit=2).json()
    assert [r["value"] for r in notes["keys"][0]["rows"]] == ["epoch 0", None]
    for bad in ({"limit": 0}, {"limit": 5000}, {"start": 3}, {"metric": "phase", "start": -1}):
        response = get(base, f"/api/runs/{run.id}/text-values", **bad)
        assert response.status_code == 400, bad
    # the charts' series: the text keys are no metric keys, asking for one answers no points
    metrics = get(base, f"/api/runs/{run.id}/metrics", keys="loss,phase,note").json()
    assert metrics["keys"] == ["loss"] and metrics["series"]["loss"]["count"] == 31
    assert metrics["series"]["phase"] == {"x": [], "y": [], "count": 0, "downsampled": False}
    detail = get(base, f"/api/runs/{run.id}").json()
    assert detail["metric_keys"] == ["loss"] and detail["malformed_lines"] == 0
    assert get(base, f"/api/runs/{run.id}/metrics.csv").status_code == 200
