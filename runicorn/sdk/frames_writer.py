"""Keeps ``events.columns`` beside ``events.jsonl``: :class:`FramesWriter`.

The run's writer thread says how many bytes it appended to ``events.jsonl``; once about a block
of whole lines is unframed, they are read back, decoded (the reader's own
:func:`~runicorn.codec.blocks.decode_block`) and appended to ``events.columns`` as one frame
(:mod:`runicorn.codec.frames`), so a viewer opens a long run without decoding its JSON.

Framing costs about 2 µs of CPU per line. While the run trains it may use at most
:data:`BUDGET` of the time (a real training step is far slower than logging, so it keeps up);
a tight logging loop outruns it, and the rest is framed when the run finishes, for at most
:data:`FINISH_LIMIT_S`. Nothing is held in memory meanwhile: the bytes are read back from
``events.jsonl``.

It is a speed-up only, never a risk to the run: any error (a full disk, anything unexpected) turns
it off for the rest of the run, quietly, and readers decode the unframed part of
``events.jsonl`` as they always can.
"""

from __future__ import annotations

import logging
import math
import os
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from runicorn import format as fmt

log = logging.getLogger("runicorn")
FRAME_BYTES = 512 * 1024  # events bytes per frame: the size of the viewer's decode blocks
BUDGET = 0.05  # the share of the run's time framing may take while the run goes on
FINISH_LIMIT_S = 5.0  # framing what is left when the run finishes stops after this long


def frame_events_file(run_dir: Path) -> None:
    """Write ``events.columns`` for the whole ``events.jsonl`` of a run folder: what the SDK
    leaves once it has kept up (the viewer bench builds its big run this way)."""
    events = run_dir / fmt.EVENTS_FILE
    try:
        size = events.stat().st_size
    except OSError:
        return
    frames = FramesWriter(events, run_dir / fmt.COLUMNS_FILE, budget=math.inf)
    frames.events_opened(0)
    frames.written(size)
    frames.close(limit_s=math.inf)


class FramesWriter:
    """Frames a run's events file a block at a time, within a CPU budget."""

    def __init__(
        self,
        events_path: Path,
        columns_path: Path,
        block_bytes: int = FRAME_BYTES,
        budget: float = BUDGET,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.events_path = events_path
        self.path = columns_path
        self.block_bytes = block_bytes
        self.budget = budget
        self.enabled = True
        self._clock = clock
        self._started = clock()
        self._spent = 0.0  # seconds spent framing so far
        self._next = -1  # events offset of the first unframed byte; -1 until the file is opened
        self._end = -1  # events offset just after the last byte written
        self._events_fd: int | None = None
        self._fd: int | None = None

    def events_opened(self, size: int) -> None:
        """The events file was opened for appending and holds ``size`` bytes."""
        self._next = self._end = size

    def written(self, count: int) -> None:
        """``count`` more bytes reached the events file; frames whole blocks while in budget."""
        if self._end < 0:
            return
        self._end += count
        while (
            self.enabled
            and self._end - self._next >= self.block_bytes
            and self._spent < self.budget * (self._clock() - self._started)
        ):
            if not self._frame_next():  # a line not complete yet (a write cut short)
                break

    def close(self, limit_s: float = FINISH_LIMIT_S) -> None:
        """Frame what is left (whole lines, for at most ``limit_s``) and close the files."""
        deadline = self._clock() + limit_s
        while self.enabled and self._next < self._end and self._clock() < deadline:
            if not self._frame_next():
                break
        for fd in (self._fd, self._events_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._fd = self._events_fd = None

    def _frame_next(self) -> bool:
        """Frame the next block of whole lines; False when there is none (or on an error)."""
        began = self._clock()
        try:
            # Imported here: the codec costs a training script nothing until a frame.
            from runicorn.codec.blocks import decode_block, gc_paused
            from runicorn.codec.frames import encode_frame

            chunk = self._read_lines()
            if not chunk:
                return False
            with gc_paused():
                block = decode_block(chunk)
            self._append(encode_frame(block, self._next, zlib.crc32(chunk)))
        except Exception as exc:  # noqa: BLE001 - a speed-up must never hurt the run
            self.enabled = False
            log.debug("runicorn: stopped writing %s: %r", self.path, exc)
            return False
        finally:
            self._spent += self._clock() - began
        self._next += len(chunk)
        return True

    def _read_lines(self) -> bytes:
        """About a block of whole lines from the first unframed byte (empty when none is whole)."""
        if self._events_fd is None:
            self._events_fd = os.open(self.events_path, os.O_RDONLY)
        fd = self._events_fd
        data = os.pread(fd, min(self.block_bytes, self._end - self._next), self._next)
        cut = data.rfind(b"\n") + 1
        if cut:
            return data[:cut]
        at = self._next + len(data)  # one line longer than a block: find its end, read it whole
        while at < self._end:
            more = os.pread(fd, min(self.block_bytes, self._end - at), at)
            if not more:
                break
            newline = more.find(b"\n")
            if newline >= 0:
                return os.pread(fd, at + newline + 1 - self._next, self._next)
            at += len(more)
        return b""

    def _append(self, frame: bytes) -> None:
        if self._fd is None:
            from runicorn.codec.frames import valid_length

            # A frame torn by a crash of an earlier writer would hide every frame after it.
            keep = valid_length(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o666)  # the umask decides
            os.ftruncate(self._fd, keep)
            os.lseek(self._fd, keep, os.SEEK_SET)
        view = memoryview(frame)
        while view:
            view = view[os.write(self._fd, view) :]
