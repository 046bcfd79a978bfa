"""log_image: the caller hands over a copy; the writer thread encodes it to PNG, writes it under
media/ and then records it; channels-first arrays and torch tensors come out right."""

from __future__ import annotations

import io
import threading
from collections import deque
from pathlib import Path

import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.sdk import media as media_module
from runicorn.sdk.media import MediaWriter, snapshot
from runicorn.sdk.values import DropLedger

np = pytest.importorskip("numpy")
Image = pytest.importorskip("PIL.Image")


def image_records(run: rn.Run) -> list[dict]:
    lines, _ = fmt.split_complete_lines((run.dir / fmt.EVENTS_FILE).read_bytes())
    return [r["data"] for r in map(fmt.decode_event, lines) if r["type"] == fmt.IMAGE]


def pixels(path: Path):
    return np.asarray(Image.open(io.BytesIO(path.read_bytes())).convert("RGB"))


def test_channels_first_arrays_and_tensors_are_encoded_by_the_writer_thread(
    storage_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch = pytest.importorskip("torch")
    encoded_on: list[str] = []
    pytest.importorskip("PIL.PngImagePlugin")  # registers the PNG encoder, once
    png_save = Image.SAVE["PNG"]

    def recording_png_save(im, fp, filename):  # Pillow's own registry of encoders
        encoded_on.append(threading.current_thread().name)
        png_save(im, fp, filename)

    monkeypatch.setitem(Image.SAVE, "PNG", recording_png_save)
    monkeypatch.setenv("RUNICORN_FLUSH_INTERVAL_S", "60")  # the writer waits for finish()
    rng = np.random.default_rng(0)
    chw = rng.random((3, 16, 24), dtype=np.float32)  # PyTorch's layout, values in [0, 1]
    expected = (chw.transpose(1, 2, 0) * 255).astype(np.uint8)
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"loss": 1.0})
    run.log_image("array", chw, caption="chw")
    run.log_image("tensor", torch.from_numpy(chw.copy()))
    chw[:] = 0  # the caller may reuse its buffer at once: what was logged was a copy
    assert not (run.dir / fmt.MEDIA_DIR).exists()  # nothing was encoded or written by the caller
    run.finish()
    records = image_records(run)
    assert [r["key"] for r in records] == ["array", "tensor"] and records[0]["caption"] == "chw"
    for record in records:
        assert record["step"] == 1
        assert np.array_equal(pixels(run.dir / record["path"]), expected)
    assert encoded_on == ["runicorn-writer", "runicorn-writer"]


def test_images_that_cannot_be_saved_are_counted_as_drops(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log_image("bad", object())
    run.log_image("bad", np.zeros((5, 6, 7)))  # seven channels: no image
    run.log_image("good", np.zeros((2, 2), dtype=np.uint8))
    run.finish()
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["dropped"] == {"bad": 2}
    assert [r["key"] for r in image_records(run)] == ["good"]


def test_images_past_the_pending_cap_are_dropped_and_counted(tmp_path: Path) -> None:
    drops = DropLedger()
    events: deque[bytes] = deque()
    media = MediaWriter(tmp_path, events, drops.drop, max_pending_bytes=100 * 100 * 3)
    for i in range(3):  # the writer thread has not run yet: the second and third do not fit
        record = fmt.ImageData(key="big", path=f"{fmt.MEDIA_DIR}/{i}.png", step=i, caption=None)
        media.put(snapshot(np.zeros((100, 100, 3), dtype=np.uint8)), record, 0.0)
    media.write_pending()
    assert drops.counts == {"big": 2}
    assert len(events) == 1 and (tmp_path / fmt.MEDIA_DIR / "0.png").exists()


def test_images_of_the_same_shape_logged_again_and_again_each_keep_their_own_pixels(
    storage_root: Path,
) -> None:
    # Copies reuse the buffers of images already written: none may show another image's pixels.
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    frames = [np.full((8, 8, 3), 30 * i, dtype=np.uint8) for i in range(6)]
    for i, frame in enumerate(frames):
        run.log_image("frame", frame, step=i)
        if i % 2:
            run.flush()  # written: its buffer is free for the next copy
    run.finish()
    records = sorted(image_records(run), key=lambda r: r["step"])
    assert [r["step"] for r in records] == list(range(6))
    for record, frame in zip(records, frames, strict=True):
        assert np.array_equal(pixels(run.dir / record["path"]), frame)


def test_a_float64_image_is_converted_and_encoded_by_the_writer_with_the_right_pixels(
    storage_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNICORN_FLUSH_INTERVAL_S", "60")  # the writer waits for finish()
    converted_on: list[str] = []
    to_pil = media_module._array_to_pil

    def recording_to_pil(a):
        converted_on.append(threading.current_thread().name)
        return to_pil(a)

    monkeypatch.setattr(media_module, "_array_to_pil", recording_to_pil)
    values = np.random.default_rng(0).random((1024, 1024, 3))  # float64 in [0, 1]
    values[0, 0] = [np.nan, 1.0, -1.0]  # NaN is black; below 0 is 0
    expected = (np.clip(np.nan_to_num(values), 0, 1) * 255).astype(np.uint8)
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log_image("float", values)
    kept = values.copy()
    values[:] = 0.5  # the caller goes on with its array at once: what was logged was a copy
    assert converted_on == [] and not (run.dir / fmt.MEDIA_DIR).exists()  # the caller only copied
    run.finish()
    (record,) = image_records(run)
    got = pixels(run.dir / record["path"])
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1  # float32 rounding at most
    assert got[0, 0].tolist() == [0, 255, 0] and kept[1, 1, 1] == pytest.approx(got[1, 1, 1] / 255, abs=0.01)
    assert converted_on == ["runicorn-writer"]


def test_float64_images_wait_at_half_their_size(tmp_path: Path) -> None:
    """A float64 array is copied as float32 (all 8 bits a channel need): twice as many fit under
    the cap of images waiting for the writer, instead of being dropped."""
    drops = DropLedger()
    events: deque[bytes] = deque()
    image = np.random.default_rng(0).random((100, 100, 3))  # 240,000 bytes as float64
    media = MediaWriter(tmp_path, events, drops.drop, max_pending_bytes=3 * image.nbytes // 2)
    for i in range(3):
        record = fmt.ImageData(key="float", path=f"{fmt.MEDIA_DIR}/{i}.png", step=i, caption=None)
        media.put(snapshot(image), record, 0.0)
    media.write_pending()
    assert drops.counts == {} and len(events) == 3
