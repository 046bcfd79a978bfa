"""The exit status the process is ending with, for the run finished at exit.

``atexit`` handlers cannot see it, so :func:`watch` wraps ``sys.exit`` (as other trackers do) and
records the code the main thread asks for before the ``SystemExit`` goes on its way. An uncaught
exception is seen by the run's ``sys.excepthook`` (exit status 1). A ``raise SystemExit(n)``
written out (or the builtins ``exit()``/``quit()``) outside ``with rn.init(...)`` goes through
neither, and reads as a normal end (0): a documented limitation.

Ctrl-C: an uncaught ``KeyboardInterrupt`` makes CPython, once it has run the ``atexit`` handlers
and finalised, kill itself with SIGINT (so that a shell loop running one script after another
stops, as it would for any program). Finishing a run at that point must not undo it:
:func:`keep_interrupt_exit`.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

_recorded: list[int] = []  # the code of the main thread's last sys.exit call
_original_exit: Any = None


def code_of(exit_arg: object) -> int:
    """The process exit status Python derives from ``sys.exit(arg)`` / ``SystemExit(arg)``."""
    if exit_arg is None:
        return 0
    if isinstance(exit_arg, int):
        return exit_arg % 256  # what the operating system keeps of it
    return 1  # a message: printed to stderr, status 1


def watch() -> None:
    """Wrap ``sys.exit`` once per process (idempotent)."""
    global _original_exit
    if _original_exit is not None:
        return
    _original_exit = sys.exit

    def exit(status: object = None) -> Any:  # noqa: A001 - stands in for sys.exit
        if threading.current_thread() is threading.main_thread():
            _recorded[:] = [code_of(status)]
        return _original_exit(status)

    exit.__doc__ = _original_exit.__doc__
    sys.exit = exit


def requested() -> int:
    """The code of the main thread's last ``sys.exit`` call, 0 when there was none."""
    return _recorded[-1] if _recorded else 0


def keep_interrupt_exit() -> None:
    """Keep the process ending by SIGINT after an uncaught ``KeyboardInterrupt``.

    CPython notes that the main module's code ended with a ``KeyboardInterrupt`` and, at the very
    end, kills itself with SIGINT instead of exiting with status 1. Running any code through
    ``exec`` of a string clears that note (making a namedtuple or a dataclass does, and finishing
    a run imports modules that make them): the process would then exit with status 1, and the
    shell would take Ctrl-C as handled and start the next command. One ``raise KeyboardInterrupt``
    run the same way, and caught here, sets the note again."""
    try:
        exec("raise KeyboardInterrupt")
    except KeyboardInterrupt:
        pass


def is_uncaught(exc: BaseException | None) -> bool:
    """True when ``exc`` is the exception the interpreter is printing as uncaught (it keeps it in
    ``sys.last_value`` before calling ``sys.excepthook``), not one a library shows and survives."""
    return exc is not None and getattr(sys, "last_value", None) is exc
