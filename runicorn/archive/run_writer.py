"""Write a whole run folder from records that already happened: :class:`RunWriter`.

An importer is a writer, like the SDK: every line goes through ``runicorn.format``'s encoders,
stamped with the record's own wall time, not the time of the import. The folder is written in
one go (no heartbeat, no lock): it is made in a staging folder and moved into place whole.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from runicorn import format as fmt
from runicorn.errors import ArchiveError
from runicorn.files import write_json_atomic

_BUFFER_BYTES = 1 << 20
_IMAGE_SUFFIXES = ((b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF8", ".gif"))


def image_suffix(encoded: bytes) -> str:
    """The file name ending of an encoded image, by its first bytes (``.png`` when unknown)."""
    for magic, suffix in _IMAGE_SUFFIXES:
        if encoded.startswith(magic):
            return suffix
    return ".png"


def _media_suffix(name: str) -> str:
    """A media file's ending as the format names it (``.table.json`` whole), safe characters only."""
    if name.endswith(fmt.TABLE_SUFFIX):
        return fmt.TABLE_SUFFIX
    suffix = Path(name).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 8 else ""


class RunWriter:
    """Appends records to a new run folder ``run_dir``; :meth:`finish` writes its JSON files."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True)
        self._events: IO[bytes] = open(self.dir / fmt.EVENTS_FILE, "xb", buffering=_BUFFER_BYTES)
        self._logs: IO[bytes] | None = None
        self.counts = {
            kind: 0 for kind in (fmt.METRICS, *fmt.MEDIA_FILE_KINDS, fmt.HISTOGRAM, "text", "console")
        }
        self.first_time: float | None = None
        self.last_time: float | None = None

    @contextmanager
    def importing(self, source: Path, what: str) -> Iterator[None]:
        """Around the reading of one source run: on an error the writer is closed, and an OSError
        becomes an ArchiveError naming ``source`` (``what`` names it in the hint)."""
        try:
            yield
        except OSError as exc:
            self.close()
            raise ArchiveError(
                f"cannot import {source}: {exc.strerror or exc}",
                f"runs listed before this one were imported; check {what} and the storage root",
            ) from exc
        except BaseException:
            self.close()
            raise

    def _seen(self, wall_time: float) -> None:
        if self.first_time is None or wall_time < self.first_time:
            self.first_time = wall_time
        if self.last_time is None or wall_time > self.last_time:
            self.last_time = wall_time

    def metric(self, key: str, value: float, step: int, wall_time: float) -> None:
        data = {key: value, fmt.STEP_KEY: step, fmt.TIME_KEY: wall_time}
        self._events.write(fmt.encode_event(fmt.METRICS, data, wall_time))
        self.counts[fmt.METRICS] += 1
        self._seen(wall_time)

    def row(self, values: dict[str, float], step: int, wall_time: float) -> None:
        """One ``metrics`` record holding several metrics at one step (``values`` has no reserved key)."""
        data = {**values, fmt.STEP_KEY: step, fmt.TIME_KEY: wall_time}
        self._events.write(fmt.encode_event(fmt.METRICS, data, wall_time))
        self.counts[fmt.METRICS] += 1
        self._seen(wall_time)

    def system(self, values: dict[str, float], wall_time: float) -> None:
        """One ``system`` record (``values`` under the format's system keys)."""
        data = {**values, fmt.TIME_KEY: wall_time}
        self._events.write(fmt.encode_event(fmt.SYSTEM, data, wall_time))

    def media_file(
        self, kind: str, key: str, source: Path, step: int, wall_time: float, extra: dict[str, Any]
    ) -> None:
        """Copy the file ``source`` under ``media/`` and write its ``kind`` record (one of
        ``format.MEDIA_FILE_KINDS``) with ``extra`` fields (``caption``, ``columns``, ...)."""
        relpath = fmt.media_relpath(key, wall_time, _media_suffix(source.name))
        path = self.dir / relpath
        path.parent.mkdir(exist_ok=True)
        with open(source, "rb") as src, open(path, "xb") as dst:
            shutil.copyfileobj(src, dst, _BUFFER_BYTES)
        self.media_record(kind, {**extra, "key": key, "path": relpath, "step": step}, wall_time)

    def media_bytes(self, key: str, suffix: str, content: bytes, wall_time: float) -> str:
        """Write ``content`` as a new file under ``media/``; its path relative to the run."""
        relpath = fmt.media_relpath(key, wall_time, suffix)
        path = self.dir / relpath
        path.parent.mkdir(exist_ok=True)
        with open(path, "xb") as f:
            f.write(content)
        return relpath

    def media_record(self, kind: str, data: dict[str, Any], wall_time: float) -> None:
        self._events.write(fmt.encode_event(kind, data, wall_time))
        self.counts[kind] += 1
        self._seen(wall_time)

    def run_file(self, relpath: str, source: Path) -> None:
        """Copy ``source`` to ``files/<relpath>`` (a ``wandb.save`` file; ``relpath`` is safe)."""
        path = self.dir / fmt.FILES_DIR / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(source, "rb") as src, open(path, "xb") as dst:
            shutil.copyfileobj(src, dst, _BUFFER_BYTES)

    def image(self, key: str, encoded: bytes, step: int, wall_time: float) -> None:
        relpath = fmt.media_relpath(key, wall_time, image_suffix(encoded))
        path = self.dir / relpath
        path.parent.mkdir(exist_ok=True)
        with open(path, "xb") as f:
            f.write(encoded)
        record = fmt.ImageData(key=key, path=relpath, step=step, caption=None)
        self._events.write(fmt.encode_event(fmt.IMAGE, dict(record), wall_time))
        self.counts[fmt.IMAGE] += 1
        self._seen(wall_time)

    def histogram(
        self, key: str, edges: list[float], counts: list[float], step: int, wall_time: float
    ) -> None:
        record = fmt.HistogramData(key=key, step=step, edges=edges, counts=counts)
        self._events.write(fmt.encode_event(fmt.HISTOGRAM, dict(record), wall_time))
        self.counts[fmt.HISTOGRAM] += 1
        self._seen(wall_time)

    def text(self, text: str, wall_time: float) -> None:
        """Lines of ``logs.txt``, as ``rn.log_text`` writes them, at ``wall_time``."""
        if self._logs is None:
            self._logs = open(self.dir / fmt.LOGS_FILE, "xb", buffering=_BUFFER_BYTES)
        for line in text.splitlines() or [""]:
            self._logs.write(fmt.text_line(line, wall_time).encode("utf-8", "replace"))
        self.counts["text"] += 1
        self._seen(wall_time)

    def console(self, text: str, wall_time: float) -> None:
        """A captured console line of ``logs.txt`` (``[HH:MM:SS] text``)."""
        if self._logs is None:
            self._logs = open(self.dir / fmt.LOGS_FILE, "xb", buffering=_BUFFER_BYTES)
        self._logs.write(fmt.console_line(text, wall_time).encode("utf-8", "replace"))
        self.counts["console"] += 1

    def finish(
        self,
        meta: dict[str, Any],
        config: dict[str, Any],
        status: fmt.StatusData,
        summary: dict[str, Any] | None = None,
    ) -> None:
        """Close the append-only files, frame ``events.columns`` as the SDK leaves it (about 1 s
        per 1,000,000 lines: a viewer then opens a long run without decoding its JSON) and write
        meta, config and status."""
        from runicorn.sdk.frames_writer import frame_events_file

        self.close()
        frame_events_file(self.dir)
        write_json_atomic(self.dir / fmt.META_FILE, meta)
        write_json_atomic(self.dir / fmt.CONFIG_FILE, config)
        write_json_atomic(self.dir / fmt.STATUS_FILE, dict(status))
        if summary is not None:
            write_json_atomic(self.dir / fmt.SUMMARY_FILE, summary)

    def close(self) -> None:
        self._events.close()
        if self._logs is not None:
            self._logs.close()
