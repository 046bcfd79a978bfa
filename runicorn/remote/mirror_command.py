"""``runicorn mirror``: confirm the host key, then mirror with a live status line until Ctrl-C.

A mirror started here runs in the foreground only: it is not added to the mirror file the viewer
resumes (the viewer's own mirrors are), but the run folders it creates are recorded as owned by
its server, so a later mirror of the same server continues them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
import time

from runicorn import settings
from runicorn.errors import ConfigError, HostKeyUnknown, RemoteError
from runicorn.files.storage_root import make_storage_root
from runicorn.remote.connect import Credentials, parse_target
from runicorn.remote.mirror import Mirror, MirrorStats


def _human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def status_line(stats: MirrorStats) -> str:
    lag = "-" if stats.lag_s is None else f"{stats.lag_s:.1f} s"
    state = "live" if stats.alive else "reconnecting"
    line = (
        f"{state} · {stats.runs} runs ({stats.active_runs} active) · {stats.files} files · "
        f"{_human_bytes(stats.bytes)} · lag {lag}"
    )
    if stats.refused_count:
        line += f" · {stats.refused_count} refused"
    if stats.last_error and not stats.alive:
        line += f" · {stats.last_error.splitlines()[0]}"
    return line


def _print_refused(stats: MirrorStats, shown: int, tty: bool) -> int:
    """Print the refusals not shown yet (``warning: remote path: why``); returns how many are shown."""
    for item in stats.refused[shown:]:
        print(("\r\033[K" if tty else "") + f"warning: {item}", file=sys.stderr, flush=True)
    return max(shown, len(stats.refused))


def _confirm_host(mirror: Mirror, err: HostKeyUnknown, given: str | None) -> None:
    if given is not None:
        raise err  # the key differs from the fingerprint on the command line
    if not sys.stdin.isatty():
        raise RemoteError(
            err.message,
            f"run in a terminal to confirm it, or pass --trust-fingerprint {err.fingerprint}"
            " after checking it against the server",
        )
    print(err.message, file=sys.stderr)
    answer = input("Trust this host key and continue? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise RemoteError(f"host key {err.fingerprint} not trusted", "nothing was copied")
    mirror.trust_fingerprint = err.fingerprint
    mirror.connect()


def _first_sync(mirror: Mirror) -> None:
    """The first cycle, on a thread of its own: Ctrl-C reaches only the main thread, so it never
    stops an SFTP request halfway (that leaves the channel out of step: "Garbage packet received").
    On Ctrl-C the link is closed under the cycle, whose files stay whole, and KeyboardInterrupt goes
    on; an error of the cycle (a wrong path) is raised here."""
    failed: list[BaseException] = []
    # an Event, not Thread.join: a join cut short by Ctrl-C can report a running thread as ended
    done = threading.Event()

    def cycle() -> None:
        try:
            mirror.sync_once()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=cycle, name="first mirror cycle", daemon=True).start()
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        mirror.close()
        done.wait(10)
        raise
    if failed:
        raise failed[0]


def run_mirror_command(args: argparse.Namespace) -> int:
    target = parse_target(args.source)
    if args.interval <= 0:
        raise ConfigError(f"--interval {args.interval} must be positive", "use e.g. --interval 2")
    creds = Credentials(key_path=args.key)
    if args.password_prompt:
        creds.password = getpass.getpass(f"password for {target.user}@{target.host}: ")
    resolved = settings.resolve(storage=args.storage)
    storage = resolved.storage
    make_storage_root(storage, resolved.storage_is_fallback)
    mirror = Mirror(
        target, creds, storage, interval_s=args.interval, trust_fingerprint=args.trust_fingerprint
    )
    try:
        mirror.connect()
    except HostKeyUnknown as err:
        _confirm_host(mirror, err, args.trust_fingerprint)
    mirror.trust_fingerprint = None  # trusted now: a later change is refused
    print(
        f"mirroring {target.user}@{target.origin}:{target.path} into {storage} (Ctrl-C to stop)",
        file=sys.stderr,
    )
    tty = sys.stderr.isatty()
    last = ""
    shown = 0
    try:  # Ctrl-C at any point from here on is a clean stop, the first sync included
        _first_sync(mirror)  # a wrong path fails here, before the loop
        mirror.start()
        while mirror._thread is not None and mirror._thread.is_alive():
            shown = _print_refused(mirror.stats, shown, tty)
            line = status_line(mirror.stats)
            if tty:
                print("\r\033[K" + line, end="", file=sys.stderr, flush=True)
            elif line != last:
                print(line, file=sys.stderr, flush=True)
            last = line
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        mirror.stop()
        if tty:
            print(file=sys.stderr)
    _print_refused(mirror.stats, shown, tty=False)
    if mirror.fatal_error is not None:
        raise mirror.fatal_error  # printed as error and hint, exit 1
    print(
        status_line(mirror.stats).replace("reconnecting", "stopped").replace("live", "stopped"),
        file=sys.stderr,
    )
    return 0
