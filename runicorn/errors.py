"""Runicorn's errors: each carries a message saying what happened and a hint saying what to do."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class RunicornError(Exception):
    """Base error. ``str(err)`` is the message; ``err.hint`` tells the user what to do next."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nhint: {self.hint}"


@contextmanager
def os_error_as(kind: type[RunicornError], what: str, hint: str) -> Iterator[None]:
    """An ``OSError`` raised inside becomes ``kind("<what>: <the OS's reason>", hint)``: the
    user reads what failed and what to do, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise kind(f"{what}: {exc.strerror or exc}", hint) from exc


def print_notice(message: str, hint: str) -> None:
    """One line on stderr for something the user should know that is not an error (nothing is
    raised): what happened, then ``hint:`` what to do. Nothing when there is no stderr (closed, or
    a pythonw process)."""
    try:
        print(f"{message}; hint: {hint}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


class ConfigError(RunicornError):
    """Bad settings or arguments given by the user (init arguments, CLI flags, env vars)."""


class BadArgument(RunicornError, ValueError):
    """An argument that cannot be answered (an unknown sort field, a negative offset): the
    caller's mistake, a 400 over HTTP, where any other ``ValueError`` is a bug (a 500). Also a
    ``ValueError``, which callers of the store caught before this class existed."""


class StorageError(RunicornError):
    """The storage root or a run folder cannot be read or written."""


class RunNotFound(RunicornError):
    """No run with that id under the storage root."""


class RemoteError(RunicornError):
    """An SSH connection, host-key check or transfer failed."""


class HostKeyUnknown(RemoteError):
    """The SSH server's host key is not known yet; ``fingerprint`` is its SHA-256 fingerprint."""

    def __init__(self, message: str, hint: str | None = None, fingerprint: str = "") -> None:
        super().__init__(message, hint)
        self.fingerprint = fingerprint


class HostKeyChanged(RemoteError):
    """The SSH server's host key differs from the known one: refused."""


class ArtifactError(RunicornError):
    """An artifact could not be logged, found or materialised (unknown name, corrupt blob...)."""


class ArchiveError(RunicornError):
    """An archive was rejected (unsafe, corrupt, too big) or could not be written."""


class QueryError(RunicornError):
    """A run query (``?q=``, ``runicorn ls -q``) that does not parse: ``column`` is the 1-based
    position in the query where it went wrong (the message ends with ``at column N``)."""

    def __init__(self, message: str, column: int, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.column = column
