"""``runicorn run``: run a command on a pty and record it as a run, with a timeout and retries.

One :class:`Launcher` records one run. Each attempt runs the command in a process group of its
own (runicorn/launch/process_group.py) on a pty (pty_session.py); its console goes to logs.txt
through the run, and a command that calls ``rn.init`` logs into the same run (sdk/guest.py).
"""

from __future__ import annotations

import codecs
import os
import shlex
import shutil
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.errors import ConfigError
from runicorn.launch.console_exception import ConsoleException
from runicorn.launch.defaults import default_name, default_project
from runicorn.launch.events import LaunchEvent, Observer, tell
from runicorn.launch.guest_relay import GuestRelay
from runicorn.launch.process_group import SignalForwarder, exit_status, signal_group, terminate_group
from runicorn.launch.pty_session import PtySession
from runicorn.launch.timeout import describe_duration
from runicorn.sdk.console import LineAssembler
from runicorn.sdk.gitinfo import changed_files
from runicorn.sdk.run import Run
from runicorn.sdk.sink import RunRequest
from runicorn.settings import SETTINGS_TABLE, Settings

PREFIX = "runicorn run"
CONTAINER_COMMAND = "runicorn.launch.container_command"
LAST_LINES = 20  # console lines kept for the events' messages
_PUMP_S = 0.1
NOTIFY_CHANNELS_ENV = next(s.env for s in SETTINGS_TABLE if s.name == "notify_channels")
GRACE_ENV = next(s.env for s in SETTINGS_TABLE if s.name == "run_grace_s")


@dataclass
class LaunchOptions:
    command: list[str]
    project: str | None = None
    name: str | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    timeout_s: float | None = None  # per attempt; None: no limit
    retries: int = 0
    retry_delay_s: float = 0.0
    retry_on_timeout: bool = False
    grace_s: float = 10.0  # between SIGTERM and SIGKILL
    notify: list[str] = field(default_factory=list)
    require_clean: bool = False
    cwd: Path | None = None
    run_id: str | None = None  # record into this run (resumed when it exists); None: a new run
    env: dict[str, str] = field(default_factory=dict)  # added to the command's environment
    # the environment the command starts from (None: this process's own); an agent's job gives
    # the clean one it was started with (runicorn/launch/recorder_env.py)
    base_env: dict[str, str] | None = None
    # asked while the command runs: a reason to stop it now (a sweep's early stopping), or None
    should_stop: Callable[[], str | None] | None = None
    # run the command in a new container of this plan (an agent's Docker job), through the
    # engine's API: runicorn/launch/container_command.py
    container_plan: Path | None = None


@dataclass(frozen=True)
class AttemptResult:
    exit_code: int
    signal: str | None
    duration_s: float
    timed_out: bool
    interrupted_by: str | None  # "SIGINT" / "SIGTERM" received by the wrapper
    stopped_early: str | None = None  # why should_stop ended it


@dataclass(frozen=True)
class LaunchResult:
    exit_code: int  # what `runicorn run` exits with
    status: str
    attempts: int
    run_dir: Path
    stopped_early: str | None = None  # why LaunchOptions.should_stop ended the command


