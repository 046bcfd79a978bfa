"""``runicorn ls``, ``tag``, ``rm``, ``restore`` and ``rm --purge`` as a user runs them: real CLI
processes over runs written by the SDK, the PyPI Runicorn 0.7.2 and its older layouts
(docs/cli.md#managing-runs)."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import shutil
import subprocess
import sys
import tarfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from runicorn import format as fmt
from runicorn.files import write_bytes_atomic, write_json_atomic

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
LEGACY_FLAT = "20231114_221420_d4e5f6"  # <root>/runs/<id>, meta.json without project or tags
LEGACY_NESTED = "20231114_221320_a1b2c3"  # <root>/nlp/bert/runs/<id>, the PyPI package 0.2 - 0.5
PYPI_IDS = json.loads((DATA / "pypi-0.7.2" / "ids.json").read_text())


def cli(root: Path, command: str, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUNICORN_CONFIG_FILE": str(root.parent / "no-config.json")}
    env.pop("RUNICORN_DIR", None)
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", command, "--storage", str(root), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        **kwargs,
    )


def ls_json(root: Path, *args: str) -> list[dict]:
    done = cli(root, "ls", "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def with_old_runs(root: Path) -> None:
    """The PyPI Runicorn 0.7.2's runs (``runs/<project>/<name...>/<id>``) and the older layouts."""
    shutil.copytree(DATA / "legacy-0.2-0.5", root, dirs_exist_ok=True)
    shutil.copytree(DATA / "pypi-0.7.2" / "storage" / "runs", root / "runs", dirs_exist_ok=True)


