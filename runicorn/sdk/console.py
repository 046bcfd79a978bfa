"""Console capture: what the process prints goes on to the terminal and into ``logs.txt``.

On POSIX the capture is at the file-descriptor level (:class:`FdCapture`): fds 1 and 2 are
pointed at pipes that a thread reads, copying every byte to the real terminal first and then into
the log, so the output of child processes (``os.system``, ``subprocess`` inheriting stdout) is
caught too. A Python stream that does not write to fd 1 or 2 (a notebook's, pytest's) is teed at
the Python level instead (:class:`Tee`), so no line is logged twice.

Each complete line is written with a ``[HH:MM:SS]`` prefix. Progress bars that redraw one line
with carriage returns (tqdm) are kept readable: only the last state of such a line is written,
not every redraw.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import select
import subprocess
import sys
import threading
import time
from collections import deque
from typing import Any, TextIO

from runicorn.format import console_line


class LineAssembler:
    """Turns a stream of text chunks into finished lines, resolving carriage returns."""

    def __init__(self, emit: deque[bytes]) -> None:
        self._emit = emit
        self._partial = ""
        self._lock = threading.Lock()

    def feed(self, text: str) -> None:
        with self._lock:
            text = self._partial + text
            *lines, self._partial = text.split("\n")
            now = time.time()
            for line in lines:
                self._emit.append(console_line(_last_state(line), now).encode("utf-8", "replace"))
            if len(self._partial) > 65536:  # a line that never ends: keep only its last state
                self._partial = _last_state(self._partial)

    def close(self) -> None:
        with self._lock:
            if self._partial.strip("\r"):
                self._emit.append(
                    console_line(_last_state(self._partial), time.time()).encode("utf-8", "replace")
                )
            self._partial = ""


def _last_state(line: str) -> str:
    """What a terminal shows for a line redrawn with ``\\r``: the text after the last one."""
    line = line.rstrip("\r")
    return line.rsplit("\r", 1)[-1] if "\r" in line else line


class Tee:
    """A text stream that writes to the original stream and to a :class:`LineAssembler`."""

    def __init__(self, original: TextIO, assembler: LineAssembler) -> None:
        self._original = original
        self._assembler = assembler

    def write(self, text: str) -> int:
        n = self._original.write(text)
        try:
            self._assembler.feed(text)
        except Exception:  # noqa: BLE001 - capture must never break printing
            pass
        return n

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._original.flush()

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding, buffer, ...
        return getattr(self._original, name)


class FdCapture:
    """Points fds 1 and 2 at pipes read by one thread, which writes what comes to the original
    fds (the terminal) and feeds it to each fd's :class:`LineAssembler`.

    If the thread fails, the fds are put back at once and what is still in the pipes goes on to
    the terminal uncaptured: the user's output is never swallowed. :meth:`stop` puts the fds back,
    then waits until the thread has read what was printed before (children's output included).
    """

    def __init__(self, assemblers: dict[int, LineAssembler]) -> None:
        self._assemblers = assemblers
        self._saved: dict[int, int] = {}  # fd -> a duplicate of what it pointed at before
        self._readers: dict[int, int] = {}  # read end of a pipe -> the fd it stands for
        self._restore_lock = threading.Lock()
        self._restored = False
        self._drained = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="runicorn-console", daemon=True)

    def start(self) -> None:
        for fd in self._assemblers:
            saved = os.dup(fd)
            read_end, write_end = os.pipe()
            os.dup2(write_end, fd)  # inheritable: child processes write into the pipe too
            os.close(write_end)
            self._saved[fd] = saved
            self._readers[read_end] = fd
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._restore()
        if not self._thread.is_alive():  # never started (start() failed half-way): nothing to drain
            self._close_fds()
            return
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        self._drained.wait(timeout_s)

    def _close_fds(self) -> None:
        for fd in (*self._readers, *self._saved.values(), self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _restore(self) -> None:
        with self._restore_lock:
            if self._restored:
                return
            self._restored = True
            for fd, saved in self._saved.items():
                with contextlib.suppress(OSError):
                    os.dup2(saved, fd)

    def _run(self) -> None:
        try:
            self._pump(capture=True)
        except Exception:  # noqa: BLE001 - never swallow the user's output: pass it through
            self._restore()
            self._drained.set()
            with contextlib.suppress(Exception):
                self._pump(capture=False)
        finally:
            self._drained.set()
            self._close_fds()

    def _pump(self, capture: bool) -> None:
        """Copy the pipes to the terminal (and, while ``capture``, to the log) until they close."""
        decoders = {fd: codecs.getincrementaldecoder("utf-8")("replace") for fd in self._assemblers}
        open_ends = list(self._readers)
        stopping = False
        while open_ends:
            watched = open_ends + ([self._wake_r] if capture and not stopping else [])
            ready, _, _ = select.select(watched, [], [])
            if self._wake_r in ready:
                stopping = True
            for read_end in ready:
                if read_end == self._wake_r:
                    continue
                fd = self._readers[read_end]
                data = os.read(read_end, 65536)
                if not data:
                    open_ends.remove(read_end)
                    continue
                _write_all(self._saved[fd], data)
                if capture:
                    with contextlib.suppress(Exception):
                        self._assemblers[fd].feed(decoders[fd].decode(data))
            if stopping and capture and not select.select(open_ends, [], [], 0)[0]:
                capture = False  # all printed before stop() is in the log; the rest passes through
                self._drained.set()
                if self._hand_over(open_ends):
                    return

    def _hand_over(self, open_ends: list[int]) -> bool:
        """A child still holds a pipe after stop() (a background process): ``cat`` copies the rest
        of its output to the terminal, and outlives this process, so that the child never writes
        into a pipe nobody reads (SIGPIPE would kill it). False when ``cat`` cannot start."""
        for read_end in list(open_ends):
            try:
                subprocess.Popen(["cat"], stdin=read_end, stdout=self._saved[self._readers[read_end]])
            except OSError:
                continue  # this one stays with the thread
            open_ends.remove(read_end)
        return not open_ends


def _write_all(fd: int, data: bytes) -> None:
    """Write ``data`` to the terminal; a terminal that is gone is ignored (as a closed pipe)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        pass


_FDS = {"stdout": 1, "stderr": 2}


def _writes_to(stream: Any, fd: int) -> bool:
    try:
        return bool(stream.fileno() == fd)
    except Exception:  # noqa: BLE001 - io.UnsupportedOperation, a closed stream, no fileno
        return False


class ConsoleCapture:
    """Installs the capture on start() and removes it on stop(): fds 1 and 2 at the descriptor
    level (POSIX), and a tee for a Python stream that does not write to them."""

    def __init__(self, sink: deque[bytes]) -> None:
        self._assembler = {"stdout": LineAssembler(sink), "stderr": LineAssembler(sink)}
        self._tees: dict[str, Tee] = {}
        self._fds: FdCapture | None = None

    def start(self) -> None:
        if os.name == "posix":
            self._start_fds()
        for name, assembler in self._assembler.items():
            original = getattr(sys, name)
            if original is None or (self._fds is not None and _writes_to(original, _FDS[name])):
                continue  # its writes reach the captured fd: teeing them too would log them twice
            tee = Tee(original, assembler)
            self._tees[name] = tee
            setattr(sys, name, tee)

    def _start_fds(self) -> None:
        assemblers: dict[int, LineAssembler] = {}
        for name, fd in _FDS.items():
            try:
                os.fstat(fd)
            except OSError:
                continue  # no such fd (a daemon with its streams closed)
            _flush(getattr(sys, name))  # what was printed before the run is not the run's
            assemblers[fd] = self._assembler[name]
        if not assemblers:
            return
        capture = FdCapture(assemblers)
        try:
            capture.start()
        except OSError:
            capture.stop()
            return
        self._fds = capture

    def stop(self) -> None:
        for name, tee in self._tees.items():
            if getattr(sys, name) is tee:
                setattr(sys, name, tee._original)
        self._tees.clear()
        if self._fds is not None:
            for name in _FDS:
                _flush(getattr(sys, name))  # Python's buffers into the pipes before they close
            self._fds.stop()
            self._fds = None
        for assembler in self._assembler.values():
            assembler.close()


def _flush(stream: Any) -> None:
    with contextlib.suppress(Exception):
        stream.flush()
