"""log_histogram, log_table, log_audio, log_video and log_html through a real run: the caller hands
over a copy, the writer thread bins or encodes it, writes its file under media/ and then its
record; a value that cannot be logged is dropped and counted, never raised."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import orjson
import pytest

import runicorn as rn
from runicorn import format as fmt

np = pytest.importorskip("numpy")


def records(run: rn.Run, kind: str) -> list[dict]:
    events = run.dir / fmt.EVENTS_FILE
    lines, _ = fmt.split_complete_lines(events.read_bytes() if events.exists() else b"")
    return [r["data"] for r in map(fmt.decode_event, lines) if r["type"] == kind]


def new_run(storage_root: Path) -> rn.Run:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    assert isinstance(run, rn.Run)
    return run


def test_histogram_of_values_is_binned_with_non_finite_values_counted_apart(storage_root: Path) -> None:
    run = new_run(storage_root)
    values = np.array([0.0, 0.5, 1.0, 1.5, 2.0, np.nan, np.inf, -np.inf])
    run.log({"loss": 1.0}, step=7)
    run.log_histogram("weights", values, num_bins=4)
    values[:] = 100.0  # the caller may reuse its buffer at once
    rn.log_histogram("given", counts=[1, 2, 3], edges=[0.0, 1.0, 2.0, 3.0], step=9)
    run.finish()
    first, second = records(run, fmt.HISTOGRAM)
    assert first == {
        "key": "weights",
        "step": 7,
        "edges": [0.0, 0.5, 1.0, 1.5, 2.0],
        "counts": [1, 1, 1, 2],
        "dropped": 3,
    }
    assert second == {"key": "given", "step": 9, "edges": [0.0, 1.0, 2.0, 3.0], "counts": [1, 2, 3]}


def test_histogram_of_a_tensor_and_bad_histograms_are_dropped_and_counted(storage_root: Path) -> None:
    torch = pytest.importorskip("torch")
    run = new_run(storage_root)
    run.log_histogram("grad", torch.arange(10, dtype=torch.float32), num_bins=2)
    run.log_histogram("too_many_bins", [1.0, 2.0], num_bins=10_000)
    run.log_histogram("mismatched", counts=[1, 2], edges=[0.0, 1.0])
    run.finish()
    assert [r["counts"] for r in records(run, fmt.HISTOGRAM)] == [[5, 5]]
    dropped = fmt.read_json(run.dir / fmt.STATUS_FILE)["dropped"]
    assert dropped == {"too_many_bins": 1, "mismatched": 1}


def test_table_is_a_json_file_under_media_and_its_record_names_columns_and_rows(storage_root: Path) -> None:
    run = new_run(storage_root)
    rows = [[i, f"row {i}", np.float32(i / 2)] for i in range(5)]
    run.log_table("preds", ["id", "text", "score"], rows, step=3)
    rows.clear()  # copied when logged
    run.finish()
    (record,) = records(run, fmt.TABLE)
    assert record["columns"] == ["id", "text", "score"] and record["rows"] == 5 and record["step"] == 3
    assert record["path"].startswith("media/") and record["path"].endswith(fmt.TABLE_SUFFIX)
    body = orjson.loads((run.dir / record["path"]).read_bytes())
    assert body["columns"] == ["id", "text", "score"]
    assert body["data"][4] == [4, "row 4", 2.0]


def test_audio_array_is_written_as_wav_and_audio_files_are_copied(storage_root: Path, tmp_path: Path) -> None:
    run = new_run(storage_root)
    samples = np.sin(np.linspace(0, 2 * np.pi * 440, 8000)).astype(np.float32)
    run.log_audio("tone", samples, sample_rate=8000, caption="440 Hz")
    ogg = tmp_path / "clip.ogg"
    ogg.write_bytes(b"OggS fake")
    run.log_audio("clip", ogg)
    run.log_audio("no_rate", samples)
    run.finish()
    tone, clip = records(run, fmt.AUDIO)
    assert tone["caption"] == "440 Hz" and tone["sample_rate"] == 8000 and tone["path"].endswith(".wav")
    with wave.open(io.BytesIO((run.dir / tone["path"]).read_bytes())) as w:
        assert (w.getframerate(), w.getnframes(), w.getnchannels(), w.getsampwidth()) == (8000, 8000, 1, 2)
    assert clip["path"].endswith(".ogg") and (run.dir / clip["path"]).read_bytes() == b"OggS fake"
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["dropped"] == {"no_rate": 1}


def test_video_frames_become_an_animated_gif(storage_root: Path) -> None:
    Image = pytest.importorskip("PIL.Image")
    run = new_run(storage_root)
    frames = np.zeros((6, 3, 8, 10), dtype=np.uint8)
    frames[:, 0] = np.arange(6)[:, None, None] * 40  # red grows frame by frame
    run.log_video("rollout", frames, fps=5, caption="episode 1")
    run.log_video("bad_shape", np.zeros((8, 10)))
    run.finish()
    (record,) = records(run, fmt.VIDEO)
    assert record["fps"] == 5 and record["caption"] == "episode 1" and record["path"].endswith(".gif")
    gif = Image.open(io.BytesIO((run.dir / record["path"]).read_bytes()))
    assert (gif.n_frames, gif.size) == (6, (10, 8))
    assert gif.info["duration"] == 200
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["dropped"] == {"bad_shape": 1}


def test_html_text_and_html_files_are_stored_as_html(storage_root: Path, tmp_path: Path) -> None:
    run = new_run(storage_root)
    run.log_html("report", "<h1>Épreuve</h1>")
    page = tmp_path / "page.htm"
    page.write_text("<p>from a file</p>")
    run.log_html("page", page)
    run.finish()
    report, from_file = records(run, fmt.HTML)
    assert (run.dir / report["path"]).read_text("utf-8") == "<h1>Épreuve</h1>"
    assert (
        from_file["path"].endswith(".html")
        and (run.dir / from_file["path"]).read_text() == "<p>from a file</p>"
    )


def test_after_finish_nothing_is_written(storage_root: Path) -> None:
    run = new_run(storage_root)
    run.finish()
    run.log_table("late", ["a"], [[1]])
    rn.log_html("late", "<p>x</p>")
    assert records(run, fmt.TABLE) == [] and records(run, fmt.HTML) == []
    assert not (run.dir / fmt.MEDIA_DIR).exists()
