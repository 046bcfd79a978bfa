"""The last Python exception a command printed on its console, read as the console goes by.

``runicorn run`` wraps any command, so the only sign of why a Python script failed is what it
printed: ``Traceback (most recent call last):``, indented frames, then the unindented line
``ValueError: bad lr``. :class:`ConsoleException` follows the console text chunk by chunk (a
small state machine, no buffer of the whole log) and keeps the last traceback, so that the run's
error says ``ValueError: bad lr`` rather than only the exit code. Chained exceptions ("During
handling of the above exception...") leave the last one, as Python prints the outermost last.
"""

from __future__ import annotations

import re

HEADER = "Traceback (most recent call last):"
MAX_TRACEBACK_LINES = 400  # kept per traceback; the frames in the middle of a deeper one are cut
MAX_LINE_CHARS = 2000
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colours (Python 3.13 colours tracebacks on a tty)
# The line naming the exception: a dotted name, then ": message" or nothing.
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?::.*)?$")


class ConsoleException:
    """Fed the console text as it comes (:meth:`feed`); :attr:`error` is the last exception line
    seen after a traceback (``ValueError: bad lr``), :attr:`traceback` its whole text."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.traceback: str | None = None
        self._partial = ""
        self._lines: list[str] | None = None  # inside a traceback: its lines so far

    def feed(self, text: str) -> None:
        text = self._partial + text
        *lines, self._partial = text.split("\n")
        for line in lines:
            self._line(line)
        if len(self._partial) > MAX_LINE_CHARS:
            self._partial = self._partial[-MAX_LINE_CHARS:]

    def close(self) -> None:
        """The console ended: its last line, unfinished, counts too."""
        if self._partial:
            self._line(self._partial)
        self._partial = ""
        self._lines = None

    def _line(self, raw: str) -> None:
        line = _ANSI.sub("", raw.rstrip("\r").rsplit("\r", 1)[-1])[:MAX_LINE_CHARS]
        if line.strip() == HEADER:
            self._lines = [line.strip()]
            return
        if self._lines is None:
            return
        if line.startswith((" ", "\t")) or not line.strip():
            if len(self._lines) < MAX_TRACEBACK_LINES:
                self._lines.append(line)
            return
        if _EXCEPTION_LINE.match(line.strip()):  # the traceback's last line: what was raised
            self._lines.append(line)
            self.error = line.strip()
            self.traceback = "\n".join(self._lines) + "\n"
        self._lines = None
