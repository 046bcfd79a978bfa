"""``runicorn config`` and the demo script of ``make demo``, run as a user runs them: real processes."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from runicorn import format as fmt
from runicorn.store import StoreReader

REPO = Path(__file__).parents[2]


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_remembered_storage_root_is_where_runs_go_and_what_the_viewer_shows(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RUNICORN_DIR"}
    env["RUNICORN_CONFIG_FILE"] = str(tmp_path / "cfg" / "config.json")
    root = tmp_path / "my runs"

    set_root = run_cli(["config", "--set-user-root", str(root)], env, tmp_path)
    assert set_root.returncode == 0, set_root.stderr
    assert f"user storage root set to {root}" in set_root.stdout
    shown = run_cli(["config", "--show"], env, tmp_path)
    assert shown.returncode == 0 and f"storage           : {root}  (env RUNICORN_DIR" in shown.stdout

    # a training script that names no storage writes under the remembered root
    script = "import runicorn as rn; rn.init(project='p', name='n'); rn.log({'loss': 1.0}); rn.finish()"
    trained = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert trained.returncode == 0, trained.stderr
    assert run_projects(root) == ["p"]

    # RUNICORN_DIR still wins over the remembered root, and --show says so
    env["RUNICORN_DIR"] = str(tmp_path / "other")
    assert f"storage           : {tmp_path / 'other'}" in run_cli(["config", "--show"], env, tmp_path).stdout


def run_projects(root: Path) -> list[str]:
    reader = StoreReader(root)
    try:
        return [r.project for r in reader.index.query(limit=None).runs]
    finally:
        reader.close()


def test_the_demo_script_writes_a_finished_run_the_viewer_reads(tmp_path: Path) -> None:
    env = {**os.environ, "RUNICORN_CONFIG_FILE": str(tmp_path / "no-config.json")}
    demo = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "demo_train.py"),
            "--storage",
            str(tmp_path / "store"),
            "--epochs",
            "2",
            "--steps-per-epoch",
            "50",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    assert "demo run written to" in demo.stdout and fmt.EVENTS_FILE in demo.stdout
    reader = StoreReader(tmp_path / "store")
    try:
        (run,) = reader.index.query(limit=None).runs
        detail = reader.run_detail(run.key)
        assert (detail["project"], detail["name"], detail["status"]) == ("demo", "cifar10-resnet", "finished")
        metrics = reader.metrics(run.key, ["train/loss", "val/loss"], max_points=10_000)
        assert metrics["series"]["train/loss"]["count"] == 100 and metrics["series"]["val/loss"]["count"] == 2
        assert {s["stage"] for s in metrics["stages"]} == {"train", "val"}
        logs = "".join(reader.logs(run.key)["lines"])
    finally:
        reader.close()
    # the console lines in the order printed; every accuracy a plausible one (0..1)
    marks = [
        "epoch 1/2",
        "100% of epoch 1",
        "epoch 1: val/loss=",
        "epoch 2/2",
        "100% of epoch 2",
        "epoch 2: val/",
    ]
    at = [logs.find(mark) for mark in marks]
    assert -1 not in at and at == sorted(at), logs
    (run_dir,) = (tmp_path / "store").glob(f"demo/*/{fmt.RUNS_DIR}/*")
    records = [fmt.decode_event(line) for line in (run_dir / fmt.EVENTS_FILE).read_bytes().splitlines()]
    accuracies = [v for r in records if r for k, v in r["data"].items() if k.endswith("/acc")]
    assert len(accuracies) == 102 and all(0.0 <= a <= 1.0 for a in accuracies)


def test_the_version_follows_the_pypi_package_it_succeeds_everywhere_it_is_shown(
    tmp_path: Path, live_viewer
) -> None:
    import httpx

    import runicorn

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert tuple(int(part) for part in declared.split(".")[:2]) >= (0, 8)  # PyPI's last is 0.7.2
    env = {**os.environ, "RUNICORN_CONFIG_FILE": str(tmp_path / "no-config.json")}
    shown = run_cli(["--version"], env, tmp_path)
    assert shown.returncode == 0 and shown.stdout.strip() == declared == runicorn.__version__
    base = live_viewer(tmp_path / "store")
    assert httpx.get(f"{base}/api/health", timeout=10).json()["version"] == declared
    assert f"## {declared}" in (REPO / "CHANGELOG.md").read_text()


def test_no_doc_sends_users_to_the_older_pypi_package() -> None:
    """Until 0.8 is published, `pip install runicorn` installs PyPI's 0.7: no page may tell a user
    to run it bare (an extra on top of an installed 0.8 is fine); the README says how instead."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    bare = re.compile(r"pip install runicorn(?![\w\[-])")
    told = [
        f"{p.name}: {line.strip()}" for p in pages for line in p.read_text().splitlines() if bare.search(line)
    ]
    assert len(told) == 1 and told[0].startswith("README.md: published there, `pip install runicorn` gives")
    install = (REPO / "README.md").read_text().split("## Install", 1)[1].split("\n## ", 1)[0]
    assert "git clone" in install and "pip install '.[images]'" in install and ".whl" in install


def test_a_run_that_falls_back_to_dot_runicorn_stays_out_of_git_and_says_so_once(tmp_path: Path) -> None:
    """No storage root named anywhere: runs go to ./.runicorn, which git ignores (a .gitignore of
    ``*`` inside it), and only the run that made it says where it is and how to choose a root."""
    repo = tmp_path / "project"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("RUNICORN_DIR", "GIT_DIR", "GIT_WORK_TREE")}
    env.update({"RUNICORN_CONFIG_FILE": str(tmp_path / "no-config.json"), "HOME": str(tmp_path)})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    (repo / "train.py").write_text(
        "import runicorn as rn\nrn.init(project='p', name='sdk')\nrn.log({'loss': 1.0})\nrn.finish()\n"
    )
    for args in (["init", "-q"], ["add", "train.py"], ["commit", "-qm", "first"]):
        subprocess.run([*git, *args], cwd=repo, env=env, check=True, timeout=30)

    # `runicorn run` (this interpreter: `python` on PATH may be one without runicorn), falling back
    first = run_cli(["run", sys.executable, "train.py"], env, repo)
    assert first.returncode == 0, first.stderr
    root = repo / fmt.FALLBACK_ROOT_DIR
    told = [line for line in first.stderr.splitlines() if "no storage root is set" in line]
    assert len(told) == 1 and str(root) in told[0] and "runicorn config --set-user-root" in told[0]
    sdk = subprocess.run([sys.executable, "train.py"], cwd=repo, env=env, capture_output=True, text=True)
    assert sdk.returncode == 0 and "no storage root is set" not in sdk.stderr  # said once, not per run

    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert status.stdout == ""
    assert sorted(run_projects(root)) == ["p", "project"]  # the SDK's run and `runicorn run`'s
    reader = StoreReader(root)
    try:
        for run in reader.index.query(limit=None).runs:
            assert reader.run_detail(run.key)["meta"]["git"].get("untracked", []) == []
    finally:
        reader.close()

    # the CLI reads the same root, and `runicorn config` says which rule chose it
    listed = run_cli(["ls"], env, repo)
    assert listed.returncode == 0 and "sdk" in listed.stdout and "train" in listed.stdout
    shown = run_cli(["config"], env, repo).stdout
    assert f"storage root: {root}  (chosen by: nothing set: ./.runicorn" in shown
    env["RUNICORN_DIR"] = str(tmp_path / "elsewhere")
    assert "(chosen by: RUNICORN_DIR)" in run_cli(["config"], env, repo).stdout


