"""W&B's data types over the SDK's public calls: ``Image``, ``Histogram``, ``Table``, ``Audio``,
``Video`` and ``Html`` (docs/wandb.md#data-types).

Each one holds what it was given and, when ``wandb.log`` meets it, records itself in the run through
one call (``log_image``, ``log_histogram``, ``log_table``, ``log_audio``, ``log_video``,
``log_html``): the copies, limits and never-raise rules are the SDK's. A list of them under one key
(``{"samples": [wandb.Image(a), wandb.Image(b)]}``) is recorded as several values of that key
(:func:`log_media`).

Not covered: ``wandb.plot`` charts, ``Object3D``, ``Molecule``, bounding boxes and masks on images,
media inside table cells (a cell that is not a number, text, bool or None is stored as its text).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from runicorn.wandb.wbvalue import WBValue

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["Audio", "Histogram", "Html", "Image", "Table", "Video", "is_media", "log_media"]


class Image(WBValue):
    """An image: a numpy array (H×W, H×W×C or C×H×W), a PIL image, a torch tensor, or a path.

    ``mode`` (a PIL mode such as ``"L"`` or ``"RGB"``) converts the image before it is saved."""

    def __init__(self, data_or_path: Any, caption: str | None = None, mode: str | None = None) -> None:
        self.data = data_or_path
        self.caption = None if caption is None else str(caption)
        self.mode = mode

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        data = self.data
        if self.mode is not None:
            data = _converted(data, self.mode)
        run.log_image(key, data, step=step, caption=self.caption)


def _converted(data: Any, mode: str) -> Any:
    """``data`` (a PIL image, an array or a tensor) as a PIL image in ``mode``; anything else, or
    what cannot be converted, as it was (the SDK then says why it cannot save it)."""
    try:
        from PIL import Image as PILImage

        from runicorn.sdk.media import _array_to_pil, snapshot

        if isinstance(data, PILImage.Image):
            return data.convert(mode)
        if hasattr(data, "__array__") or hasattr(data, "detach"):
            return _array_to_pil(snapshot(data).value).convert(mode)
    except Exception:  # noqa: BLE001 - the SDK reports what it cannot save
        return data
    return data


class Histogram(WBValue):
    """The distribution of ``sequence`` in ``num_bins`` bins (at most 512), or a histogram already
    made: ``np_histogram=(counts, edges)`` as ``numpy.histogram`` returns it."""

    MAX_LENGTH = 512

    def __init__(
        self, sequence: Any = None, np_histogram: tuple[Any, Any] | None = None, num_bins: int = 64
    ) -> None:
        if sequence is None and np_histogram is None:
            raise ValueError("wandb.Histogram needs a sequence or np_histogram=(counts, edges)")
        if sequence is not None and np_histogram is not None:
            raise ValueError("wandb.Histogram takes a sequence or np_histogram, not both")
        self.sequence = sequence
        self.num_bins = min(int(num_bins), self.MAX_LENGTH)
        if np_histogram is not None:
            counts, edges = np_histogram
            self.histogram: list[Any] | None = list(counts)
            self.bins: list[Any] | None = list(edges)
        else:
            self.histogram = self.bins = None

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        if self.histogram is not None:
            run.log_histogram(key, counts=self.histogram, edges=self.bins, step=step)
        else:
            run.log_histogram(key, self.sequence, num_bins=self.num_bins, step=step)


class Table(WBValue):
    """Rows of cells under named columns. ``dataframe`` (pandas), when given, supplies both.

    Cells are numbers, text, bools or None; anything else is stored as its text."""

    def __init__(
        self,
        columns: Sequence[Any] | None = None,
        data: Iterable[Sequence[Any]] | None = None,
        rows: Iterable[Sequence[Any]] | None = None,
        dataframe: Any = None,
    ) -> None:
        if dataframe is not None:
            self.columns = [str(c) for c in dataframe.columns]
            self.data: list[list[Any]] = [list(r) for r in dataframe.itertuples(index=False, name=None)]
            return
        rows_given: Any = data if data is not None else rows
        if hasattr(rows_given, "tolist"):  # a numpy array
            rows_given = rows_given.tolist()
        self.data = [list(r) for r in rows_given] if rows_given is not None else []
        if columns is None:
            width = len(self.data[0]) if self.data else 3
            columns = ["Input", "Output", "Expected"] if width == 3 else [str(i) for i in range(width)]
        self.columns = [str(c) for c in columns]
        for row in self.data:
            self._check(row)

    def _check(self, row: Sequence[Any]) -> None:
        if len(row) != len(self.columns):
            raise ValueError(f"a row of {len(row)} cells for {len(self.columns)} columns {self.columns}")

    def add_data(self, *row: Any) -> None:
        """Append one row (its cells as arguments: ``add_data(*cells)``)."""
        self._check(row)
        self.data.append(list(row))

    def add_column(self, name: str, data: Sequence[Any]) -> None:
        """Append a column; ``data`` has one cell per row."""
        if str(name) in self.columns:
            raise ValueError(f"the table already has a column {name!r}")
        cells = list(data)
        if self.data and len(cells) != len(self.data):
            raise ValueError(f"{len(cells)} cells for a table of {len(self.data)} rows")
        if not self.data:
            self.data = [[] for _ in cells]
        self.columns.append(str(name))
        for row, cell in zip(self.data, cells, strict=True):
            row.append(cell)

    def get_column(self, name: str) -> list[Any]:
        """The cells of column ``name``, top to bottom."""
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; the columns are {self.columns}")
        i = self.columns.index(name)
        return [row[i] for row in self.data]

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        run.log_table(key, self.columns, self.data, step=step)


class Audio(WBValue):
    """Audio: a float array of samples (or samples × channels) in [-1, 1] with its
    ``sample_rate``, saved as WAV; or a wav/mp3/ogg/flac file."""

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None) -> None:
        if not isinstance(data_or_path, (str, os.PathLike)) and sample_rate is None:
            raise ValueError("wandb.Audio of an array needs sample_rate=")
        self.data = data_or_path
        self.sample_rate = sample_rate
        self.caption = None if caption is None else str(caption)

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        run.log_audio(key, self.data, sample_rate=self.sample_rate, step=step, caption=self.caption)


class Video(WBValue):
    """A video: an mp4/webm/gif file, or frames as a numpy array T×C×H×W, saved as an animated
    GIF at ``fps`` frames per second (``format`` other than ``"gif"`` is not written for arrays:
    that needs ffmpeg)."""

    def __init__(
        self, data_or_path: Any, caption: str | None = None, fps: float = 4, format: str | None = None
    ) -> None:
        if format not in (None, "gif") and not isinstance(data_or_path, (str, os.PathLike)):
            raise ValueError(f"video frames are saved as gif; format={format!r} would need ffmpeg")
        self.data = data_or_path
        self.caption = None if caption is None else str(caption)
        self.fps = fps

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        run.log_video(key, self.data, fps=self.fps, step=step, caption=self.caption)


class Html(WBValue):
    """An HTML page: a str, an open text file, or a path to an .html file. The viewer shows it in a
    sandbox where its scripts do not run. ``inject`` is accepted and has no effect."""

    def __init__(self, data: Any, inject: bool = True) -> None:
        if hasattr(data, "read"):
            data = data.read()
        self.html = data
        self.inject = inject

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        run.log_html(key, self.html, step=step)


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
