"""Console capture: tee ``sys.stdout``/``sys.stderr`` into the run's ``logs.txt``.

Each complete line is written with a ``[HH:MM:SS]`` prefix. Progress bars that redraw one line
with carriage returns (tqdm) are kept readable: only the last state of such a line is written,
not every redraw.
"""

from __future__ import annotations

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


class ConsoleCapture:
    """Installs the tees on start() and removes them on stop(), if nobody replaced them since."""

    def __init__(self, sink: deque[bytes]) -> None:
        self._assembler = {"stdout": LineAssembler(sink), "stderr": LineAssembler(sink)}
        self._tees: dict[str, Tee] = {}

    def start(self) -> None:
        for name, assembler in self._assembler.items():
            original = getattr(sys, name)
            if original is None:
                continue
            tee = Tee(original, assembler)
            self._tees[name] = tee
            setattr(sys, name, tee)

    def stop(self) -> None:
        for name, tee in self._tees.items():
            if getattr(sys, name) is tee:
                setattr(sys, name, tee._original)
            self._assembler[name].close()
        self._tees.clear()
