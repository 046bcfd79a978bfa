"""The media calls of a run (``log_image``, ``log_histogram``, ``log_table``, ``log_audio``,
``log_video``, ``log_html``): each takes a cheap copy on the caller's thread and queues it for the
writer thread, which encodes it, writes its file under ``media/`` and then its record. A value
that cannot be saved is dropped, warned once per key and counted, never raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from runicorn import format as fmt
from runicorn.sdk import media_kinds
from runicorn.sdk.media import MediaSnapshot, MediaWriter, snapshot
from runicorn.sdk.values import DropLedger


class MediaCalls:
    """Mixed into :class:`runicorn.sdk.run.Run`, whose state these calls use."""

    _finished: bool
    _step: int
    _media: MediaWriter
    _drops: DropLedger

    def log_image(self, key: str, image: Any, step: int | None = None, caption: str | None = None) -> None:
        """Save an image under media/ and record it at ``step`` (the current step when omitted)."""
        if self._finished:
            return
        try:
            image_copy = snapshot(image)  # a memcpy; encoding and writing happen in the writer thread
            now = time.time()
            record = fmt.ImageData(
                key=str(key),
                path=fmt.media_relpath(str(key), now, image_copy.suffix),
                step=self._step if step is None else int(step),
                caption=caption,
            )
            self._media.put(image_copy, record, now)
        except Exception as exc:  # noqa: BLE001
            self._drops.drop(str(key), type(image).__name__, f"not saved as an image: {exc}")

    def log_histogram(
        self,
        key: str,
        values: Any = None,
        *,
        counts: Any = None,
        edges: Any = None,
        num_bins: int = 64,
        step: int | None = None,
    ) -> None:
        """Record the distribution of ``values`` (binned into ``num_bins`` in the writer thread;
        NaN and infinities left out and counted), or bins already made (``counts``, ``edges``)."""
        self._put_media(
            fmt.HISTOGRAM,
            key,
            step,
            None,
            lambda: media_kinds.histogram_snapshot(values, counts, edges, num_bins),
        )

    def log_table(
        self,
        key: str,
        columns: Any,
        rows: Any,
        step: int | None = None,
        chart: Mapping[str, Any] | None = None,
    ) -> None:
        """Save a table (column names, rows of cells) under media/ and record it; ``chart`` (a
        :class:`runicorn.format.ChartSpec`) is how the viewer draws it."""
        self._put_media(fmt.TABLE, key, step, None, lambda: media_kinds.table_snapshot(columns, rows, chart))

    def log_audio(
        self,
        key: str,
        data_or_path: Any,
        sample_rate: int | None = None,
        step: int | None = None,
        caption: str | None = None,
    ) -> None:
        """Save audio under media/: a float array (written as WAV) or a wav/mp3/ogg/flac file."""
        self._put_media(
            fmt.AUDIO, key, step, caption, lambda: media_kinds.audio_snapshot(data_or_path, sample_rate)
        )

    def log_video(
        self, key: str, data_or_path: Any, fps: float = 4, step: int | None = None, caption: str | None = None
    ) -> None:
        """Save a video under media/: an mp4/webm/gif file, or frames T×C×H×W written as a GIF."""
        self._put_media(fmt.VIDEO, key, step, caption, lambda: media_kinds.video_snapshot(data_or_path, fps))

    def log_html(self, key: str, html_or_path: Any, step: int | None = None) -> None:
        """Save an HTML page (a str, or an .html file) under media/; the viewer shows it sandboxed."""
        self._put_media(fmt.HTML, key, step, None, lambda: media_kinds.html_snapshot(html_or_path))

    def _put_media(
        self, kind: str, key: str, step: int | None, caption: str | None, take: Callable[[], MediaSnapshot]
    ) -> None:
        """Copy a media value (``take``, on this thread) and queue it for the writer thread."""
        if self._finished:
            return
        try:
            copy = take()
            now = time.time()
            record: dict[str, Any] = {"key": str(key), "step": self._step if step is None else int(step)}
            if kind == fmt.TABLE:
                table = copy.value
                record.update(columns=copy.columns, rows=len(table))  # type: ignore[attr-defined]
            if kind != fmt.HISTOGRAM:
                record["path"] = fmt.media_relpath(str(key), now, _suffix(kind, copy))
            if kind in (fmt.AUDIO, fmt.VIDEO, fmt.HTML):
                record["caption"] = caption
            self._media.put(copy, record, now, kind)
        except Exception as exc:  # noqa: BLE001 - never raise into the training loop
            self._drops.drop(str(key), f"<{kind}>", f"not saved as {_article(kind)} {kind}: {exc}")


def _suffix(kind: str, copy: MediaSnapshot) -> str:
    return fmt.TABLE_SUFFIX if kind == fmt.TABLE else str(getattr(copy, "suffix", ""))


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"