def files_of(root: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file under ``root`` outside the trash, by relative path."""
    return {
        p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] != fmt.TRASH_DIR
    }


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_ls_lists_sdk_pypi_and_legacy_runs_newest_first(storage_root: Path, make_run) -> None:
    run = make_run(tags=["baseline"])
    with_old_runs(storage_root)

    rows = ls_json(storage_root)

    assert [r["id"] for r in rows] == [
        run.id,
        PYPI_IDS["failed"],
        PYPI_IDS["finished"],
        LEGACY_FLAT,
        LEGACY_NESTED,
    ]
    mine = rows[0]
    assert (mine["key"], mine["project"], mine["name"], mine["status"]) == (
        run.id,
        "demo",
        "exp1",
        "finished",
    )
    assert mine["tags"] == ["baseline"] and mine["exit_code"] is None
    assert mine["path"] == f"demo/exp1/runs/{run.id}"
    assert mine["server"] == json.loads((run.dir / fmt.META_FILE).read_text())["hostname"]
    assert isinstance(mine["started_at"], float) and mine["duration_s"] >= 0
    by_id = {r["id"]: r for r in rows}
    assert (by_id[PYPI_IDS["failed"]]["project"], by_id[PYPI_IDS["failed"]]["name"]) == (
        "vision",
        "resnet/ablation",
    )
    assert by_id[PYPI_IDS["failed"]]["status"] == "failed"
    assert (by_id[LEGACY_FLAT]["project"], by_id[LEGACY_FLAT]["server"]) == ("default", "old-box")
    assert by_id[LEGACY_FLAT]["started_at"] == 1700000000.0 and by_id[LEGACY_FLAT]["duration_s"] == 60.0

    table = cli(storage_root, "ls")
    assert table.returncode == 0, table.stderr
    header, *lines = table.stdout.splitlines()
    assert header.split() == ["ID", "RUN", "STATUS", "STARTED", "DURATION", "SERVER", "EXIT", "TAGS"]
    assert [line.split()[0] for line in lines] == [r["id"] for r in rows]
    assert lines[0].split()[1:3] == ["demo/exp1", "finished"] and lines[0].split()[-1] == "baseline"
    assert lines[3].split()[1:3] == ["default/default", "finished"] and "1m00s" in lines[3]
    assert len({line.index("finished") for line in lines if "finished" in line}) == 1  # aligned


def test_ls_filters_as_the_viewer_does(storage_root: Path, make_run) -> None:
    a = make_run(project="vision", name="resnet", tags=["baseline"])
    b = make_run(project="vision", name="vit", tags=["big", "baseline"])
    c = make_run(project="nlp", name="bert")
    with_old_runs(storage_root)

    def ids(*args: str) -> list[str]:
        return [r["id"] for r in ls_json(storage_root, *args)]

    assert ids("--project", "vision") == [b.id, a.id, PYPI_IDS["failed"], PYPI_IDS["finished"]]
    assert ids("--project", "vision", "--name", "resnet") == [a.id, PYPI_IDS["finished"]]
    assert ids("--tag", "baseline") == [b.id, a.id]
    assert ids("--status", "failed") == [PYPI_IDS["failed"]]
    assert ids("--project", "nlp") == [c.id, LEGACY_NESTED]
    assert ids("--tag", "nope") == []
    none = cli(storage_root, "ls", "--tag", "nope", "--project", "nlp")
    assert (
        none.returncode == 0
        and none.stdout.strip() == f"no runs match --project nlp --tag nope under {storage_root}"
    )


def test_ls_shows_the_exit_code_a_command_wrapper_recorded(storage_root: Path, make_run) -> None:
    run = make_run()
    status = fmt.read_json(run.dir / fmt.STATUS_FILE) or {}
    write_json_atomic(run.dir / fmt.STATUS_FILE, {**status, "status": "failed", fmt.EXIT_CODE_KEY: 3})

    (row,) = ls_json(storage_root)
    assert (row["status"], row["exit_code"]) == ("failed", 3)
    line = cli(storage_root, "ls").stdout.splitlines()[1]
    assert line.split()[2] == "failed" and line.split()[7] == "3"  # STARTED is two words


def test_ls_of_an_empty_or_missing_root_says_so(tmp_path: Path) -> None:
    empty, missing = tmp_path / "empty", tmp_path / "missing"
    empty.mkdir()
    assert cli(empty, "ls").stdout.strip() == f"no runs under {empty}"
    assert cli(missing, "ls").stdout.strip() == f"no runs under {missing}: the folder does not exist"
    assert ls_json(empty) == [] and ls_json(missing) == []
    assert not missing.exists()


def on_terminal(root: Path, *args: str, answer: str | None = None) -> tuple[int, str]:
    """Run the CLI with a terminal as stdin, stdout and stderr; type ``answer`` at its prompt."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "RUNICORN_CONFIG_FILE": str(root.parent / "no-config.json"), "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "runicorn.cli", *args[:1], "--storage", str(root), *args[1:]],
        cwd=REPO,
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    output = b""
    try:
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the other end closed: the process is done
                break
            if not chunk:
                break
            output += chunk
            if answer is not None and b"[y/N]" in output:
                os.write(primary, answer.encode() + b"\n")
                answer = None
        return proc.wait(30), output.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(primary)


def test_ls_on_a_terminal_prints_a_table(storage_root: Path, make_run) -> None:
    run = make_run(tags=["baseline"])

    code, shown = on_terminal(storage_root, "ls")

    assert code == 0
    assert "ID" in shown and "SERVER" in shown
    assert run.id in shown and "demo/exp1" in shown and "baseline" in shown


def test_tag_adds_removes_and_prints_keeping_every_other_key(storage_root: Path, make_run) -> None:
    run = make_run(tags=["baseline"])
    before = json.loads((run.dir / fmt.META_FILE).read_text())

    done = cli(storage_root, "tag", run.id, "+best", "wide", "-baseline")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{run.id}: best, wide"
    after = json.loads((run.dir / fmt.META_FILE).read_text())
    assert after == {**before, "tags": ["best", "wide"]}
    assert [r["id"] for r in ls_json(storage_root, "--tag", "wide")] == [run.id]
    assert cli(storage_root, "tag", run.id).stdout.strip() == f"{run.id}: best, wide"
    assert not [p for p in run.dir.iterdir() if p.name.endswith(fmt.TEMP_SUFFIX)]


