"""``runicorn import LOGDIR`` of TensorBoard event files written here by the real writers
(``torch.utils.tensorboard.SummaryWriter`` and ``tensorboardX.SummaryWriter``), run as a user
runs it (a real process), then read back from disk and from the real viewer
(docs/integrations.md#tensorboard-event-files)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from runicorn import format as fmt

pytest.importorskip("tensorboard")
tensorboardX = pytest.importorskip("tensorboardX")
torch_tensorboard = pytest.importorskip("torch.utils.tensorboard")
Image = pytest.importorskip("PIL.Image")

STEPS = 100_000
START = 1_795_000_000.0
# The images each writer logs: a gradient per channel, so equal pixels mean the right image.
PIXELS = np.stack(
    [np.arange(24, dtype=np.uint8).reshape(4, 6) * k for k in (3, 5, 7)], axis=-1
)  # (height 4, width 6, RGB)
HIST_VALUES = np.array([0.5, 1.5, 1.5, 2.5, 9.0, -3.0, 4.25])


def _values(seed: float) -> np.ndarray:
    return np.sin(np.arange(STEPS) / 100.0 + seed) * 10 + np.arange(STEPS) * 1e-4


def _wall_times(offset: float) -> np.ndarray:
    return START + offset + np.arange(STEPS) * 0.001


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def _tensor_summaries(step: int) -> Any:
    """TensorBoard 2 summaries (tensors tagged by plugin), as TensorFlow 2 writes them."""
    from tensorboard.compat.proto.summary_pb2 import Summary
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb
    from tensorboard.plugins.image import metadata as image_metadata
    from tensorboard.plugins.scalar.summary_v2 import scalar_pb
    from tensorboard.plugins.text.summary_v2 import text_pb
    from tensorboard.util.tensor_util import make_tensor_proto

    image = Summary.Value(
        tag="tb2/images",
        metadata=image_metadata.create_summary_metadata(display_name=None, description=None),
        tensor=make_tensor_proto([b"6", b"4", _png(PIXELS), _png(PIXELS[::-1].copy())]),
    )
    summary = Summary()
    summary.value.extend([image])
    summary.value.extend(scalar_pb("tb2/scalar", 0.25 * step).value)
    summary.value.extend(histogram_pb("tb2/histogram", HIST_VALUES, buckets=5).value)
    summary.value.extend(text_pb("tb2/text", "tensor text").value)
    return summary


def _write_torch(run: Path) -> None:
    from torch.utils.tensorboard.summary import hparams

    writer = torch_tensorboard.SummaryWriter(str(run))
    for i, (value, wall_time) in enumerate(zip(_values(0.0), _wall_times(0.0), strict=True)):
        writer.add_scalar("loss/train", float(value), i, walltime=float(wall_time))
    writer.add_image("samples/grid", PIXELS, 5, walltime=START + 200, dataformats="HWC")
    writer.add_histogram("weights/fc1", HIST_VALUES, 7, walltime=START + 201)
    writer.add_text("notes", "hello\nworld", 3, walltime=START + 202)
    for step in (10, 20):
        writer.file_writer.add_summary(_tensor_summaries(step), step, START + 203 + step)
    exp, ssi, sei = hparams({"lr": 0.001, "optimizer": "adam", "batch_size": 32}, {})
    for summary in (exp, ssi, sei):  # into this run, as PyTorch Lightning's logger does
        writer.file_writer.add_summary(summary)
    writer.close()


def _write_tensorboardx(run: Path) -> None:
    writer = tensorboardX.SummaryWriter(str(run))
    for i, (value, wall_time) in enumerate(zip(_values(1.0), _wall_times(500.0), strict=True)):
        writer.add_scalar("acc", float(value), i, walltime=float(wall_time))
    writer.add_image("pictures/x", PIXELS, 9, walltime=START + 700, dataformats="HWC")
    writer.add_histogram("grads", HIST_VALUES, 4, walltime=START + 701)
    writer.close()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(env or os.environ)
    env.pop("RUNICORN_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


@dataclass
class Imported:
    logdir: Path
    storage: Path
    output: str

    def run(self, name: str) -> Path:
        (path,) = (self.storage / "tblogs" / name / fmt.RUNS_DIR).iterdir()
        return path

    def records(self, name: str, kind: str) -> list[dict[str, Any]]:
        lines = (self.run(name) / fmt.EVENTS_FILE).read_bytes().splitlines()
        records = [fmt.decode_event(line) for line in lines]
        return [r for r in records if r is not None and r["type"] == kind]


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logdir = tmp_path_factory.mktemp("tb") / "tblogs"
    _write_torch(logdir / "torch_run")
    _write_tensorboardx(logdir / "tbx_run")
    return logdir


@pytest.fixture(scope="module")
def imported(logdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    storage = tmp_path_factory.mktemp("storage")
    result = _cli("import", "--storage", str(storage), str(logdir))
    assert result.returncode == 0, result.stderr
    yield Imported(logdir, storage, result.stdout)


def _snapshot(root: Path) -> dict[str, str | None]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def test_two_run_directories_become_two_runs(imported: Imported) -> None:
    lines = imported.output.splitlines()
    assert [line.split()[:2] for line in lines] == [["imported", "tbx_run"], ["imported", "torch_run"]]
    assert "(100000 scalars, 1 images, 1 histograms, 0 texts)" in lines[0]
    for name in ("tbx_run", "torch_run"):
        meta = fmt.read_json(imported.run(name) / fmt.META_FILE)
        assert meta is not None and (meta["project"], meta["name"]) == ("tblogs", name)
        status = fmt.read_json(imported.run(name) / fmt.STATUS_FILE)
        assert status is not None and status["status"] == fmt.FINISHED
        assert (imported.run(name) / fmt.COLUMNS_FILE).is_file()  # decoded, as the SDK leaves a run


@pytest.mark.parametrize(
    ("name", "key", "seed", "offset"), [("torch_run", "loss/train", 0.0, 0.0), ("tbx_run", "acc", 1.0, 500.0)]
)
def test_every_scalar_step_comes_back_exactly_with_its_wall_time(
    imported: Imported, name: str, key: str, seed: float, offset: float
) -> None:
    points = [r for r in imported.records(name, fmt.METRICS) if key in r["data"]]
    assert [r["data"][fmt.STEP_KEY] for r in points] == list(range(STEPS))
    written = _values(seed).astype(np.float32)
    assert np.array_equal(np.array([r["data"][key] for r in points], dtype=np.float32), written)
    assert [r["data"][key] for r in points] == [float(v) for v in written]
    assert [r["data"][fmt.TIME_KEY] for r in points] == [float(t) for t in _wall_times(offset)]
    assert [r["ts"] for r in points] == [float(t) for t in _wall_times(offset)]


def test_images_come_back_with_equal_pixels(imported: Imported) -> None:
    images = {
        (r["data"]["key"], r["data"]["step"]): r["data"]["path"]
        for name in ("torch_run", "tbx_run")
        for r in imported.records(name, fmt.IMAGE)
    }
    assert set(images) == {("samples/grid", 5), ("pictures/x", 9), ("tb2/images", 10), ("tb2/images", 20)}
    for (key, _step), path in images.items():
        run = imported.run("tbx_run" if key == "pictures/x" else "torch_run")
        assert path.startswith(fmt.MEDIA_DIR + "/")
        pixels = np.asarray(Image.open(run / path).convert("RGB"))
        assert pixels.shape == PIXELS.shape
        assert np.array_equal(pixels, PIXELS) or np.array_equal(pixels, PIXELS[::-1])
    tb2 = [r for r in imported.records("torch_run", fmt.IMAGE) if r["data"]["key"] == "tb2/images"]
    assert len(tb2) == 4  # two images per step, both kept


def test_histograms_keep_their_counts_and_span(imported: Imported) -> None:
    histograms = [r["data"] for name in ("torch_run", "tbx_run") for r in imported.records(name, "histogram")]
    assert {(h["key"], h["step"]) for h in histograms} == {
        ("weights/fc1", 7),
        ("grads", 4),
        ("tb2/histogram", 10),
        ("tb2/histogram", 20),
    }
    for h in histograms:
        assert sum(h["counts"]) == len(HIST_VALUES)
        assert len(h["edges"]) == len(h["counts"]) + 1 <= fmt.MAX_HISTOGRAM_BINS + 1
        assert h["edges"] == sorted(h["edges"])
        assert (h["edges"][0], h["edges"][-1]) == (HIST_VALUES.min(), HIST_VALUES.max())
        if h["key"] == "tb2/histogram":
            assert h["counts"] == [1.0, 3.0, 1.0, 1.0, 1.0]  # 5 equal buckets over [-3, 9]


def test_text_becomes_log_lines_and_hparams_the_config(imported: Imported) -> None:
    logs = (imported.run("torch_run") / fmt.LOGS_FILE).read_text()
    assert "notes/text_summary (step 3): hello\n" in logs and logs.count("world\n") == 1
    assert "tb2/text (step 10): tensor text\n" in logs and "tb2/text (step 20): tensor text\n" in logs
    config = fmt.read_json(imported.run("torch_run") / fmt.CONFIG_FILE)
    assert config == {"lr": 0.001, "optimizer": "adam", "batch_size": 32}
    scalars = [r["data"] for r in imported.records("torch_run", fmt.METRICS) if "tb2/scalar" in r["data"]]
    assert [(d[fmt.STEP_KEY], d["tb2/scalar"]) for d in scalars] == [(10, 2.5), (20, 5.0)]


def test_importing_twice_changes_nothing(imported: Imported) -> None:
    before = _snapshot(imported.storage)
    again = _cli("import", "--storage", str(imported.storage), str(imported.logdir))
    assert again.returncode == 0, again.stderr
    assert [line.split()[:2] for line in again.stdout.splitlines()] == [
        ["skipped", "tbx_run:"],
        ["skipped", "torch_run:"],
    ]
    assert _snapshot(imported.storage) == before


def test_the_viewer_serves_the_imported_metric_series(imported: Imported, live_viewer: Any) -> None:
    with httpx.Client(base_url=live_viewer(imported.storage), timeout=30) as http:
        runs = http.get("/api/runs").json()["runs"]
        assert sorted((r["project"], r["name"], r["status"]) for r in runs) == [
            ("tblogs", "tbx_run", "finished"),
            ("tblogs", "torch_run", "finished"),
        ]
        key = next(r["key"] for r in runs if r["name"] == "torch_run")
        detail = http.get(f"/api/runs/{key}").json()
        assert detail["metric_keys"] == ["loss/train", "tb2/scalar"] and detail["media_count"] == 5
        series = http.get(
            f"/api/runs/{key}/metrics", params={"keys": "loss/train", "max_points": STEPS}
        ).json()
        loss = series["series"]["loss/train"]
        assert loss["x"] == list(range(STEPS)) and loss["downsampled"] is False
        assert np.array_equal(np.array(loss["y"], dtype=np.float32), _values(0.0).astype(np.float32))


def test_a_truncated_last_record_imports_what_is_complete(logdir: Path, tmp_path: Path) -> None:
    (source,) = (logdir / "tbx_run").iterdir()
    cut = tmp_path / "crashed" / "run"
    cut.mkdir(parents=True)
    data = source.read_bytes()
    (cut / source.name).write_bytes(data[:-10])  # the writer died inside its last record

    result = _cli("import", "--storage", str(tmp_path / "storage"), str(cut.parent))
    assert result.returncode == 0, result.stderr
    assert f"run/{source.name}: the last " in result.stdout and "were imported" in result.stdout
    (run,) = (tmp_path / "storage" / "crashed" / "run" / fmt.RUNS_DIR).iterdir()
    lines = (run / fmt.EVENTS_FILE).read_bytes().splitlines()
    records = [fmt.decode_event(line) for line in lines]
    steps = [r["data"][fmt.STEP_KEY] for r in records if r and r["type"] == fmt.METRICS]
    assert steps == list(range(STEPS))  # the cut record was the histogram, after every scalar
    assert [r["type"] for r in records if r].count(fmt.IMAGE) == 1


def test_an_import_of_event_files_that_grew_is_a_new_run_beside_the_first(
    logdir: Path, tmp_path: Path
) -> None:
    run = tmp_path / "logs" / "exp"
    shutil.copytree(logdir / "tbx_run", run)
    storage = str(tmp_path / "storage")
    first = _cli("import", "--storage", storage, str(tmp_path / "logs"))
    writer = tensorboardX.SummaryWriter(str(run))  # the run went on: a second events file
    writer.add_scalar("acc", 1.5, STEPS, walltime=START + 900)
    writer.close()

    second = _cli("import", "--storage", storage, str(tmp_path / "logs"))
    assert first.returncode == second.returncode == 0, second.stderr
    first_id, second_id = first.stdout.split()[3], second.stdout.split()[3]
    assert first_id != second_id
    assert f"run {first_id} was imported earlier from the same run directory" in second.stdout
    runs = sorted(p.name for p in (tmp_path / "storage" / "logs" / "exp" / fmt.RUNS_DIR).iterdir())
    assert runs == sorted([first_id, second_id])


def test_without_the_tensorboard_package_the_import_names_the_extra(logdir: Path, tmp_path: Path) -> None:
    hide = "import sys; sys.modules['tensorboard'] = None; from runicorn.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", hide, "import", "--storage", str(tmp_path / "s"), str(logdir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: reading TensorBoard event files needs the tensorboard package")
    assert lines[1] == "hint: install it: pip install 'runicorn[tensorboard]'"
    assert not list((tmp_path / "s").rglob(fmt.META_FILE))


def test_add_hparams_lands_in_the_config_of_its_writers_run(tmp_path: Path) -> None:
    logs = tmp_path / "hp"
    for name in ("lr_0.1", "group/lr_0.01"):  # a nested run name keeps its layout
        writer = torch_tensorboard.SummaryWriter(str(logs / name))
        writer.add_scalar("loss", 1.0, 0, walltime=START)
        writer.add_hparams({"lr": float(name.split("_")[-1]), "opt": "sgd"}, {"hparam/acc": 0.75})
        writer.close()
    assert len([p for p in logs.rglob("*") if p.is_dir() and p.name[0].isdigit()]) == 2  # torch's subfolders

    result = _cli("import", "--storage", str(tmp_path / "storage"), str(logs))
    assert result.returncode == 0, result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["imported", "group/lr_0.01"],
        ["imported", "lr_0.1"],
    ]
    runs = {}
    for meta_file in (tmp_path / "storage").rglob(fmt.META_FILE):
        meta = fmt.read_json(meta_file)
        assert meta is not None and meta["project"] == "hp"
        runs[meta["name"]] = meta_file.parent
    assert sorted(runs) == ["group/lr_0.01", "lr_0.1"]  # no run of torch's timestamp subfolders
    for name, lr in (("lr_0.1", 0.1), ("group/lr_0.01", 0.01)):
        run = runs[name]
        assert fmt.read_json(run / fmt.CONFIG_FILE) == {"lr": lr, "opt": "sgd"}
        lines = (run / fmt.EVENTS_FILE).read_bytes().splitlines()
        metrics = [r["data"] for r in map(fmt.decode_event, lines) if r and r["type"] == fmt.METRICS]
        assert {k for d in metrics for k in d} >= {"loss", "hparam/acc"}
