"""W&B media values of a history row (dicts with a ``_type``) written as Runicorn records.

In the history W&B keeps a reference to a file under the run's ``files/`` folder
(``{"_type": "image-file", "path": "media/images/img_5_da72.png", "caption": ...}``) or, for a
histogram, the bins themselves. What becomes what:

- ``image-file`` and ``images/separated`` (several images under one key): ``image`` records;
- ``table-file``: a ``table`` record, its rows rewritten as Runicorn's table file
  (``{"columns", "data"}``, at most ``format.MAX_TABLE_ROWS`` rows);
- ``audio-file``, ``video-file``, ``html-file``: ``audio``, ``video``, ``html`` records;
- ``histogram`` (``bins`` and ``values``, or ``packedBins``): a ``histogram`` record;
- anything else (3D objects, molecules, plotly and bokeh charts, joined tables): its file stays
  in the run's ``files/`` as W&B wrote it, and a note counts them.

A path is taken only when it names a plain file inside ``files/``: no ``..``, no absolute path,
no link on the way. A missing or refused file is counted in a note, never fatal.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.archive.run_writer import RunWriter
from runicorn.archive.tensorboard import merge_bins

MAX_TABLE_FILE_BYTES = 256 * 1024 * 1024
_FILE_KINDS = {
    "image-file": fmt.IMAGE,
    "audio-file": fmt.AUDIO,
    "video-file": fmt.VIDEO,
    "html-file": fmt.HTML,
}
_SUFFIXES = {fmt.AUDIO: fmt.AUDIO_SUFFIXES, fmt.VIDEO: fmt.VIDEO_SUFFIXES, fmt.HTML: (fmt.HTML_SUFFIX,)}


class MediaWriter:
    """Writes the media of one run; :attr:`used` holds the files written as records."""

    def __init__(self, writer: RunWriter, files_dir: Path) -> None:
        self.writer = writer
        self.files_dir = files_dir
        self.used: set[Path] = set()
        self.count = 0
        self.missing: Counter[str] = Counter()  # key -> files not found or refused
        self.unknown: Counter[str] = Counter()  # W&B type -> values kept only as files
        self.bad: Counter[str] = Counter()  # key -> values that are not what their type says

    def write(self, key: str, value: dict[str, Any], step: int, wall_time: float) -> bool:
        """Write one media value; False when it is no media value at all (``_type`` not text)."""
        kind = value.get("_type")
        if not isinstance(kind, str):
            return False
        if kind in _FILE_KINDS:
            self._file(_FILE_KINDS[kind], key, value.get("path"), value.get("caption"), step, wall_time)
        elif kind == "images/separated":
            names, captions = value.get("filenames"), value.get("captions")
            if not isinstance(names, list):
                self.bad[key] += 1
                return True
            captions = captions if isinstance(captions, list) else []
            for i, name in enumerate(names):
                caption = captions[i] if i < len(captions) else None
                self._file(fmt.IMAGE, key, name, caption, step, wall_time)
        elif kind == "table-file":
            self._table(key, value.get("path"), step, wall_time)
        elif kind == "histogram":
            self._histogram(key, value, step, wall_time)
        else:
            self.unknown[kind] += 1
        return True

    def _file(self, kind: str, key: str, rel: Any, caption: Any, step: int, wall_time: float) -> None:
        source = self.source(rel)
        if source is None or (kind in _SUFFIXES and not source.name.lower().endswith(_SUFFIXES[kind])):
            self.missing[key] += 1
            return
        extra: dict[str, Any] = {}
        if kind != fmt.HTML:
            extra["caption"] = caption if isinstance(caption, str) else None
        self.writer.media_file(kind, key, source, step, wall_time, extra)
        self.used.add(source)
        self.count += 1

    def _table(self, key: str, rel: Any, step: int, wall_time: float) -> None:
        source = self.source(rel)
        if source is None or source.stat().st_size > MAX_TABLE_FILE_BYTES:
            self.missing[key] += 1
            return
        try:
            table = orjson.loads(source.read_bytes())
        except orjson.JSONDecodeError:
            table = None  # NaN, which W&B may write as a bare word, or not JSON: below
            with contextlib.suppress(ValueError, RecursionError):
                table = json.loads(source.read_bytes())
        columns = table.get("columns") if isinstance(table, dict) else None
        rows = table.get("data") if isinstance(table, dict) else None
        if (
            not isinstance(columns, list)
            or len(columns) > fmt.MAX_TABLE_COLUMNS
            or not isinstance(rows, list)
            or not all(isinstance(row, list) for row in rows)
        ):
            self.bad[key] += 1
            return
        columns = [str(column) for column in columns]
        kept = rows[: fmt.MAX_TABLE_ROWS]
        content = {fmt.TABLE_COLUMNS_KEY: columns, fmt.TABLE_DATA_KEY: kept}
        try:
            encoded = orjson.dumps(content)
        except orjson.JSONEncodeError:  # an integer past 64 bits, a table nested too deep
            self.bad[key] += 1
            return
        relpath = self.writer.media_bytes(key, fmt.TABLE_SUFFIX, encoded, wall_time)
        record: dict[str, Any] = {
            "key": key,
            "step": step,
            "path": relpath,
            "columns": columns,
            "rows": len(kept),
        }
        if len(rows) > len(kept):
            record["rows_dropped"] = len(rows) - len(kept)
        self.writer.media_record(fmt.TABLE, record, wall_time)
        self.used.add(source)
        self.count += 1

    def _histogram(self, key: str, value: dict[str, Any], step: int, wall_time: float) -> None:
        counts, edges = value.get("values"), value.get("bins")
        packed = value.get("packedBins")
        if isinstance(packed, dict) and isinstance(counts, list):
            low, width, n = packed.get("min"), packed.get("size"), packed.get("count")
            if _number(low) and _number(width) and isinstance(n, int) and n == len(counts):
                edges = [float(low) + i * float(width) for i in range(n + 1)]  # type: ignore[arg-type]
        if (
            not isinstance(counts, list)
            or not isinstance(edges, list)
            or not counts
            or len(edges) != len(counts) + 1
            or not all(map(_number, counts))
            or not all(map(_number, edges))
            or any(b <= a for a, b in zip(edges, edges[1:], strict=False))
        ):
            self.bad[key] += 1
            return
        edges, counts = merge_bins([float(e) for e in edges], [float(c) for c in counts])
        record = fmt.HistogramData(key=key, step=step, edges=edges, counts=counts)
        self.writer.media_record(fmt.HISTOGRAM, dict(record), wall_time)
        self.count += 1

    def source(self, rel: Any) -> Path | None:
        """The plain file ``rel`` names inside ``files/``, or None (missing, a link, outside)."""
        if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel:
            return None
        parts = PurePosixPath(rel).parts
        if rel.startswith("/") or any(part in ("..", ".") for part in parts):
            return None
        path, mode = self.files_dir, 0
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return None
            for part in parts:
                path = path / part
                mode = os.lstat(path).st_mode
                if stat.S_ISLNK(mode):
                    return None
        except OSError:
            return None
        return path if stat.S_ISREG(mode) else None

    def notes(self) -> list[str]:
        notes = []
        if self.missing:
            notes.append(
                f"{sum(self.missing.values())} media files named in the history were missing or not "
                f"plain files inside files/ ({', '.join(sorted(self.missing)[:5])}); not imported"
            )
        if self.bad:
            notes.append(
                f"{sum(self.bad.values())} media values were not what their type says "
                f"({', '.join(sorted(self.bad)[:5])}); not imported"
            )
        for kind, count in sorted(self.unknown.items()):
            notes.append(f"{count} {kind} values have no Runicorn record: their files are kept under files/")
        return notes


def _number(value: Any) -> bool:
    """A finite number a float can hold."""
    if type(value) is int:
        return abs(value) < 2**1023
    return type(value) is float and value == value and abs(value) != float("inf")
