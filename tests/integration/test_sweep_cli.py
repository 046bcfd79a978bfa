"""``runicorn sweep`` and ``runicorn sweep run`` as real processes, agents sharing a sweep, and
the sweep API over a real viewer."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from runicorn import format as fmt
from runicorn.sweep import open_sweep

REPO = Path(__file__).resolve().parents[2]

TRAIN = textwrap.dedent(
    """
    import os, sys
    import runicorn as rn
    args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    run = rn.init()
    run.log({"loss": float(args["lr"]) * int(args["bs"])})
    print("sweep", os.environ["WANDB_SWEEP_ID"], "trial", os.environ["RUNICORN_SWEEP_TRIAL"])
    """
)


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUNICORN_CONFIG_FILE": str(root.parent / "no-config.json")}
    env.pop("RUNICORN_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", "sweep", "--storage", str(root), *args],
        cwd=root.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        stdin=subprocess.DEVNULL,
    )


def _sweep(tmp_path: Path, root: Path) -> str:
    config = tmp_path / "sweep.yaml"
    config.write_text(
        "method: grid\nmetric:\n  name: loss\n  goal: minimize\n"
        "parameters:\n  lr:\n    values: [0.1, 0.01]\n  bs:\n    values: [8, 16]\n"
    )
    created = cli(root, str(config), "--project", "demo")
    assert created.returncode == 0, created.stderr
    sweep_id = created.stdout.strip()
    assert fmt.SWEEP_ID_PATTERN.match(sweep_id)
    return sweep_id


def test_sweep_run_runs_the_command_per_trial_with_its_parameters(tmp_path: Path, storage_root: Path) -> None:
    sweep_id = _sweep(tmp_path, storage_root)
    (tmp_path / "train.py").write_text(TRAIN)
    first = cli(
        storage_root, "run", sweep_id, "--count", "3", "--", sys.executable, str(tmp_path / "train.py")
    )
    assert first.returncode == 0, first.stderr
    assert "ran 3 trials" in first.stdout
    rest = cli(storage_root, "run", sweep_id, "--", sys.executable, str(tmp_path / "train.py"))
    assert "ran 1 trial " in rest.stdout, rest.stderr

    trials = open_sweep(storage_root, sweep_id).trials()
    assert [t["params"] for t in trials] == [
        {"lr": 0.1, "bs": 8},
        {"lr": 0.1, "bs": 16},
        {"lr": 0.01, "bs": 8},
        {"lr": 0.01, "bs": 16},
    ]
    for t in trials:
        assert t["status"] == fmt.TRIAL_FINISHED
        assert t["metric"] is not None and abs(t["metric"] - t["params"]["lr"] * t["params"]["bs"]) < 1e-9
        run_dir = storage_root / str(t["run_path"])
        assert t["run_path"].startswith(f"demo/sweep-{sweep_id}/runs/")
        assert fmt.read_json(run_dir / fmt.CONFIG_FILE) == t["params"]
        meta = fmt.read_json(run_dir / fmt.META_FILE) or {}
        assert sweep_id in meta["tags"]
        assert meta["command"][-2:] == [f"--lr={t['params']['lr']}", f"--bs={t['params']['bs']}"]
        assert f"sweep {sweep_id} trial {t['index']}" in (run_dir / fmt.LOGS_FILE).read_text()

    again = cli(storage_root, "run", sweep_id, "--", sys.executable, str(tmp_path / "train.py"))
    assert "ran 0 trials" in again.stdout  # the grid is done


def test_sweep_run_takes_the_command_without_dashes_and_names_the_best_trial(
    tmp_path: Path, storage_root: Path
) -> None:
    """As `runicorn run` does: everything after the sweep id is the command, its own options too."""
    sweep_id = _sweep(tmp_path, storage_root)
    (tmp_path / "train.py").write_text(TRAIN)
    done = cli(
        storage_root, "run", sweep_id, "--count", "2", sys.executable, str(tmp_path / "train.py"), "-u"
    )
    assert done.returncode == 0, done.stderr
    assert "ran 2 trials" in done.stdout
    trials = open_sweep(storage_root, sweep_id).trials()
    assert [t["status"] for t in trials] == [fmt.TRIAL_FINISHED] * 2
    meta = fmt.read_json(storage_root / str(trials[0]["run_path"]) / fmt.META_FILE) or {}
    assert meta["command"][:3] == [sys.executable, str(tmp_path / "train.py"), "-u"]
    # loss = lr * bs: of (0.1, 8) and (0.1, 16), trial 0 is the best (minimize)
    best = trials[0]
    assert f"best trial: 0 (loss=0.8, minimize) {{'lr': 0.1, 'bs': 8}} in {best['run_path']}" in done.stdout


def test_a_bad_configuration_file_is_refused_naming_the_key(tmp_path: Path, storage_root: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text('{"method": "grid", "parameters": {"lr": {"min": 0.1, "max": 0.2}}}')
    out = cli(storage_root, str(config))
    assert out.returncode == 1
    assert "parameters.lr" in out.stderr and "hint:" in out.stderr
    missing = cli(storage_root, "run", "abcd1234", "--", "true")
    assert missing.returncode == 1 and "no sweep 'abcd1234'" in missing.stderr


def test_agents_in_several_processes_never_take_the_same_trial(storage_root: Path) -> None:
    from runicorn.sweep import create_sweep, parse_sweep_config

    sweep = create_sweep(
        storage_root,
        parse_sweep_config({"method": "grid", "parameters": {"a": {"min": 1, "max": 40}}}),
        "demo",
    )
    code = (
        "import sys\nfrom runicorn.sweep import open_sweep\n"
        "s = open_sweep(sys.argv[1], sys.argv[2])\n"
        "while (t := s.next_trial()) is not None:\n"
        "    s.finish_trial(t, None, 'finished')\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(storage_root), sweep.id], cwd=REPO)
        for _ in range(3)
    ]
    for p in procs:
        assert p.wait(timeout=50) == 0
    trials = open_sweep(storage_root, sweep.id).trials()
    assert sorted(t["params"]["a"] for t in trials) == list(range(1, 41))
    assert [t["index"] for t in trials] == list(range(40))


def test_the_sweep_api_lists_sweeps_and_gives_trials_with_run_keys_and_the_best(
    tmp_path: Path, storage_root: Path, live_viewer
) -> None:
    sweep_id = _sweep(tmp_path, storage_root)
    (tmp_path / "train.py").write_text(TRAIN)
    assert (
        cli(storage_root, "run", sweep_id, "--", sys.executable, str(tmp_path / "train.py")).returncode == 0
    )
    base = live_viewer(storage_root)
    listed = httpx.get(f"{base}/api/sweeps").json()["sweeps"]
    assert [s["id"] for s in listed] == [sweep_id]
    assert listed[0]["trial_count"] == 4 and listed[0]["best_metric"] == 0.01 * 8
    detail = httpx.get(f"{base}/api/sweeps/{sweep_id}").json()
    assert detail["method"] == "grid" and detail["metric"] == {"name": "loss", "goal": "minimize"}
    assert detail["best_trial"] == 2
    assert [p["name"] for p in detail["parameters"]] == ["lr", "bs"]
    for trial in detail["trials"]:
        run = httpx.get(f"{base}/api/runs/{trial['run_key']}").json()
        assert run["config"] == trial["params"]
    missing = httpx.get(f"{base}/api/sweeps/nosuch00")
    assert missing.status_code == 404 and missing.json()["status"] == 404


SLOW_TRAIN = textwrap.dedent(
    """
    import sys, time
    import runicorn as rn
    args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    q = float(args["q"])
    run = rn.init()
    steps = 6 if q == 1 else 150  # a poor trial would go on for half a minute
    for step in range(1, steps + 1):
        run.log({"loss": q / min(step, 6)}, step=step)
        run.flush()
        time.sleep(0.2)
    """
)


def test_hyperband_stops_a_trial_that_falls_behind_and_the_sweep_goes_on(
    tmp_path: Path, storage_root: Path
) -> None:
    config = tmp_path / "sweep.yaml"
    config.write_text(
        "method: grid\nmetric:\n  name: loss\n  goal: minimize\n"
        "early_terminate:\n  type: hyperband\n  min_iter: 2\n  eta: 2\n"
        "parameters:\n  q:\n    values: [1, 3, 1]\n"
    )
    created = cli(storage_root, str(config), "--project", "demo")
    assert created.returncode == 0, created.stderr
    sweep_id = created.stdout.strip()
    (tmp_path / "train.py").write_text(SLOW_TRAIN)

    ran = cli(storage_root, "run", sweep_id, "--", sys.executable, str(tmp_path / "train.py"))

    assert ran.returncode == 0, ran.stderr
    assert "ran 3 trials" in ran.stdout
    trials = open_sweep(storage_root, sweep_id).trials()
    assert [t["status"] for t in trials] == [fmt.TRIAL_FINISHED, fmt.TRIAL_STOPPED, fmt.TRIAL_FINISHED]
    stopped = storage_root / str(trials[1]["run_path"])
    status = fmt.read_json(stopped / fmt.STATUS_FILE)
    assert (status["status"], status["reason"]) == (fmt.INTERRUPTED, fmt.EARLY_STOP_REASON)
    assert "stopped early: loss 1.5 at iteration 2" in (stopped / fmt.LOGS_FILE).read_text()
    assert trials[1]["metric"] is not None and trials[1]["metric"] >= 0.5  # what it had logged
