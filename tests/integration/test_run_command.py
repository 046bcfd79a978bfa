"""``runicorn run`` as a user runs it: a real wrapper process, a real pty, real child processes
(docs/run.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from remote_run import stop_with_ctrl_c, wait_for

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable


def wrapper_env(storage: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RUNICORN_DIR": str(storage),
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "RUNICORN_SYSTEM_INTERVAL_S": "60",
        **extra,
    }


def runicorn_run(
    tmp_path: Path, *args: str, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [PY, "-m", "runicorn.cli", "run", *args],
        cwd=cwd or tmp_path,
        env=wrapper_env(tmp_path / "storage", **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=50,
    )


def script(tmp_path: Path, name: str, code: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return path


def runs(storage: Path) -> list[Path]:
    return sorted(storage.glob(f"*/*/{fmt.RUNS_DIR}/*"))


def only_run(storage: Path) -> Path:
    found = runs(storage)
    assert len(found) == 1, found
    return found[0]


def status(run: Path) -> dict:
    return fmt.read_json(run / fmt.STATUS_FILE) or {}


def log_lines(run: Path) -> list[str]:
    return (run / fmt.LOGS_FILE).read_text().splitlines()


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody reaped yet is not running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def test_progress_bar_lands_once_in_the_log_and_every_byte_reaches_the_terminal(tmp_path: Path) -> None:
    train = script(
        tmp_path,
        "train.py",
        """
        import sys
        print("tty" if sys.stdout.isatty() else "no tty")
        for i in range(1, 6):
            sys.stdout.write(f"\\rprogress {i}/5")
            sys.stdout.flush()
        print()
        print("trained")
        """,
    )
    done = runicorn_run(tmp_path, PY, str(train))
    assert done.returncode == 0, done.stderr
    assert b"\rprogress 1/5\rprogress 2/5" in done.stdout  # the terminal got the redraws
    run = only_run(tmp_path / "storage")
    assert run.parent.parent.name == "train"  # named after the script
    lines = log_lines(run)
    progress = [line for line in lines if "progress" in line]
    assert len(progress) == 1 and progress[0].endswith("] progress 5/5"), lines
    assert any(line.endswith("] tty") for line in lines), lines  # the command saw a terminal
    assert any(line.endswith("] trained") for line in lines), lines
    assert status(run)["status"] == fmt.FINISHED
    meta = fmt.read_json(run / fmt.META_FILE) or {}
    assert meta["command"] == [PY, str(train)] and meta["launcher"] == fmt.LAUNCHER


def test_a_real_tqdm_bar_behaves_as_in_a_terminal_and_lands_once(tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    train = script(
        tmp_path,
        "train.py",
        """
        from tqdm import tqdm
        for _ in tqdm(range(50), desc="epoch", mininterval=0):
            pass
        print("done")
        """,
    )
    done = runicorn_run(tmp_path, PY, str(train))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(b"\r") > 3  # tqdm saw a terminal and redrew its bar in place
    lines = log_lines(only_run(tmp_path / "storage"))
    bars = [line for line in lines if "epoch:" in line]
    assert len(bars) == 1 and "50/50" in bars[0], lines
    assert any(line.endswith("] done") for line in lines), lines


def test_exit_status_is_the_commands_and_the_run_failed(tmp_path: Path) -> None:
    done = runicorn_run(tmp_path, "--project", "p", "--name", "n", "--", PY, "-c", "raise SystemExit(3)")
    assert done.returncode == 3, done.stderr
    st = status(only_run(tmp_path / "storage"))
    assert st["status"] == fmt.FAILED and st[fmt.EXIT_CODE_KEY] == 3 and st["attempts"] == 1


def test_a_python_exception_is_the_runs_error_with_the_exit_code_beside_it(tmp_path: Path) -> None:
    train = script(
        tmp_path,
        "train.py",
        """
        def check(lr):
            if lr > 1:
                raise ValueError("bad lr")

        print("epoch 1")
        check(5)
        """,
    )
    done = runicorn_run(tmp_path, "--project", "p", "--name", "n", "--", PY, str(train))
    assert done.returncode == 1, done.stderr
    run = only_run(tmp_path / "storage")
    st = status(run)
    assert st["status"] == fmt.FAILED and st[fmt.EXIT_CODE_KEY] == 1
    assert st["error"] == "ValueError: bad lr"
    traceback = (run / fmt.TRACEBACK_FILE).read_text()
    assert (
        traceback.startswith("Traceback (most recent call last):")
        and 'raise ValueError("bad lr")' in traceback
    )


def test_timeout_kills_the_whole_group_even_when_it_ignores_sigterm(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    stubborn = script(
        tmp_path,
        "stubborn.py",
        f"""
        import os, signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
        open({str(pids)!r}, "w").write(f"{{os.getpid()}} {{child.pid}}")
        print("sleeping", flush=True)
        time.sleep(60)
        """,
    )
    done = runicorn_run(tmp_path, "--timeout", "3", PY, str(stubborn), RUNICORN_RUN_GRACE_S="1")
    assert done.returncode == fmt.TIMEOUT_EXIT_CODE, done.stderr
    run = only_run(tmp_path / "storage")
    st = status(run)
    assert st["status"] == fmt.FAILED and st["reason"] == fmt.TIMEOUT_REASON, st
    assert st[fmt.EXIT_CODE_KEY] == fmt.TIMEOUT_EXIT_CODE
    assert any("runicorn run: timed out after 3 s" in line for line in log_lines(run))
    left = [int(pid) for pid in pids.read_text().split()]
    assert len(left) == 2 and not [pid for pid in left if alive(pid)]


def test_a_flaky_command_succeeds_on_its_second_attempt_in_the_same_run(tmp_path: Path) -> None:
    state = tmp_path / "attempted"
    flaky = script(
        tmp_path,
        "flaky.py",
        f"""
        import os, sys
        if not os.path.exists({str(state)!r}):
            open({str(state)!r}, "w").close()
            print("first try fails")
            sys.exit(1)
        print("second try works")
        """,
    )
    done = runicorn_run(tmp_path, "--retries", "2", "--retry-delay", "0.1", PY, str(flaky))
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "storage")
    st = status(run)
    assert st["status"] == fmt.FINISHED and st["attempts"] == 2 and st[fmt.EXIT_CODE_KEY] == 0
    text = (run / fmt.LOGS_FILE).read_text()
    assert "runicorn run: attempt 1 of 3" in text and "runicorn run: attempt 2 of 3" in text
    assert text.index("first try fails") < text.index("attempt 2 of 3") < text.index("second try works")


def test_a_timed_out_attempt_says_whether_it_is_retried_and_why(tmp_path: Path) -> None:
    slow = script(tmp_path, "slow.py", "import time\nprint('working', flush=True)\ntime.sleep(30)\n")
    done = runicorn_run(tmp_path, "--timeout", "1", "--retries", "2", PY, str(slow), RUNICORN_RUN_GRACE_S="1")
    assert done.returncode == fmt.TIMEOUT_EXIT_CODE
    said = (
        "attempt 1 of 3 timed out after 1 s; "
        "not retried: a timed-out attempt is retried only with --retry-on-timeout"
    )
    assert said in done.stderr.decode()
    assert any(said in line for line in log_lines(only_run(tmp_path / "storage")))

    again = tmp_path / "again"
    again.mkdir()
    done = runicorn_run(
        again,
        "--timeout",
        "1",
        "--retries",
        "1",
        "--retry-on-timeout",
        PY,
        str(slow),
        RUNICORN_RUN_GRACE_S="1",
    )
    assert done.returncode == fmt.TIMEOUT_EXIT_CODE
    lines = log_lines(only_run(again / "storage"))
    assert any(
        "attempt 1 of 2 timed out after 1 s; retrying in 0 s (--retry-on-timeout)" in line for line in lines
    )
    assert any(
        "attempt 2 of 2 timed out after 1 s; not retried: no attempt left (--retries 1)" in line
        for line in lines
    )
    assert status(only_run(again / "storage"))["attempts"] == 2


def test_a_script_calling_rn_init_logs_into_the_wrappers_run(tmp_path: Path) -> None:
    train = script(
        tmp_path,
        "train.py",
        """
        import numpy as np
        import runicorn as rn
        run = rn.init(project="ignored", name="ignored", config={"lr": 0.1}, tags=["from-script"])
        for step in range(1, 4):
            rn.log({"loss": 1.0 / step})
        rn.log_text("a text line")
        rn.summary({"best": 1.0})
        rn.log_image("sample", np.full((3, 4, 5), 255, dtype=np.uint8))
        print("hello from the script")
        # no finish(): the end of the script ends the guest, the wrapper writes the status
        """,
    )
    done = runicorn_run(tmp_path, "--tag", "wrapped", PY, str(train))
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "storage")  # no second run folder
    records = [fmt.decode_event(line) for line in (run / fmt.EVENTS_FILE).read_bytes().splitlines()]
    losses = [r["data"]["loss"] for r in records if r and r["type"] == fmt.METRICS]
    assert losses == [1.0, 0.5, 1.0 / 3]
    images = [r["data"] for r in records if r and r["type"] == fmt.IMAGE]
    assert [i["key"] for i in images] == ["sample"] and (run / images[0]["path"]).stat().st_size > 0
    lines = log_lines(run)
    assert len([line for line in lines if "hello from the script" in line]) == 1, lines
    assert any(line.endswith("| a text line") for line in lines), lines
    assert (fmt.read_json(run / fmt.CONFIG_FILE) or {})["lr"] == 0.1
    assert (fmt.read_json(run / fmt.SUMMARY_FILE) or {})["best"] == 1.0
    assert (fmt.read_json(run / fmt.META_FILE) or {})["tags"] == ["wrapped", "from-script"]
    assert status(run)["status"] == fmt.FINISHED


def test_a_script_that_exits_with_an_error_leaves_the_status_to_the_wrapper(tmp_path: Path) -> None:
    train = script(
        tmp_path,
        "train.py",
        """
        import sys
        import runicorn as rn
        rn.init()
        rn.log({"loss": 1.0})
        sys.exit(5)
        """,
    )
    done = runicorn_run(tmp_path, PY, str(train))
    assert done.returncode == 5, done.stderr
    run = only_run(tmp_path / "storage")
    st = status(run)
    assert st["status"] == fmt.FAILED and st[fmt.EXIT_CODE_KEY] == 5 and st["attempts"] == 1
    records = [fmt.decode_event(line) for line in (run / fmt.EVENTS_FILE).read_bytes().splitlines()]
    assert [r["data"]["loss"] for r in records if r and r["type"] == fmt.METRICS] == [1.0]


def test_ctrl_c_reaches_the_command_and_the_run_ends_interrupted(tmp_path: Path) -> None:
    sleeper = script(
        tmp_path,
        "sleeper.py",
        """
        import sys, time
        print("ready", flush=True)
        try:
            time.sleep(60)
        except KeyboardInterrupt:
            print("the command got Ctrl-C", flush=True)
            sys.exit(130)
        """,
    )
    out = tmp_path / "out"
    with open(out, "wb") as sink:
        proc = subprocess.Popen(
            [PY, "-m", "runicorn.cli", "run", PY, str(sleeper)],
            cwd=tmp_path,
            env=wrapper_env(tmp_path / "storage"),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        wait_for(lambda: b"ready" in out.read_bytes() or proc.poll() is not None, 30, "the command to start")
        stop_with_ctrl_c(proc)
    assert proc.returncode == 130
    run = only_run(tmp_path / "storage")
    st = status(run)
    assert st["status"] == fmt.INTERRUPTED and st["reason"] == "SIGINT", st
    assert any("the command got Ctrl-C" in line for line in log_lines(run))


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def dirty_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "my-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "train.py").write_text("print('v1')\n")
    git(repo, "add", "train.py")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "train.py").write_text("print('v2')\n")
    (repo / "notes.txt").write_text("not tracked\n")
    return repo


def test_require_clean_refuses_a_dirty_tree_naming_the_files(tmp_path: Path) -> None:
    repo = dirty_repo(tmp_path)
    done = runicorn_run(tmp_path, "--require-clean", PY, "train.py", cwd=repo)
    assert done.returncode == 1
    assert b"train.py" in done.stderr and b"hint:" in done.stderr
    assert runs(tmp_path / "storage") == []


def test_the_git_snapshot_of_a_dirty_tree_is_recorded(tmp_path: Path) -> None:
    repo = dirty_repo(tmp_path)
    done = runicorn_run(tmp_path, PY, "train.py", cwd=repo)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "storage")
    assert run.parts[-4:-2] == ("my-repo", "train")  # project from the repository, name from the script
    git_meta = (fmt.read_json(run / fmt.META_FILE) or {})["git"]
    assert len(git_meta["commit"]) == 40 and git_meta["dirty"] is True
    assert git_meta["untracked"] == ["notes.txt"]
    assert "+print('v2')" in (run / fmt.GIT_DIFF_FILE).read_text()


def test_a_missing_command_is_refused_before_a_run_is_made(tmp_path: Path) -> None:
    done = runicorn_run(tmp_path, "no-such-command-here")
    assert done.returncode == 1
    assert b"command not found: no-such-command-here" in done.stderr
    assert runs(tmp_path / "storage") == []


def test_observers_hear_start_and_end_with_what_a_message_needs(tmp_path: Path) -> None:
    heard = tmp_path / "heard"
    code = textwrap.dedent(
        f"""
        import json, sys
        from runicorn import settings
        from runicorn.launch import Launcher, LaunchOptions
        events = []
        options = LaunchOptions(command=[sys.executable, "-c", "print('last words'); raise SystemExit(2)"],
                                project="p", name="n", notify=["team-chat"])
        result = Launcher(settings.resolve(), options, observers=[events.append]).launch()
        with open({str(heard)!r}, "w") as f:
            json.dump([{{"kind": e.kind, "exit_code": e.exit_code, "channels": e.channels, "run": e.run_name,
                         "server": e.server, "lines": e.last_log_lines, "duration": e.duration_s}}
                       for e in events], f)
        """
    )
    done = subprocess.run(
        [PY, "-c", code], cwd=tmp_path, env=wrapper_env(tmp_path / "storage"), capture_output=True, timeout=50
    )
    assert done.returncode == 0, done.stderr
    events = json.loads(heard.read_text())
    assert [e["kind"] for e in events] == ["start", "failure"]
    end = events[-1]
    assert end["exit_code"] == 2 and end["channels"] == ["team-chat"] and end["run"] == "p/n"
    assert end["server"] and end["duration"] is not None
    assert any(line.endswith("last words") for line in end["lines"])