def test_config_set_refuses_a_value_every_later_run_would_fail_on(tmp_path: Path) -> None:
    """(Every kind of refused value: tests/unit/test_config_set.py.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNICORN_")}
    env["RUNICORN_CONFIG_FILE"] = str(tmp_path / "cfg" / "config.json")
    env["RUNICORN_DIR"] = str(tmp_path / "store")
    out = run_cli(["config", "--set", "notify.events", "finish,explode"], env, tmp_path)
    assert out.returncode == 1 and out.stderr.splitlines() == [
        "error: notify_events: unknown notification event explode",
        "hint: use a comma-separated list of start, finish, failure, timeout, retry, interrupted, alert",
    ]
    assert not (tmp_path / "cfg" / "config.json").exists()  # nothing was written

    accepted = run_cli(["config", "--set", "notify.events", "finish, failure"], env, tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    later = run_cli(["run", "--", sys.executable, "-c", "print('fine')"], env, tmp_path)
    assert later.returncode == 0, later.stderr


def test_make_demo_passes_port_to_the_viewer_and_builds_the_ui_in_the_open() -> None:
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    # as a user types it, not as a sub-make of `make test` (which would print its directories)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    for extra, port in (([], "8000"), (["PORT=9000"], "9000")):
        planned = subprocess.run(
            ["make", "-n", "--no-print-directory", "demo", *extra],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert planned.returncode == 0, planned.stderr
        lines = planned.stdout.splitlines()
        assert lines[-1].endswith(f"runicorn viewer --storage .runicorn --port {port}")
        build = next(i for i, line in enumerate(lines) if "hatch_build.py" in line)
        assert build < next(i for i, line in enumerate(lines) if "pip install -q -e" in line)


def test_building_the_web_ui_names_each_step_and_passes_npms_progress_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """What a cold `make demo` shows while it builds the UI, with an npm that only talks."""
    spec = importlib.util.spec_from_file_location("hatch_build_script", REPO / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    hatch_build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hatch_build)
    bin_dir, web = tmp_path / "bin", tmp_path / "web"
    bin_dir.mkdir()
    web.mkdir()
    (web / "package.json").write_text("{}")
    npm = bin_dir / "npm"
    npm.write_text('#!/bin/sh\necho "npm says: $*"\n')
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    said: list[str] = []
    hatch_build.build_web_ui(web, said.append)
    assert said[0].startswith("web UI 1/2: installing its packages") and "npm ci" in said[0]
    assert said[1].startswith("web UI 1/2: done in") and said[2].startswith("web UI 2/2: building it")
    assert said[3].startswith("web UI 2/2: done in")
    assert "npm says: ci --no-audit --no-fund" in capfd.readouterr().out  # npm's own output, shown
