"""The ``runicorn`` command line: argument parsing and messages only; the work lives elsewhere.

One module per group of commands (``_add_<command>`` builds its parser, ``_run_<command>`` runs
it); this one puts them together and owns the process's exit: errors, Ctrl-C, a closed pipe.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from runicorn.cli.agent_commands import _add_agent
from runicorn.cli.archive_commands import _add_archive
from runicorn.cli.output import _print_error
from runicorn.cli.run_command import _add_run
from runicorn.cli.runs_commands import _add_ls, _add_rm, _add_tag
from runicorn.cli.settings_commands import _add_config, _add_notify
from runicorn.cli.sweep_command import _add_sweep
from runicorn.cli.sync_commands import _add_sync
from runicorn.cli.trust_command import _add_trust
from runicorn.cli.viewer_commands import _add_mirror, _add_viewer
from runicorn.errors import RunicornError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runicorn", description="Local-first, offline experiment tracker.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_config(sub)
    _add_trust(sub)
    _add_viewer(sub)
    _add_mirror(sub)
    _add_sync(sub)
    _add_archive(sub)
    _add_ls(sub)
    _add_tag(sub)
    _add_rm(sub)
    _add_run(sub)
    _add_notify(sub)
    _add_sweep(sub)
    _add_agent(sub)
    return parser


def _unblock_stop_signals() -> None:
    """Unblock SIGINT and SIGTERM in this (main) thread before any other thread starts: a mask
    inherited from the program that started us would make Ctrl-C and ``kill`` do nothing, and
    the viewer and the mirror run until stopped."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def main(argv: Sequence[str] | None = None) -> int:
    _unblock_stop_signals()
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a reader gone early is met here, not at exit
        return code
    except BrokenPipeError:
        if not _stdout_reader_gone():
            raise
        _silence_stdout()
        return 0


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from runicorn import __version__

        print(__version__)
        return 0
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except RunicornError as err:
        _print_error(err, args.debug)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _stdout_reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (``runicorn ... | head -1``), rather
    than some other connection (an SSH link) that broke."""
    import select

    if not hasattr(select, "poll"):
        return True  # cannot ask: a broken pipe in a command that prints is most likely stdout
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (OSError, ValueError):
        return False
    return any(mask & (select.POLLERR | select.POLLHUP) for _fd, mask in events)


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush at exit has somewhere to
    go (the recipe in Python's ``signal`` docs); the output the reader did not want is dropped."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
