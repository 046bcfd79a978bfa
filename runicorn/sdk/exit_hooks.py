"""How a run ends when its process does: an uncaught exception (``failed``, the traceback kept in
traceback.txt), Ctrl-C (``interrupted``), SIGTERM (``interrupted``), ``sys.exit(n)`` (``failed``
with the code when n != 0) and a normal end (``finished``), each with the exit status recorded.
"""

from __future__ import annotations

import atexit
import signal
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from runicorn import format as fmt
from runicorn.sdk import exit_code

_Block = TypeVar("_Block", bound="EndsWithBlock")


class EndsWithBlock:
    """``with run:``: the run finishes when the block ends; a block left by an exception ends it
    as :meth:`_end_by_exception` says (the SDK run and the W&B run each have their own rule)."""

    def finish(self) -> None:
        raise NotImplementedError

    def _end_by_exception(
        self, kind: type[BaseException] | None, exc: BaseException, tb: TracebackType | None
    ) -> None:
        raise NotImplementedError

    def __enter__(self: _Block) -> _Block:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.finish()
        else:
            self._end_by_exception(kind, exc, tb)


class ExitHooks:
    """Mixed into :class:`runicorn.sdk.run.Run`: installed at ``init``, removed at ``finish``."""

    dir: Path
    _previous_excepthook: Any
    _previous_sigterm: Any

    def _end(self, status: str, error: str | None = None, exit_status: int | None = None) -> None:
        raise NotImplementedError

    def _fail(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        process_ends: bool = False,
    ) -> None:
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            self._end(fmt.INTERRUPTED, "KeyboardInterrupt", 128 + signal.SIGINT if process_ends else None)
            return
        text = "".join(traceback.format_exception(kind, exc, tb)) if kind else ""
        try:
            if getattr(self, "_child", None) is None:  # a forked process's failure is not the run's
                (self.dir / fmt.TRACEBACK_FILE).write_text(text)
        except OSError:
            pass
        line = traceback.format_exception_only(kind, exc)[-1].strip() if kind else "failed"
        self._end(fmt.FAILED, line, 1 if process_ends else None)

    # --- process exit, uncaught exceptions, SIGTERM ------------------------------------------
    def _install_exit_hooks(self) -> None:
        exit_code.watch()
        atexit.register(self._at_exit)
        self._previous_excepthook = sys.excepthook
        sys.excepthook = self._excepthook
        self._previous_sigterm = None
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)
            except (ValueError, OSError):
                pass

    def _remove_exit_hooks(self) -> None:
        atexit.unregister(self._at_exit)
        if sys.excepthook == self._excepthook:
            sys.excepthook = self._previous_excepthook
        if self._previous_sigterm is not None and threading.current_thread() is threading.main_thread():
            try:
                if signal.getsignal(signal.SIGTERM) == self._on_sigterm:
                    signal.signal(signal.SIGTERM, self._previous_sigterm)
            except (ValueError, OSError):
                pass

    def _at_exit(self) -> None:
        code = exit_code.requested()
        last = getattr(sys, "last_value", None)
        if code == 0 and isinstance(last, KeyboardInterrupt):  # another sys.excepthook printed it
            self._end(fmt.INTERRUPTED, "KeyboardInterrupt", 128 + signal.SIGINT)
            exit_code.keep_interrupt_exit()
        elif code == 0:
            self._end(fmt.FINISHED, None, 0)
        else:
            self._end(fmt.FAILED, f"the process exited with status {code} (sys.exit)", code)

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        previous = self._previous_excepthook
        main = threading.current_thread() is threading.main_thread()
        self._fail(kind, exc, tb, process_ends=main)
        previous(kind, exc, tb)
        if main and issubclass(kind, KeyboardInterrupt) and exit_code.is_uncaught(exc):
            exit_code.keep_interrupt_exit()  # the process still dies by SIGINT, as without a run

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        previous = self._previous_sigterm
        self._end(fmt.INTERRUPTED, "SIGTERM", None if callable(previous) else 128 + signum)
        if callable(previous):
            previous(signum, frame)
        else:
            raise SystemExit(128 + signum)
