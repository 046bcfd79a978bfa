"""The viewer's read API (docs/api.md) against a real uvicorn and runs written by the SDK."""

from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fake_nvml import FakeGpu, FakeNvml  # type: ignore[import-not-found]

from runicorn import format as fmt
from runicorn.sdk.run import Run
from runicorn.sdk.sink import RunRequest
from runicorn.settings import resolve

sys.path.insert(0, str(Path(__file__).parent))
from viewer_runs import copy_pypi_runs, hostile_run, sdk_run  # noqa: E402


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "storage"
    r.mkdir()
    return r


def get(base: str, path: str, **params: object) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)  # type: ignore[arg-type]


def test_run_list_filters_sorts_and_pages(root: Path, live_viewer) -> None:
    a = sdk_run(root, "vision", "resnet", tags=["baseline"], summary={"best_acc": 0.5})
    b = sdk_run(root, "vision", "vit", tags=["big"], notes="try the wide one", summary={"best_acc": 0.9})
    c = sdk_run(root, "nlp", "bert", status="failed", summary={"best_acc": 0.7})
    base = live_viewer(root)

    everything = get(base, "/api/runs").json()
    assert everything["total"] == 3 and {r["key"] for r in everything["runs"]} == {a.id, b.id, c.id}
    assert "config" not in everything["runs"][0]  # list rows stay lean
    assert [
        r["key"] for r in get(base, "/api/runs", project="vision", sort="summary.best_acc").json()["runs"]
    ] == [b.id, a.id]
    assert [r["key"] for r in get(base, "/api/runs", status="failed").json()["runs"]] == [c.id]
    assert [r["key"] for r in get(base, "/api/runs", tag="big").json()["runs"]] == [b.id]
    assert [r["key"] for r in get(base, "/api/runs", q="WIDE").json()["runs"]] == [b.id]
    page = get(base, "/api/runs", sort="summary.best_acc", order="asc", limit=1, offset=1).json()
    assert page["total"] == 3 and [r["key"] for r in page["runs"]] == [c.id]
    names = get(base, "/api/projects/vision/names/vit/runs").json()
    assert [r["key"] for r in names["runs"]] == [b.id]


def test_projects_and_names_count_runs(root: Path, live_viewer) -> None:
    sdk_run(root, "vision", "resnet")
    sdk_run(root, "vision", "resnet")
    sdk_run(root, "nlp", "bert")
    base = live_viewer(root)
    projects = {p["name"]: p["run_count"] for p in get(base, "/api/projects").json()["projects"]}
    assert projects == {"vision": 2, "nlp": 1}
    names = get(base, "/api/projects/vision/names").json()["names"]
    assert [(n["name"], n["run_count"]) for n in names] == [("resnet", 2)]


def test_run_detail_has_config_summary_keys_and_media_count(root: Path, live_viewer) -> None:
    run = sdk_run(root)
    detail = get(live_viewer(root), f"/api/runs/{run.id}").json()
    assert detail["status"] == "finished"
    assert detail["config"] == {"lr": 0.01, "depth": 18}
    assert detail["summary"]["best_acc"] == pytest.approx(0.95)
    assert detail["metric_keys"] == ["acc", "loss"]
    assert detail["media_count"] == 1 and detail["warnings"] == []


def test_metrics_are_downsampled_keep_spikes_and_poll_with_since(root: Path, live_viewer) -> None:
    import runicorn

    run = runicorn.init(project="p", name="live", storage=root, capture_console=False, system_metrics=False)
    for step in range(1000):
        run.log({"loss": 1000.0 if step == 537 else 1.0}, step=step, stage="train" if step < 800 else "eval")
    run.flush()
    base = live_viewer(root)
    first = get(base, f"/api/runs/{run.id}/metrics", keys="loss", max_points=50).json()
    loss = first["series"]["loss"]
    assert loss["count"] == 1000 and loss["downsampled"] and len(loss["x"]) <= 50
    assert max(loss["y"]) == 1000.0 and 537 in loss["x"]  # the spike survives downsampling
    assert [s["stage"] for s in first["stages"]] == ["train", "eval"]

    for step in range(1000, 1010):
        run.log({"loss": 2.0}, step=step)
    run.flush()
    newer = get(base, f"/api/runs/{run.id}/metrics", keys="loss", since=first["offset"]).json()
    assert newer["series"]["loss"]["x"] == list(range(1000, 1010))
    assert newer["offset"] > first["offset"]
    run.finish()