class Launcher:
    def __init__(
        self, settings: Settings, options: LaunchOptions, observers: Sequence[Observer] = ()
    ) -> None:
        if not options.command:
            raise ConfigError(
                "no command to run", "give one after the options: runicorn run -- python train.py"
            )
        if options.retries < 0:
            raise ConfigError(f"--retries {options.retries} is negative", "give 0 (no retry) or more")
        self.settings = settings
        self.options = options
        self.observers: list[Observer] = list(observers)
        self.cwd = options.cwd or Path.cwd()
        self._tail: deque[bytes] = deque(maxlen=LAST_LINES)
        self._tail_lines = LineAssembler(self._tail)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._exception = ConsoleException()  # the attempt's last Python traceback, from its console
        self.run: Run | None = None

    # --- before the run exists -------------------------------------------------------------
    def check(self) -> None:
        """Refuse to start (no run folder made) on a command that cannot run or a dirty tree."""
        program = self.options.command[0]
        if self.options.container_plan is not None:
            pass  # the program is the image's
        elif os.sep in program:
            path = self.cwd / program
            if not os.access(path, os.X_OK) or path.is_dir():
                raise ConfigError(
                    f"cannot execute {program}", "check the path and its executable bit (chmod +x)"
                )
        elif shutil.which(program) is None:
            raise ConfigError(f"command not found: {program}", "check its spelling and PATH")
        if self.options.require_clean:
            changed = changed_files(self.cwd)
            if changed:
                shown = ", ".join(changed[:20]) + (
                    f" and {len(changed) - 20} more" if len(changed) > 20 else ""
                )
                raise ConfigError(
                    f"--require-clean: uncommitted changes in {shown}",
                    "commit or stash them (git stash), or run without --require-clean",
                )

    def start_run(self) -> Run:
        opts = self.options
        project = opts.project or default_project(self.cwd)
        name = opts.name or default_name(opts.command)
        request = RunRequest(
            project,
            name,
            tags=list(opts.tags),
            notes=opts.notes,
            run_id=opts.run_id,
            capture_console=False,  # we record the pty ourselves
        )
        run = Run(self.settings, request)
        run.update_meta(dict(fmt.LaunchMetaData(command=list(opts.command), launcher=fmt.LAUNCHER)))
        self.run = run
        return run

    def run_dir(self) -> Path | None:
        """The run's folder, once the run is started."""
        return self.run.dir if self.run is not None else None

    # --- the attempts ----------------------------------------------------------------------
    def launch(self) -> LaunchResult:
        self.check()
        run = self.start_run()
        opts = self.options
        max_attempts = 1 + opts.retries
        _say(f"recording {run.project}/{run.name} run {run.id} in {run.dir}")
        attempt, result = 0, None
        with SignalForwarder() as forwarder:
            while True:
                attempt += 1
                run.update_status(dict(fmt.LaunchStatusData(attempts=attempt)))
                if max_attempts > 1:
                    self._mark(f"attempt {attempt} of {max_attempts}: {shlex.join(opts.command)}")
                self._tell("start", attempt)
                result = self._attempt(forwarder)
                retry, why = self._retry_decision(result, attempt, max_attempts)
                if why:
                    self._mark(why)
                if not retry:
                    break
                self._tell("retry", attempt, result)
                if not self._pause(opts.retry_delay_s, forwarder):
                    break
        status, exit_code = self._finish(result, attempt)
        return LaunchResult(exit_code, status, attempt, run.dir, result.stopped_early if result else None)

    def _attempt(self, forwarder: SignalForwarder) -> AttemptResult:
        assert self.run is not None
        opts = self.options
        relay = GuestRelay(self.run)
        base = os.environ if opts.base_env is None else opts.base_env
        env = {**base, **opts.env, **relay.env()}
        if opts.notify:  # the command's rn.alert uses the channels this run was told to use
            env[NOTIFY_CHANNELS_ENV] = ",".join(opts.notify)
        argv = list(opts.command)
        if opts.container_plan is not None:  # its stand-in here; the plan holds the container's env
            env = {**os.environ, **relay.env(), GRACE_ENV: str(opts.grace_s)}
            argv = [sys.executable, "-m", CONTAINER_COMMAND, str(opts.container_plan), "--", *argv]
        session = PtySession(argv, self._on_output, env=env, cwd=self.cwd, pass_fds=(relay.write_fd,))
        self._exception = ConsoleException()
        started = time.monotonic()
        try:
            session.start()
        except OSError as exc:
            relay.join(0)
            session.close()
            self._mark(f"cannot start {opts.command[0]}: {exc.strerror or exc}")
            return AttemptResult(127 if isinstance(exc, FileNotFoundError) else 126, None, 0.0, False, None)
        relay.child_started()
        pgid = session.pid
        forwarder.pgid = pgid
        deadline = started + opts.timeout_s if opts.timeout_s else None
        timed_out, killed = False, False
        stopped_early: str | None = None
        try:
            while session.poll() is None:
                session.pump(_PUMP_S)
                now = time.monotonic()
                if forwarder.first_at is not None and not killed:
                    if len(forwarder.received) > 1 or now - forwarder.first_at > opts.grace_s:
                        killed = signal_group(pgid, signal.SIGKILL)  # a second Ctrl-C, or deaf to the first
                if deadline is not None and now >= deadline and not timed_out and forwarder.first_at is None:
                    timed_out = True
                    self._mark(
                        f"timed out after {describe_duration(opts.timeout_s or 0)}: stopping the command "
                        f"(SIGTERM, then SIGKILL after {describe_duration(opts.grace_s)})"
                    )
                    terminate_group(pgid, opts.grace_s, reap=session.poll, wait=session.pump)
                if opts.should_stop is not None and not (timed_out or stopped_early or forwarder.first_at):
                    stopped_early = opts.should_stop()
                    if stopped_early:
                        self._mark(
                            f"stopped early: {stopped_early}; stopping the command (SIGTERM, then SIGKILL "
                            f"after {describe_duration(opts.grace_s)})"
                        )
                        terminate_group(pgid, opts.grace_s, reap=session.poll, wait=session.pump)
            terminate_group(pgid, opts.grace_s, reap=session.poll, wait=session.pump)  # what it left behind
            session.drain()
        finally:
            forwarder.pgid = None
            session.close()
            relay.join()
            self._end_console()
            self.run.flush()  # a retried script's rn.log continues from the steps written here
        returncode = session.poll()
        exit_code, signal_name = exit_status(returncode if returncode is not None else -signal.SIGKILL)
        duration = time.monotonic() - started
        result = AttemptResult(
            exit_code, signal_name, duration, timed_out, forwarder.first_name, stopped_early
        )
        how = f"exit code {exit_code}" + (f" ({signal_name})" if signal_name else "")
        self._mark(f"command ended with {how} after {describe_duration(round(duration, 1))}")
        return result

    def _retry_decision(self, result: AttemptResult, attempt: int, max_attempts: int) -> tuple[bool, str]:
        """Whether the command runs again, and the line saying so and why (empty when there is
        nothing to say: a success, a stop, or a run without --retries)."""
        if result.exit_code == 0 or result.interrupted_by or result.stopped_early:
            return False, ""
        opts = self.options
        if result.timed_out:
            limit = describe_duration(opts.timeout_s or 0)
            what = f"attempt {attempt} of {max_attempts} timed out after {limit}"
        else:
            what = f"attempt {attempt} of {max_attempts} failed with exit code {result.exit_code}"
        if max_attempts == 1:
            return False, ""
        if attempt >= max_attempts:
            return False, f"{what}; not retried: no attempt left (--retries {max_attempts - 1})"
        if result.timed_out and not opts.retry_on_timeout:
            return False, f"{what}; not retried: a timed-out attempt is retried only with --retry-on-timeout"
        because = " (--retry-on-timeout)" if result.timed_out else ""
        return True, f"{what}; retrying in {describe_duration(opts.retry_delay_s)}{because}"

    @staticmethod
    def _pause(seconds: float, forwarder: SignalForwarder) -> bool:
        """Sleep between attempts; False when Ctrl-C or SIGTERM came meanwhile."""
        deadline = time.monotonic() + seconds
        while forwarder.first_at is None and time.monotonic() < deadline:
            time.sleep(min(_PUMP_S, max(0.0, deadline - time.monotonic())))
        return forwarder.first_at is None

    def _finish(self, result: AttemptResult | None, attempts: int) -> tuple[str, int]:
        assert self.run is not None and result is not None
        fields = fmt.LaunchStatusData(exit_code=result.exit_code, attempts=attempts)
        if result.signal:
            fields["signal"] = result.signal
        error: str | None = None
        if result.interrupted_by:
            status, kind = fmt.INTERRUPTED, "interrupted"
            fields["reason"] = result.interrupted_by
            error = f"stopped by {result.interrupted_by}"
            exit_code = result.exit_code
        elif result.stopped_early:
            status, kind = fmt.INTERRUPTED, "interrupted"
            fields["reason"] = fmt.EARLY_STOP_REASON
            error = f"stopped early: {result.stopped_early}"
            exit_code = result.exit_code
        elif result.timed_out:
            status, kind = fmt.FAILED, "timeout"
            fields["reason"] = fmt.TIMEOUT_REASON
            fields["exit_code"] = exit_code = fmt.TIMEOUT_EXIT_CODE
            error = f"timed out after {describe_duration(self.options.timeout_s or 0)}"
        elif result.exit_code == 0:
            status, kind, exit_code = fmt.FINISHED, "finish", 0
        else:
            status, kind, exit_code = fmt.FAILED, "failure", result.exit_code
            error = self._exception.error or f"exit code {result.exit_code}" + (
                f" ({result.signal})" if result.signal else ""
            )
            self._keep_traceback()
        self.run.update_status(dict(fields))
        # told while the run is still open, so that an observer can still write into its log
        # (a notification refused by its service); the event carries the final status
        self._tell(kind, attempts, result, status=status, reason=fields.get("reason"), exit_code=exit_code)
        self.run.finish(status, error)
        return status, exit_code

    def _keep_traceback(self) -> None:
        """The command's last traceback as the run's traceback file, unless the command's own
        ``rn.init`` wrote one."""
        assert self.run is not None
        path = self.run.dir / fmt.TRACEBACK_FILE
        if self._exception.traceback is None or path.exists():
            return
        try:
            path.write_text(self._exception.traceback, encoding="utf-8")
        except OSError:
            pass  # the error line is kept in status.json all the same

    # --- console and messages --------------------------------------------------------------
    def _on_output(self, data: bytes) -> None:
        assert self.run is not None
        text = self._decoder.decode(data)
        if text:
            self.run.write_console(text)
            self._tail_lines.feed(text)
            self._exception.feed(text)

    def _end_console(self) -> None:
        assert self.run is not None
        text = self._decoder.decode(b"", final=True)
        if text:
            self.run.write_console(text)
            self._tail_lines.feed(text)
            self._exception.feed(text)
        self._decoder.reset()
        self.run.close_console()
        self._tail_lines.close()
        self._exception.close()

    def note(self, text: str) -> None:
        """A line of the wrapper's own, for observers (any thread): into logs.txt while the run
        is open, and on stderr."""
        if self.run is not None and not self.run.finished:
            self.run.log_text(f"{PREFIX}: {text}")
        _say(text)

    def _mark(self, text: str) -> None:
        """A line of the wrapper's own in logs.txt (``HH:MM:SS | runicorn run: ...``) and on stderr."""
        assert self.run is not None
        self.run.log_text(f"{PREFIX}: {text}")
        _say(text)

    def _tell(
        self,
        kind: Any,
        attempt: int,
        result: AttemptResult | None = None,
        status: str | None = None,
        reason: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        if not self.observers:
            return
        assert self.run is not None
        run = self.run
        event = LaunchEvent(
            kind=kind,
            project=run.project,
            name=run.name,
            run_id=run.id,
            run_dir=str(run.dir),
            server=_hostname(),
            command=list(self.options.command),
            attempt=attempt,
            max_attempts=1 + self.options.retries,
            channels=tuple(self.options.notify),
            duration_s=result.duration_s if result else None,
            exit_code=(exit_code if exit_code is not None else result.exit_code) if result else None,
            signal=result.signal if result else None,
            status=status,
            reason=reason,
            last_log_lines=[line.decode("utf-8", "replace").rstrip("\n") for line in self._tail],
        )
        tell(self.observers, event)


def _say(text: str) -> None:
    print(f"{PREFIX}: {text}", file=sys.stderr, flush=True)


def _hostname() -> str:
    import socket

    return socket.gethostname()