def test_tag_works_on_runs_of_the_pypi_package_and_legacy_layouts(storage_root: Path) -> None:
    with_old_runs(storage_root)
    legacy_meta = storage_root / fmt.RUNS_DIR / LEGACY_FLAT / fmt.META_FILE
    before = json.loads(legacy_meta.read_text())

    assert cli(storage_root, "tag", LEGACY_FLAT).stdout.strip() == f"{LEGACY_FLAT}: no tags"
    assert cli(storage_root, "tag", LEGACY_FLAT, "old").returncode == 0
    assert cli(storage_root, "tag", PYPI_IDS["failed"], "+oom").returncode == 0

    assert json.loads(legacy_meta.read_text()) == {**before, "tags": ["old"]}
    assert [r["id"] for r in ls_json(storage_root, "--tag", "old")] == [LEGACY_FLAT]
    assert [r["id"] for r in ls_json(storage_root, "--tag", "oom")] == [PYPI_IDS["failed"]]


def test_a_bad_tag_change_is_refused_with_a_hint(storage_root: Path, make_run) -> None:
    run = make_run()
    meta = (run.dir / fmt.META_FILE).read_bytes()

    done = cli(storage_root, "tag", run.id, "+")

    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == "error: '+' is not a tag change"
    assert done.stderr.splitlines()[1].startswith("hint: write +TAG to add, -TAG to remove")
    assert (run.dir / fmt.META_FILE).read_bytes() == meta


def test_rm_then_restore_brings_back_every_file_unchanged(storage_root: Path, make_run) -> None:
    mine = make_run()
    kept = make_run(name="exp2")
    with_old_runs(storage_root)
    before = files_of(storage_root)
    gone = [mine.id, PYPI_IDS["failed"], LEGACY_FLAT]

    done = cli(storage_root, "rm", *gone)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        f"moved {mine.id} (demo/exp1/runs/{mine.id}) to the trash; `runicorn restore {mine.id}` puts it back"
    )
    assert [r["id"] for r in ls_json(storage_root)] == [kept.id, PYPI_IDS["finished"], LEGACY_NESTED]
    assert not mine.dir.exists()
    trashed = sorted(
        p.name.split(fmt.TRASH_ENTRY_SEPARATOR)[0] for p in (storage_root / fmt.TRASH_DIR).iterdir()
    )
    assert trashed == sorted(gone)

    listed = cli(storage_root, "restore")
    assert len(listed.stdout.splitlines()) == 3 and f"from runs/{LEGACY_FLAT}" in listed.stdout

    done = cli(storage_root, "restore", *gone)

    assert done.returncode == 0, done.stderr
    assert f"restored {LEGACY_FLAT} to runs/{LEGACY_FLAT}" in done.stdout.splitlines()
    assert {r["id"] for r in ls_json(storage_root)} == {
        kept.id,
        mine.id,
        *PYPI_IDS.values(),
        LEGACY_FLAT,
        LEGACY_NESTED,
    }
    assert files_of(storage_root) == before
    assert list((storage_root / fmt.TRASH_DIR).iterdir()) == []


