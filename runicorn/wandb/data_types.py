"""W&B's data types (docs/wandb.md#data-types): ``Histogram``, ``Audio``, ``Video`` and ``Html``
here; ``Image`` (with boxes and masks) in image.py, ``Table`` in table.py, ``Object3D`` and
``Molecule`` in object3d.py, ``wandb.plot`` charts in plot.py; all importable from this module,
as from W&B's ``wandb.data_types``.

Each holds what it was given and, when ``wandb.log`` meets it, records itself in the run through
one SDK call (``log_image``, ``log_histogram``, ``log_table``, ``log_audio``, ``log_video``,
``log_html``): the copies, limits and never-raise rules are the SDK's. A list of them under one key
(``{"samples": [wandb.Image(a), wandb.Image(b)]}``) is recorded as several values of that key
(:func:`log_media`). W&B's lower-level calls (``bind_to_run``, ``to_json``, ``seq_to_json``) are
in media_file.py.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from runicorn.wandb.figures import Edge, Graph, Node, Plotly
from runicorn.wandb.image import BoundingBoxes2D, Classes, Image, ImageMask, tensor_to_numpy
from runicorn.wandb.media_file import Media
from runicorn.wandb.object3d import Molecule, Object3D, box3d
from runicorn.wandb.table import PartitionedTable, Table
from runicorn.wandb.video_file import ENCODED_FORMATS, encode_video
from runicorn.wandb.wbvalue import WBValue

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = [
    "Audio",
    "BoundingBoxes2D",
    "Classes",
    "Edge",
    "Graph",
    "Node",
    "Plotly",
    "Histogram",
    "Html",
    "Image",
    "ImageMask",
    "Media",
    "Molecule",
    "Object3D",
    "PartitionedTable",
    "Table",
    "Video",
    "WBValue",
    "box3d",
    "is_media",
    "log_media",
]

_VIDEO_FORMATS = ("gif", "mp4", "webm", "ogg")


class Histogram(WBValue):
    """The distribution of ``sequence`` in ``num_bins`` bins (at most 512), or a histogram already
    made: ``np_histogram=(counts, edges)`` as ``numpy.histogram`` returns it. ``histogram`` (the
    counts) and ``bins`` (the edges) are W&B's attributes."""

    MAX_LENGTH = 512
    _log_type = "histogram"

    def __init__(
        self, sequence: Any = None, np_histogram: tuple[Any, Any] | None = None, num_bins: int = 64
    ) -> None:
        if sequence is None and np_histogram is None:
            raise ValueError("wandb.Histogram needs a sequence or np_histogram=(counts, edges)")
        if sequence is not None and np_histogram is not None:
            raise ValueError("wandb.Histogram takes a sequence or np_histogram, not both")
        self.num_bins = min(int(num_bins), self.MAX_LENGTH)
        if np_histogram is not None:
            counts, edges = np_histogram
            self.histogram = [_number(c) for c in counts]
            self.bins = [_number(e) for e in edges]
            if len(self.histogram) > self.MAX_LENGTH:
                raise ValueError(f"The maximum length of a histogram is {self.MAX_LENGTH}")
            if len(self.histogram) + 1 != len(self.bins):
                raise ValueError("len(bins) must be len(histogram) + 1")
        else:
            import numpy as np

            if hasattr(sequence, "detach"):  # a torch tensor, on any device
                sequence = tensor_to_numpy(sequence)
            values = np.asarray(sequence, dtype=float).ravel()
            values = values[np.isfinite(values)]
            counts, edges = np.histogram(values, bins=self.num_bins)
            self.histogram, self.bins = counts.tolist(), edges.tolist()

    def to_json(self, run_or_artifact: Any = None) -> dict[str, Any]:
        return {"_type": self._log_type, "values": self.bins, "bins": self.bins, "counts": self.histogram}

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        run.log_histogram(key, counts=self.histogram, edges=self.bins, step=step)


class Audio(Media):
    """Audio: a float array of samples (or samples × channels) in [-1, 1] with its
    ``sample_rate``, saved as WAV; or a wav/mp3/ogg/flac file."""

    _log_type: ClassVar[str] = "audio-file"
    subdir: ClassVar[str] = "audio"

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None) -> None:
        self._caption = None if caption is None else str(caption)
        self._sample_rate = sample_rate
        self._duration: float | None = None
        self._data: Any = None
        if isinstance(data_or_path, (str, os.PathLike)):
            path = os.fspath(data_or_path)
            if "://" in path:
                raise ValueError(f"{path}: audio from a URL is not fetched (runicorn.wandb stays offline)")
            self._set_file(path)
        else:
            if sample_rate is None:
                raise ValueError("wandb.Audio of an array needs sample_rate=")
            self._data = data_or_path
            self._duration = len(data_or_path) / float(sample_rate)

    def _write_file(self) -> None:
        from runicorn.sdk import media_kinds

        path = self._scratch_path(".wav")
        with open(path, "wb") as f:
            f.write(media_kinds.audio_snapshot(self._data, self._sample_rate).encode())
        self._set_file(path, is_tmp=True)

    @classmethod
    def sample_rates(cls, audio_list: Sequence[Audio]) -> list[int | None]:
        return [a._sample_rate for a in audio_list]

    @classmethod
    def durations(cls, audio_list: Sequence[Audio]) -> list[float | None]:
        return [a._duration for a in audio_list]

    @classmethod
    def seq_to_json(cls, seq: Sequence[Any], run: Any, key: str, step: int | str) -> dict[str, Any]:
        for i, a in enumerate(seq):
            if not a.is_bound():
                a.bind_to_run(run, key, step, id_=i)
        out: dict[str, Any] = {
            "_type": "audio",
            "count": len(seq),
            "audio": [a.to_json(run) for a in seq],
            "sampleRates": cls.sample_rates(seq),
            "durations": cls.durations(seq),
        }
        captions = cls.captions(seq)
        if captions:
            out["captions"] = captions
        return out

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        data = self._data if self._data is not None else self._path
        run.log_audio(key, data, sample_rate=self._sample_rate, step=step, caption=self._caption)


