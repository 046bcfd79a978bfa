"""A few metric keys of a run: :class:`KeySeries`.

A chart of one metric over hundreds of runs (compare, grouped metrics) needs that metric's column
of each run, not the run's every column. :class:`KeySeries` is a
:class:`~runicorn.store.metrics.series.RunSeries` that keeps only some metric keys (with the
steps, times and stages of every row, so its answers for those keys are the full series' own):
it takes them out of ``events.columns`` without decoding the other columns
(:func:`~runicorn.codec.frame_keys.key_frames`), each frame used only when the ``events.jsonl``
bytes it stands for still have the CRC-32 it names, as the full read checks it; the stretches no
valid frame covers are decoded from ``events.jsonl`` and the other keys dropped. Like a full
series it reads on from where it stopped when the file grows
(:mod:`runicorn.store.metrics.key_series_cache` keeps the recent ones).
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from runicorn import format as fmt
from runicorn.codec.blocks import Block
from runicorn.codec.checksum import crc32
from runicorn.codec.frame_keys import ColumnLayouts, ReadBuffer, key_frames
from runicorn.files import open_run_file
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.series import RunSeries

__all__ = ["KeySeries"]

_ITEM_BYTES = 8
_SERIES_BYTES = 4096  # what a series costs beyond its arrays (its objects), about


class KeySeries(RunSeries):
    """The history of metric ``keys`` of one run folder (no system samples, no images)."""

    frames_min_bytes = 0  # taking one key from the frames beats decoding any JSON

    def __init__(
        self,
        run_dir: Path,
        keys: Collection[str],
        layouts: ColumnLayouts | None = None,
        pool: DecodePool | None = None,
    ) -> None:
        self.keys = frozenset(keys)
        self.layouts = layouts or ColumnLayouts()  # shared by the series of a cache
        self._buffer: ReadBuffer | None = None  # while update_with reads
        super().__init__(run_dir, pool)

    def update_with(self, buffer: ReadBuffer) -> bool:
        """:meth:`update`, reading frames and events into ``buffer`` (one per thread)."""
        with self._lock:
            self._buffer = buffer
            try:
                return self.update()
            finally:
                self._buffer = None

    @property
    def nbytes(self) -> int:
        """About the memory the series holds: its arrays and objects."""
        rows = self.metric_rows
        items = 2 * len(rows.steps)
        for column in rows.columns.values():
            explicit = column.explicit_rows
            items += len(column.values) + (len(explicit) if explicit is not None else 0)
        return _ITEM_BYTES * items + _SERIES_BYTES

    def _reset(self) -> None:
        super()._reset()
        self._frames_at = 0  # where in events.columns the frames not used yet begin

    def _read_frames(self, f: io.BufferedReader, size: int) -> None:
        try:
            frames_file = open_run_file(self.run_dir, fmt.COLUMNS_FILE)
        except OSError:
            return
        buffer = self._buffer or ReadBuffer()
        with frames_file:
            for ref, block in key_frames(frames_file, self.keys, self.layouts, self._frames_at, buffer):
                if ref.start < self.offset:
                    self._frames_at = ref.position + ref.size
                    continue
                if ref.end > size:
                    break
                if ref.start > self.offset:
                    self._decode_to(f, ref.start)
                if ref.start != self.offset or block is None:
                    continue  # not where the read stands, or a frame that failed its checks
                if crc32(buffer.read(f.fileno(), ref.start, ref.end - ref.start)) != ref.events_crc:
                    continue  # events.jsonl changed under it: decoded from the file instead
                self._apply(block)
                self._frames_at = ref.position + ref.size

    def _apply(self, block: Block) -> None:
        metrics = block.metrics
        if (
            block.system is None
            and not block.images
            and (metrics is None or metrics.columns.keys() <= self.keys)
        ):
            super()._apply(block)  # a block of the frames: the keys alone already
            return
        if metrics is not None and not metrics.columns.keys() <= self.keys:
            columns = {k: v for k, v in metrics.columns.items() if k in self.keys}
            nonfinite = {k: v for k, v in metrics.nonfinite.items() if k in self.keys}
            metrics = replace(metrics, columns=columns, nonfinite=nonfinite)
        super()._apply(Block(block.nbytes, metrics=metrics, malformed=block.malformed))