def live_sdk_run(root: Path) -> subprocess.Popen[str]:
    """A training process that keeps its run open until its stdin closes; prints the run id."""
    code = """
        import sys, runicorn as rn
        run = rn.init(project="live", name="job", capture_console=False, system_metrics=False)
        run.log({"loss": 1.0}, step=1)
        run.flush()
        print(run.id, flush=True)
        sys.stdin.read()
        run.finish()
    """
    env = {**os.environ, "RUNICORN_DIR": str(root), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_rm_refuses_a_run_whose_process_is_still_writing_it(storage_root: Path, make_run) -> None:
    done_run = make_run()
    proc = live_sdk_run(storage_root)
    try:
        run_id = (proc.stdout.readline() if proc.stdout else "").strip()
        assert run_id, "the training process printed no run id"
        live_dir = fmt.run_dir(storage_root, "live", "job", run_id)
        before = files_of(storage_root)

        refused = cli(storage_root, "rm", done_run.id, run_id)

        assert refused.returncode == 1
        err = refused.stderr.splitlines()
        assert err[0].startswith(
            f"error: cannot move to the trash run {run_id} (live/job/runs/{run_id}): "
            "it is still running (a process holds its run.lock)"
        )
        assert err[1] == "hint: wait for it to finish, or stop it first"
        assert err[2] == "nothing was moved to the trash"
        assert files_of(storage_root).keys() == before.keys() and done_run.dir.is_dir()
        assert ls_json(storage_root, "--status", "running")[0]["id"] == run_id
    finally:
        proc.communicate(timeout=30)  # closes its stdin: the run finishes

    assert ls_json(storage_root, "--project", "live")[0]["status"] == "finished"
    moved = cli(storage_root, "rm", run_id)
    assert moved.returncode == 0, moved.stderr
    assert not live_dir.exists()


def test_rm_refuses_a_live_run_whose_heartbeat_looks_stale(storage_root: Path) -> None:
    # The viewer would show it as crashed (heartbeat too old), but its process still holds the lock.
    proc = live_sdk_run(storage_root)
    try:
        run_id = (proc.stdout.readline() if proc.stdout else "").strip()
        live_dir = fmt.run_dir(storage_root, "live", "job", run_id)
        status = fmt.read_json(live_dir / fmt.STATUS_FILE) or {}
        status[fmt.HEARTBEAT_KEY] = time.time() - 10 * fmt.STALE_AFTER_S
        write_bytes_atomic(live_dir / fmt.STATUS_FILE, json.dumps(status).encode())
        assert ls_json(storage_root, "--project", "live")[0]["status"] == "crashed"

        refused = cli(storage_root, "rm", run_id)

        assert refused.returncode == 1 and "a process holds its run.lock" in refused.stderr
        assert live_dir.is_dir()
    finally:
        proc.communicate(timeout=30)


def test_rm_of_an_unknown_or_ambiguous_id_names_it(storage_root: Path, make_run) -> None:
    run = make_run()
    copy = storage_root / "other" / "exp" / fmt.RUNS_DIR / run.id
    shutil.copytree(run.dir, copy)

    unknown = cli(storage_root, "rm", "20990101_000000_abcdef")
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines()[:2] == [
        f"error: no run with id 20990101_000000_abcdef under {storage_root}",
        f"hint: list the runs with: runicorn ls --storage {storage_root}",
    ]

    ambiguous = cli(storage_root, "rm", run.id)
    assert ambiguous.returncode == 1
    keys = sorted(r["key"] for r in ls_json(storage_root))
    assert all(key.startswith(f"{run.id}.") for key in keys)
    first = ambiguous.stderr.splitlines()[0]
    assert first.startswith(f"error: 2 runs have the id {run.id} under {storage_root}: ")
    assert all(key in first for key in keys)
    assert ambiguous.stderr.splitlines()[1] == "hint: name one of them by its key"
    assert run.dir.is_dir() and copy.is_dir()

    key = next(r["key"] for r in ls_json(storage_root) if r["project"] == "other")
    assert cli(storage_root, "rm", key).returncode == 0
    assert not copy.exists() and run.dir.is_dir()
    assert [r["key"] for r in ls_json(storage_root)] == [run.id]


def test_restore_refuses_when_something_took_the_place(storage_root: Path, make_run) -> None:
    run = make_run()
    assert cli(storage_root, "rm", run.id).returncode == 0
    run.dir.mkdir()
    (run.dir / "notes.txt").write_text("mine")

    done = cli(storage_root, "restore", run.id)

    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        f"error: cannot restore {run.id}: demo/exp1/runs/{run.id} exists again under {storage_root}"
    )
    assert done.stderr.splitlines()[1].startswith(
        "hint: move that folder away first; the run stays in the trash as "
    )
    assert (run.dir / "notes.txt").read_text() == "mine"
    assert run.id in cli(storage_root, "restore").stdout


