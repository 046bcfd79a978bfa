"""The columns answer computed as the viewer starts, on another core: :class:`ColumnsWarmer`.

On a viewer's first start over a big project nothing is kept in the
:class:`~runicorn.store.query.columns_cache.ColumnsCache` yet, and ``/api/runs/columns`` needs
the first scan done, every summary.json parsed and every key counted (1,500 runs of 1,500
metrics: about a second of one core). The UI asks for it right after the first page of runs.
So the ``runicorn viewer`` command starts, before it even imports the web server, one process
(forked, or ``python -m runicorn.store.query.columns_warmer ROOT`` where the platform does not
fork) that does exactly what a request would: a
:class:`~runicorn.store.query.columns_answer.ColumnsAnswers` over its own index of the root,
for every run and then for each project (at most :data:`MAX_PROJECTS`), kept in the cache.
It writes one line to its stdout per answer kept and, before the first, the summaries it parsed
(:mod:`~runicorn.store.index.parsed_summaries`), which the viewer takes rather than parsing them
again; then it exits.

A request for the columns of every run or of one project that finds the warmer still at work
waits for that answer (at most :data:`WAIT_S`) rather than doing the same work on the same
cores, then reads the cache as always: an entry is used only when the runs and their files'
stamps are the ones the viewer sees (:mod:`~runicorn.store.query.columns_cache`), so the answer
is the one a request would have computed. Nothing is kept when a run is running; the request
then computes its answer itself. A warmer that cannot start, fails or is slow costs nothing
but that wait. It starts only when a CPU looks idle as the viewer starts (the load average
below the CPUs less a half: on a busy machine it would only slow the viewer's own start, and
the request computes the answer as before); a cache that is not usable (a folder of another user)
makes it do nothing, and so do runs whose summaries would need more than
:data:`MAX_EVENTS_BYTES` of ``events.jsonl`` read (runs written without the last values: the
first chart of such a run would share the cores with it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["MAX_PROJECTS", "WAIT_S", "ColumnsWarmer", "main", "warm"]

MAX_PROJECTS = 8  # projects whose answer the warmer computes after every run's
# Runs whose summary.json lacks the last values show those of events.jsonl, read whole the first
# time: past this many bytes of them the warmer leaves the answer to the request (it would compete
# with the first chart of such a run, read on the same cores).
MAX_EVENTS_BYTES = 64 * 1024 * 1024
WAIT_S = 30.0  # at most this long a request waits for the warmer's answer
_EVERY_RUN = "*"  # the line for the answer over every run (a project is named by its line)
_PARSED = "parsed "  # the line before the parsed summaries: "parsed <bytes>"


class ColumnsWarmer:
    """The warmer process of a viewer; :meth:`start` starts one. Thread-safe."""

    def __init__(self, lines: IO[bytes], stop: Callable[[], None], wait: Callable[[], object]) -> None:
        self._lines = lines  # the process's stdout
        self._stop = stop
        self._wait = wait
        self._cond = threading.Condition()
        self._kept: set[str] = set()  # what the warmer said it kept: _EVERY_RUN or project names
        self._parsed: bytes | None = None  # the summaries it parsed (b"": taken)
        self._done = False
        threading.Thread(target=self._read_lines, name="runicorn-columns-warmer", daemon=True).start()

    @classmethod
    def start(cls, root: Path, fork: bool | None = None) -> ColumnsWarmer | None:
        """A warmer over the storage root ``root``; None when no CPU is idle or none starts.
        Forked where the platform forks and this process has no other thread yet (no Python
        start, no imports: a sixth of a second sooner), else a new interpreter (``fork``: the
        one or the other, for tests)."""
        if fork is None:
            if not _a_cpu_is_idle():
                return None
            fork = hasattr(os, "fork") and threading.active_count() == 1
        if fork:
            return cls._forked(root)
        package_parent = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", __name__, os.fspath(root)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            return None
        assert proc.stdout is not None

        def stop() -> None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

        return cls(proc.stdout, stop, proc.wait)

    @classmethod
    def _forked(cls, root: Path) -> ColumnsWarmer | None:
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # the child: compute, say so, and leave without running the parent's exit code
            code = 1
            try:
                os.close(read_fd)
                if hasattr(signal, "pthread_sigmask"):  # a mask the viewer inherited: SIGTERM must stop us
                    signal.pthread_sigmask(signal.SIG_SETMASK, ())
                with open(write_fd, "wb") as out:
                    code = warm(root, out)
            except BaseException:
                pass
            finally:
                os._exit(code)
        os.close(write_fd)
        exited = threading.Event()

        def wait() -> None:
            if not exited.is_set():
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
                exited.set()

        def stop() -> None:
            if not exited.is_set():
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

        return cls(open(read_fd, "rb"), stop, wait)  # noqa: SIM115 - closed by the reading thread

    @property
    def done(self) -> bool:
        """The process has exited (all it would keep is kept)."""
        return self._done

    def wait_for(self, project: str | None, timeout_s: float = WAIT_S) -> bool:
        """Wait until the warmer kept the answer over every run (``project`` None) or over
        ``project``'s runs, or exited, or ``timeout_s`` passed; whether it said it kept it."""
        wanted = _EVERY_RUN if project is None else project
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while wanted not in self._kept and not self._done:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return wanted in self._kept

    def stop(self) -> None:
        """Stop the process if it is still at work."""
        self._stop()

    def parsed_summaries(self, timeout_s: float = WAIT_S) -> bytes | None:
        """The summaries the warmer parsed (:mod:`~runicorn.store.index.parsed_summaries`), once
        it sent them (taken: a second call gets None); None when it exits without, or after
        ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._parsed is None and not self._done:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            parsed, self._parsed = self._parsed, b""
            return parsed or None

    def _read_lines(self) -> None:
        try:
            for line in self._lines:
                said = line.rstrip(b"\n").decode("utf-8", "replace")
                if said.startswith(_PARSED):
                    size = int(said[len(_PARSED) :])
                    data = self._lines.read(size)
                    if len(data) != size:
                        break
                    with self._cond:
                        self._parsed = data if self._parsed is None else b""
                        self._cond.notify_all()
                    continue
                with self._cond:
                    self._kept.add(said)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            self._lines.close()
            self._wait()
            with self._cond:
                self._done = True
                self._cond.notify_all()


def _a_cpu_is_idle() -> bool:
    """Whether a CPU is likely left for the warmer besides the viewer: the last minute's load
    average is below the CPUs less a half (1.5 on two). It lags: work that just ended (a
    bench's own reads before it starts the viewer) still counts, so the bound leaves half a CPU
    for that. Where other work takes the CPU the warmer would only slow the viewer's own start
    (at load averages of 1.2 - 1.6 on two CPUs the first page came about 0.5 s later, at
    2.7 - 3.5 twice as late); where no load average is known, it is started."""
    cpus = os.cpu_count() or 1
    if cpus < 2:
        return False
    try:
        return os.getloadavg()[0] < cpus - 0.5
    except (OSError, AttributeError):
        return True


def warm(root: Path, out: IO[bytes]) -> int:
    """Compute and keep the columns answers over the storage root ``root``, writing one line to
    ``out`` per answer kept (``*`` for every run's, then each project's name) and, before the
    first, the summaries it parsed (``parsed <bytes>``, then the bytes) for the viewer to take."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the viewer's terminal: the viewer stops us
    from runicorn.store.index.parsed_summaries import encode_parsed
    from runicorn.store.index.rescan_scheduler import RescanRules
    from runicorn.store.index.run_index import RunIndex
    from runicorn.store.query.columns_answer import ColumnsAnswers
    from runicorn.store.query.columns_cache import ColumnsCache
    from runicorn.store.query.run_filter import RunFilter

    def say(line: str, data: bytes = b"") -> None:
        out.write(line.encode() + b"\n" + data)
        out.flush()

    cache = ColumnsCache()
    if not root.is_dir() or not cache.usable:
        return 0
    # Background rules, as the viewer's: an answer kept by an earlier start is found from a
    # listing of the run folders, before any scan (and the projects' then were kept too).
    index = RunIndex(root, RescanRules(background=True))
    relpaths = index.listed_before_scan(None, None)
    if relpaths is not None and cache.answer_before_scan(root, None, None, relpaths) is not None:
        say(_EVERY_RUN)
        return 0
    runs = index.runs()
    if sum(run.summary_events_bytes() for run in runs) > MAX_EVENTS_BYTES:  # parses the summaries
        return 0  # a long read of events for the summaries: left to the request, not done on start
    parsed = encode_parsed(runs)
    say(f"{_PARSED}{len(parsed)}", parsed)
    answers = ColumnsAnswers(index, cache, reads_ahead=False)
    every = answers.answer()
    say(_EVERY_RUN)
    for group in index.projects()[:MAX_PROJECTS]:
        if group.name == _EVERY_RUN:
            continue
        if group.run_count == every["total"]:  # the project holds every run: the same answer
            cache.keep(root, group.name, None, index.select(RunFilter(project=group.name)), every)
        else:
            answers.answer(RunFilter(project=group.name))
        say(group.name)
    return 0


def main(argv: list[str]) -> int:
    """``python -m runicorn.store.query.columns_warmer ROOT``: :func:`warm` to stdout."""
    return warm(Path(argv[0]), sys.stdout.buffer)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(0)