class Video(Media):
    """A video: a gif/mp4/webm/ogg file, or frames as a numpy array T×C×H×W (or B×T×C×H×W, the
    batch side by side) at ``fps`` frames per second, saved as an animated GIF (the default, Pillow
    only) or, with ``format="mp4"`` or ``"webm"``, encoded at once as W&B does (ffmpeg, from the
    optional ``imageio-ffmpeg``; video_file.py)."""

    _log_type: ClassVar[str] = "video-file"
    subdir: ClassVar[str] = "videos"

    def __init__(
        self,
        data_or_path: Any,
        caption: str | None = None,
        fps: float | None = None,
        format: str | None = None,
    ) -> None:
        self._caption = None if caption is None else str(caption)
        self._fps = 4 if fps is None else fps
        self._format = (format or "gif").lower()
        self._frames: Any = None
        if isinstance(data_or_path, (str, os.PathLike)):
            path = os.fspath(data_or_path)
            ext = os.path.splitext(path)[1].lstrip(".").lower()
            if ext not in _VIDEO_FORMATS:
                raise ValueError(f"wandb.Video accepts {', '.join(_VIDEO_FORMATS)} files, got {path!r}")
            self._format = ext
            self._set_file(path)
            return
        if self._format not in _VIDEO_FORMATS:
            raise ValueError(f"wandb.Video format must be one of {_VIDEO_FORMATS}, got {format!r}")
        if self._format not in ("gif", *ENCODED_FORMATS):
            raise ValueError(f"video frames are saved as gif, mp4 or webm, not {format!r}")
        frames = tensor_to_numpy(data_or_path) if hasattr(data_or_path, "detach") else data_or_path
        if getattr(frames, "ndim", 0) not in (4, 5):
            raise ValueError("wandb.Video takes frames T×C×H×W (or a batch B×T×C×H×W)")
        if frames.ndim == 5:  # a batch: the videos side by side
            import numpy as np

            frames = np.concatenate(list(frames), axis=-1)
        self._frames = frames
        if self._format in ENCODED_FORMATS:  # W&B encodes at construction, behind a spinner
            from runicorn.wandb.quiet import is_quiet
            from runicorn.wandb.sdk.lib import printer_asyncio

            if is_quiet():
                self._encode()
            else:
                printer_asyncio.run_async_with_spinner(None, "Encoding video...", self._encode)

    @property
    def format(self) -> str:
        return self._format

    def _encode(self) -> None:
        path = self._scratch_path("." + self._format)
        encode_video(self._frames, self._fps, self._format, path)
        self._set_file(path, is_tmp=True)

    def _write_file(self) -> None:
        from runicorn.sdk import media_kinds

        if self._format in ENCODED_FORMATS:
            self._encode()
            return
        path = self._scratch_path(".gif")
        with open(path, "wb") as f:
            f.write(media_kinds.video_snapshot(self._frames, self._fps).encode())
        self._set_file(path, is_tmp=True)

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        encoded = self._frames is not None and self._format in ENCODED_FORMATS
        data = self._file() if encoded or self._frames is None else self._frames
        run.log_video(key, data, fps=self._fps, step=step, caption=self._caption)


class Html(Media):
    """An HTML page: a str, an open text file, or a path to an .html file. The viewer shows it in a
    sandbox where its scripts do not run. ``inject`` is accepted and has no effect: W&B's
    injected stylesheet lives on W&B's servers."""

    _log_type: ClassVar[str] = "html-file"
    subdir: ClassVar[str] = "html"

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False) -> None:
        self.inject = inject
        if hasattr(data, "read"):
            data = data.read()
        is_html_file = (
            not data_is_not_path
            and isinstance(data, (str, os.PathLike))
            and os.path.isfile(data)
            and os.fspath(data).lower().endswith((".html", ".htm"))
        )
        if is_html_file:
            self._set_file(os.fspath(data))
            with open(self._file(), encoding="utf-8", errors="replace") as f:
                self.html = f.read()
            return
        self.html = os.fspath(data) if isinstance(data, os.PathLike) else str(data)
        path = self._scratch_path(".html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html)
        self._set_file(path, is_tmp=True)

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        run.log_html(key, self.html, step=step)


def _number(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def is_media(value: Any) -> bool:
    """True for a data type, or a non-empty list or tuple of them."""
    if isinstance(value, WBValue):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, WBValue) for v in value)


def log_media(run: RunLike, key: str, value: Any, step: int) -> bool:
    """Record ``value`` (a data type, or a list of them: each under ``key``) at ``step``; False
    when it is not media (the caller handles it as a number)."""
    if not is_media(value):
        return False
    for item in value if isinstance(value, (list, tuple)) else (value,):
        item.log_into(run, key, step)
    return True