def test_metrics_csv_is_a_full_download(root: Path, live_viewer) -> None:
    run = sdk_run(root, steps=30)
    response = get(live_viewer(root), f"/api/runs/{run.id}/metrics.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 30 and rows[3]["step"] == "3" and float(rows[3]["loss"]) == pytest.approx(0.25)


def test_compare_overlays_one_metric_of_several_runs(root: Path, live_viewer) -> None:
    a, b = sdk_run(root, steps=10), sdk_run(root, steps=20)
    answer = get(live_viewer(root), "/api/compare", ids=f"{a.id},{b.id},nope", keys="loss").json()
    assert answer["missing"] == ["nope"]
    assert [(r["run"], r["count"]) for r in answer["metrics"]["loss"]] == [(a.id, 10), (b.id, 20)]


def test_logs_page_and_media_file(root: Path, live_viewer) -> None:
    run = sdk_run(root)
    base = live_viewer(root)
    logs = get(base, f"/api/runs/{run.id}/logs").json()
    assert logs["lines"][-1].endswith("trained 20 steps") and logs["more"] is False
    again = get(base, f"/api/runs/{run.id}/logs", offset=logs["offset"]).json()
    assert again["lines"] == []
    media = get(base, f"/api/runs/{run.id}/media").json()
    (image,) = media["images"]
    assert image["caption"] == "last"
    png = get(base, f"/api/runs/{run.id}/media/{image['path']}")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_malformed_files_give_partial_data_and_warnings(root: Path, live_viewer) -> None:
    hostile_run(root)
    base = live_viewer(root)
    key = "20261123_000000_bad000"
    detail = get(base, f"/api/runs/{key}")
    assert detail.status_code == 200
    assert any("summary.json" in w for w in detail.json()["warnings"])
    assert detail.json()["config"] == {"lr": None, "clip": None, "nested": {"x": None}}  # NaN/inf: null
    metrics = get(base, f"/api/runs/{key}/metrics").json()
    assert metrics["series"]["loss"]["y"] == [0.5, 0.25]  # the truncated last line waits, junk skipped
    assert metrics["malformed"] == 2 and metrics["warnings"]
    logs = get(base, f"/api/runs/{key}/logs").json()
    assert len(logs["lines"]) == 2 and logs["warnings"]  # the partial last line is not shown yet
    assert get(base, f"/api/runs/{key}/metrics.csv").status_code == 200
    assert get(base, "/api/runs").json()["total"] == 1


def test_runs_written_by_pypi_runicorn_are_listed_and_charted(root: Path, live_viewer) -> None:
    ids = copy_pypi_runs(root)
    if not ids:
        pytest.skip("tests/data/pypi-0.7.2 fixtures not present")
    base = live_viewer(root)
    listed = {r["key"]: r for r in get(base, "/api/runs", limit=100).json()["runs"]}
    assert set(ids) <= set(listed)
    for run_id in ids:
        assert listed[run_id]["project"] == "vision"
        assert get(base, f"/api/runs/{run_id}").status_code == 200
        assert get(base, f"/api/runs/{run_id}/metrics").json()["keys"]


def test_gpu_state_through_nvml(root: Path, live_viewer) -> None:
    answer = get(live_viewer(root, nvml=FakeNvml()), "/api/gpu").json()
    assert answer["available"] is True
    (gpu,) = answer["gpus"]
    assert gpu["name"] == "Fake A100" and gpu["util_percent"] == 87.0 and gpu["power_w"] == 250.0


def test_gpu_without_driver_says_so(root: Path, live_viewer) -> None:
    def no_library() -> None:
        raise OSError("NVML Shared Library Not Found")

    answer = get(live_viewer(root, nvml=SimpleNamespace(nvmlInit=no_library)), "/api/gpu").json()
    assert answer["available"] is False and answer["reason"].startswith("no NVIDIA GPU/driver found")


def test_system_history_of_a_run_sampled_by_the_sdk(root: Path, live_viewer) -> None:
    settings = resolve(storage=str(root), system_interval_s=0.05)
    run = Run(settings, RunRequest("vision", "sampled", capture_console=False), nvml=FakeNvml(FakeGpu()))
    events = run.dir / fmt.EVENTS_FILE
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not events.exists() or events.stat().st_size < 600):
        time.sleep(0.05)  # a few samples, flushed by the writer thread
    run.finish()
    answer = get(live_viewer(root), f"/api/runs/{run.id}/system", max_points=1000).json()
    assert answer["x"] == "time" and "cpu/percent" in answer["keys"] and "gpu0/util_percent" in answer["keys"]
    gpu = answer["series"]["gpu0/util_percent"]
    assert gpu["count"] >= 2 and set(gpu["y"]) == {87.0} and gpu["x"] == sorted(gpu["x"])
    assert get(live_viewer(root), f"/api/runs/{run.id}/metrics").json()["keys"] == []  # kept apart


