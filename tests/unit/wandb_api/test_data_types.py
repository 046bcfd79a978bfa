"""W&B's data types record themselves through the SDK's public calls: the right files under media/
and the right records, at the step ``wandb.log`` gives them; lists of images under one key become
several images of that key."""

from __future__ import annotations

import io
import sys
import wave
from pathlib import Path

import orjson
import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.wandb import data_types as wb
from runicorn.wandb.wbvalue import WBValue

np = pytest.importorskip("numpy")
Image = pytest.importorskip("PIL.Image")


def opened(path: Path):
    return Image.open(io.BytesIO(path.read_bytes()))


def records(run: rn.Run, kind: str) -> list[dict]:
    lines, _ = fmt.split_complete_lines((run.dir / fmt.EVENTS_FILE).read_bytes())
    return [r["data"] for r in map(fmt.decode_event, lines) if r["type"] == kind]


@pytest.fixture
def run(storage_root: Path):
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    yield run
    run.finish()


def test_every_data_type_is_a_wbvalue() -> None:
    for kind in (wb.Image, wb.Histogram, wb.Table, wb.Audio, wb.Video, wb.Html):
        assert issubclass(kind, WBValue)


def test_image_with_mode_and_a_list_of_images_under_one_key(run: rn.Run) -> None:
    rgb = np.zeros((4, 5, 3), dtype=np.uint8)
    rgb[..., 0] = 255
    assert wb.log_media(
        run, "samples", [wb.Image(rgb, caption="a"), wb.Image(rgb, caption="b", mode="L")], 12
    )
    assert not wb.log_media(run, "loss", 0.5, 12)
    run.finish()
    images = records(run, fmt.IMAGE)
    assert [(i["key"], i["step"], i["caption"]) for i in images] == [
        ("samples", 12, "a"),
        ("samples", 12, "b"),
    ]
    assert opened(run.dir / images[0]["path"]).mode == "RGB"
    assert opened(run.dir / images[1]["path"]).mode == "L"


def test_histogram_from_a_sequence_and_from_np_histogram(run: rn.Run) -> None:
    data = np.arange(100, dtype=np.float64)
    wb.Histogram(data, num_bins=10).log_into(run, "seq", 3)
    wb.Histogram(np_histogram=np.histogram(data, bins=4)).log_into(run, "np", 4)
    with pytest.raises(ValueError):
        wb.Histogram()
    run.finish()
    seq, given = records(run, fmt.HISTOGRAM)
    assert seq["step"] == 3 and seq["counts"] == [10] * 10 and len(seq["edges"]) == 11
    assert given == {
        "key": "np",
        "step": 4,
        "counts": [25, 25, 25, 25],
        "edges": [0.0, 24.75, 49.5, 74.25, 99.0],
    }


def test_table_built_row_by_row_with_an_added_column(run: rn.Run) -> None:
    table = wb.Table(columns=["id", "label"])
    for i in range(3):
        table.add_data(i, f"class {i}")
    table.add_column("score", [0.1, 0.2, 0.3])
    assert table.get_column("label") == ["class 0", "class 1", "class 2"]
    assert table.columns == ["id", "label", "score"] and table.data[2] == [2, "class 2", 0.3]
    with pytest.raises(ValueError):
        table.add_data(1)
    table.log_into(run, "preds", 5)
    run.finish()
    (record,) = records(run, fmt.TABLE)
    assert record["columns"] == ["id", "label", "score"] and record["rows"] == 3 and record["step"] == 5
    assert orjson.loads((run.dir / record["path"]).read_bytes())["data"][1] == [1, "class 1", 0.2]


def test_table_from_a_dataframe(run: rn.Run) -> None:
    pd = pytest.importorskip("pandas")
    wb.Table(dataframe=pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})).log_into(run, "df", 1)
    run.finish()
    (record,) = records(run, fmt.TABLE)
    assert record["columns"] == ["a", "b"]
    assert orjson.loads((run.dir / record["path"]).read_bytes())["data"] == [[1, "x"], [2, "y"]]


def test_video_frames_as_mp4_are_encoded_playable(run: rn.Run) -> None:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    frames = np.random.default_rng(0).integers(0, 255, size=(5, 3, 9, 11), dtype=np.uint8)
    wb.Video(frames, fps=5, format="mp4").log_into(run, "clip", 1)
    run.finish()
    (video,) = records(run, fmt.VIDEO)
    path = run.dir / video["path"]
    assert path.suffix == ".mp4" and path.read_bytes()[4:8] == b"ftyp"
    assert imageio_ffmpeg.count_frames_and_secs(str(path))[0] == 5


def test_video_as_mp4_without_ffmpeg_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # not installed
    monkeypatch.setenv("WANDB_QUIET", "true")
    with pytest.raises(ImportError, match=r"runicorn\[video\]"):
        wb.Video(np.zeros((2, 3, 4, 4), dtype=np.uint8), format="mp4")
    assert wb.Video(np.zeros((2, 3, 4, 4), dtype=np.uint8)).format == "gif"  # GIFs need no ffmpeg


def test_audio_video_and_html(run: rn.Run) -> None:
    wb.Audio(np.zeros(1600, dtype=np.float32), sample_rate=16000, caption="silence").log_into(run, "audio", 2)
    frames = np.arange(3, dtype=np.uint8)[:, None, None, None] * np.full((3, 1, 4, 4), 80, dtype=np.uint8)
    wb.Video(frames, fps=10, caption="clip").log_into(run, "video", 2)
    wb.Html(io.StringIO("<b>bold</b>")).log_into(run, "page", 2)
    with pytest.raises(ValueError):
        wb.Audio(np.zeros(10))
    with pytest.raises(ValueError):
        wb.Video(np.zeros((3, 1, 4, 4)), format="avi")
    run.finish()
    (audio,) = records(run, fmt.AUDIO)
    with wave.open(str(run.dir / audio["path"])) as w:
        assert (w.getframerate(), w.getnframes()) == (16000, 1600)
    (video,) = records(run, fmt.VIDEO)
    assert opened(run.dir / video["path"]).n_frames == 3 and video["caption"] == "clip"
    (page,) = records(run, fmt.HTML)
    assert (run.dir / page["path"]).read_text() == "<b>bold</b>" and page["step"] == 2