def test_purge_asks_first_and_deletes_the_trash_for_good(storage_root: Path, make_run) -> None:
    run = make_run()
    other = make_run(name="exp2")
    assert cli(storage_root, "rm", run.id, other.id).returncode == 0

    refused = cli(storage_root, "rm", "--purge")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[1] == "hint: add --yes to delete them for good"
    assert refused.stderr.startswith("error: not deleting 2 runs (")
    assert len(cli(storage_root, "restore").stdout.splitlines()) == 2

    code, shown = on_terminal(storage_root, "rm", "--purge", answer="n")
    assert code == 1 and "nothing was deleted" in shown
    assert len(cli(storage_root, "restore").stdout.splitlines()) == 2

    code, shown = on_terminal(storage_root, "rm", "--purge", answer="y")
    assert code == 0 and "deleted 2 runs" in shown
    assert cli(storage_root, "restore").stdout.strip() == f"the trash under {storage_root} is empty"
    gone = cli(storage_root, "restore", run.id)
    assert gone.returncode == 1 and gone.stderr.startswith(f"error: no run with id {run.id} in the trash")

    assert cli(storage_root, "rm", "--purge").stdout.strip().startswith("the trash is empty")
    assert ls_json(storage_root) == []


def test_purge_with_yes_needs_no_terminal(storage_root: Path, make_run) -> None:
    run = make_run()
    assert cli(storage_root, "rm", run.id).returncode == 0

    done = cli(storage_root, "rm", "--purge", "--yes")

    assert done.returncode == 0 and done.stdout.startswith("deleted 1 run (")
    assert list((storage_root / fmt.TRASH_DIR).iterdir()) == []


def test_the_viewer_stops_listing_a_trashed_run_and_lists_it_again_when_restored(
    storage_root: Path, make_run, live_viewer
) -> None:
    gone, kept = make_run(), make_run(name="exp2")
    base = live_viewer(storage_root)

    def listed() -> set[str]:
        return {r["id"] for r in httpx.get(f"{base}/api/runs", timeout=30).json()["runs"]}

    assert listed() == {gone.id, kept.id}
    assert cli(storage_root, "rm", gone.id).returncode == 0

    wait_for(lambda: listed() == {kept.id}, "the viewer to drop the trashed run")
    assert httpx.get(f"{base}/api/runs/{gone.id}", timeout=30).status_code == 404
    assert {p["name"] for p in httpx.get(f"{base}/api/projects", timeout=30).json()["projects"]} == {"demo"}

    assert cli(storage_root, "restore", gone.id).returncode == 0
    wait_for(lambda: listed() == {gone.id, kept.id}, "the viewer to list the restored run")


def test_export_leaves_the_trash_out(storage_root: Path, make_run, tmp_path: Path) -> None:
    gone, kept = make_run(), make_run(name="exp2")
    assert cli(storage_root, "rm", gone.id).returncode == 0
    out = tmp_path / "runs.tar.gz"

    done = cli(storage_root, "export", str(out))

    assert done.returncode == 0, done.stderr
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert any(kept.id in n for n in names)
    assert not [n for n in names if gone.id in n or fmt.TRASH_DIR in n]


def test_the_viewer_never_loads_the_run_management_code() -> None:
    code = (
        "import sys, runicorn.viewer.app, runicorn.viewer.server; "
        "print(sorted(m for m in sys.modules if m.startswith('runicorn.runs_admin')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=50)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_ls_query_filters_and_a_bad_query_points_at_its_column(storage_root: Path, make_run) -> None:
    """``runicorn ls -q`` uses the viewer's query grammar (docs/cli.md#ls)."""
    make_run(name="mlp", steps=2, config={"lr": 0.01, "bs": 32})
    make_run(name="mlp", steps=2, config={"lr": 0.1, "bs": 32})
    rows = ls_json(storage_root, "-q", "config.lr > 0.05", "--columns", "config.lr,summary.best_acc")
    assert [(r["label"], r["values"]["config.lr"]) for r in rows] == [("mlp", 0.1)]
    table = cli(storage_root, "ls", "--columns", "config.lr")
    assert table.returncode == 0 and "mlp lr=0.01" in table.stdout and "config.lr" in table.stdout
    bad = cli(storage_root, "ls", "-q", "config.lr < ")
    assert bad.returncode != 0 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert lines[0] == "error: expected a value at column 13"
    assert lines[1] == "  config.lr < " and lines[2] == "  " + " " * 12 + "^"
    assert lines[3].startswith("hint: ") and "Traceback" not in bad.stderr