def test_every_error_has_the_one_json_shape(root: Path, live_viewer) -> None:
    run = sdk_run(root)
    base = live_viewer(root)
    cases = [
        ("GET", "/api/no-such-endpoint", 404),
        ("GET", "/api/runs/20990101_000000_abcdef", 404),
        ("GET", f"/api/runs/{run.id}/media/media/missing.png", 404),
        ("GET", "/api/projects/nope/names", 404),
        ("GET", "/api/runs?limit=lots", 422),
        ("GET", "/api/runs?limit=-1", 422),
        ("GET", "/api/runs?sort=colour", 400),
        ("GET", f"/api/runs/{run.id}/metrics?x=sideways", 400),
        ("GET", "/api/compare?ids=&keys=loss", 400),
        ("POST", "/api/runs", 405),
        ("GET", "/no-ui-built/page", 404),
    ]
    for method, path, status in cases:
        answer = httpx.request(method, base + path, timeout=30)
        body = answer.json()
        assert answer.status_code == status, path
        assert body["status"] == status and isinstance(body["error"], str) and body["error"], path
        assert set(body) <= {"error", "status", "hint"}, path


def test_a_404_for_something_missing_hints_where_to_list_what_exists(root: Path, live_viewer) -> None:
    run = sdk_run(root, "vision", "resnet")
    base = live_viewer(root)
    cases = {
        "/api/runs/20990101_000000_abcdef": "GET /api/runs",
        f"/api/runs/{run.id}/media/media/missing.png": f"GET /api/runs/{run.id}/media",
        f"/api/runs/{run.id}/traceback": f"GET /api/runs/{run.id}",
        "/api/projects/nope/names": "GET /api/projects",
        "/api/projects/vision/names/nope/runs": "GET /api/projects/vision/names",
        "/api/compare?ids=nope&keys=loss": "GET /api/runs",
    }
    for path, hint in cases.items():
        body = httpx.get(base + path, timeout=30).json()
        assert body["status"] == 404 and hint in body["hint"], path


def test_web_ui_is_served_with_a_single_page_fallback(root: Path, live_viewer, tmp_path: Path) -> None:
    plain = httpx.get(live_viewer(root) + "/", timeout=30)
    assert plain.status_code == 200 and "npm run build" in plain.text  # not built: a helpful page
    dist = tmp_path / "web_dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>the ui</html>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    base = live_viewer(root, web_dist=dist)
    assert httpx.get(base + "/", timeout=30).text == "<html>the ui</html>"
    assert httpx.get(base + "/runs/some-id/charts", timeout=30).text == "<html>the ui</html>"
    script = httpx.get(base + "/assets/app.js", timeout=30)
    assert script.text == "console.log(1)" and "javascript" in script.headers["content-type"]
    assert httpx.get(base + "/assets/missing.js", timeout=30).status_code == 404
    assert httpx.get(base + "/api/unknown", timeout=30).json()["status"] == 404
