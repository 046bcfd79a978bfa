"""Sweeps on disk: ``<root>/.sweeps/<sweep_id>/`` (layout in runicorn/format/sweeps.py, docs/format.md).

Handing out the next trial happens under an exclusive ``flock`` on the sweep's lock file, so
several processes on one machine running the same sweep never take the same trial and the bayes
search always sees every trial handed out before. Each process then writes only its own trials.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.errors import ConfigError, StorageError
from runicorn.file_lock import FileLock
from runicorn.files import read_run_json, write_json_atomic
from runicorn.sweep import bayes
from runicorn.sweep.config import Metric, SweepConfig, parse_sweep_config
from runicorn.sweep.hyperband import MetricHistory
from runicorn.sweep.space import grid_points, sample_point


def sweeps_dir(root: Path) -> Path:
    return Path(root) / fmt.SWEEPS_DIR


def create_sweep(root: Path, config: SweepConfig, project: str, seed: int | None = None) -> Sweep:
    """Write a new sweep under ``root`` and return it; its id is 8 random lower-case characters."""
    if not fmt.is_safe_id(project):
        raise ConfigError(
            f"project={project!r} cannot name a folder", "use letters, digits, '_', '-' and '.'"
        )
    base = sweeps_dir(root)
    while True:
        sweep_id = uuid.uuid4().hex[:8]
        path = base / sweep_id
        try:
            path.mkdir(parents=True)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise StorageError(
                f"cannot create the sweep folder {path}: {exc.strerror or exc}",
                "check that the storage root is writable, or set RUNICORN_DIR to another folder",
            ) from exc
    (path / fmt.SWEEP_TRIALS_DIR).mkdir()
    data = fmt.SweepData(
        id=sweep_id,
        project=project,
        created_at=time.time(),
        seed=seed if seed is not None else random.SystemRandom().randrange(2**31),
        config=config.raw,
    )
    write_json_atomic(path / fmt.SWEEP_FILE, dict(data))
    return Sweep(path, dict(data), config)


def open_sweep(root: Path, sweep_id: str) -> Sweep:
    path = sweeps_dir(root) / sweep_id
    data = fmt.read_json(path / fmt.SWEEP_FILE) if fmt.SWEEP_ID_PATTERN.match(sweep_id) else None
    if data is None:
        raise ConfigError(
            f"no sweep {sweep_id!r} in {sweeps_dir(root)}",
            "create one with `runicorn sweep CONFIG.yaml` (or wandb.sweep) and use the id it prints",
        )
    return Sweep(path, data, parse_sweep_config(data.get("config")))


def list_sweeps(root: Path) -> list[Sweep]:
    """Every readable sweep under ``root``, newest first (a broken one is skipped)."""
    found = []
    try:
        names = sorted(os.listdir(sweeps_dir(root)))
    except OSError:
        return []
    for name in names:
        try:
            found.append(open_sweep(root, name))
        except ConfigError:
            continue
    return sorted(found, key=lambda s: -float(s.data.get("created_at") or 0))


class Sweep:
    """One sweep's folder: its configuration and its trials."""

    def __init__(self, path: Path, data: dict[str, Any], config: SweepConfig) -> None:
        self.path = path
        self.data = data
        self.config = config
        self.id = str(data.get("id") or path.name)
        self.project = str(data.get("project") or fmt.DEFAULT_PROJECT)
        self.seed = int(data.get("seed") or 0)

    @property
    def root(self) -> Path:
        return self.path.parent.parent

    @property
    def run_name(self) -> str:
        """The experiment name its trials' runs get: ``sweep-<id>``."""
        return f"sweep-{self.id}"

    def trials(self) -> list[fmt.TrialData]:
        out = []
        folder = self.path / fmt.SWEEP_TRIALS_DIR
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
        except OSError:
            return []
        for name in names:
            data = fmt.read_json(folder / name)
            if data is not None and isinstance(data.get("index"), int):
                out.append(fmt.TrialData(**data))  # type: ignore[typeddict-item]
        return sorted(out, key=lambda t: t["index"])

    def next_trial(self) -> fmt.TrialData | None:
        """Hand out the next trial (written as ``running``), or None when the sweep is done: a
        grid has no combination left, or ``run_cap`` trials were handed out."""
        with self._locked():
            trials = self.trials()
            index = len(trials)
            if self.config.run_cap is not None and index >= self.config.run_cap:
                return None
            params = self._propose(index, trials)
            if params is None:
                return None
            trial = fmt.TrialData(
                index=index,
                params=params,
                status=fmt.TRIAL_RUNNING,
                started_at=time.time(),
                run_id=None,
                run_path=None,
            )
            self.write_trial(trial)
            return trial

    def _propose(self, index: int, trials: list[fmt.TrialData]) -> dict[str, Any] | None:
        rng = random.Random(f"{self.seed}:{index}")
        method = self.config.method
        if method == "grid":
            points = grid_points(self.config)
            return points[index] if index < len(points) else None
        if method == "random":
            return sample_point(self.config, rng)
        metric = self.config.metric
        seen = bayes.observations(trials, metric, self._best_logged) if metric else []
        return bayes.suggest(self.config, seen, rng)

    def _best_logged(self, trial: fmt.TrialData) -> float | None:
        """The best value a trial's run logged under the sweep's metric (None when unknown)."""
        metric, run_path = self.config.metric, trial.get("run_path")
        if metric is None or not run_path:
            return None
        logged = [v for v in MetricHistory(self.root / run_path, metric.name).read() if v == v]
        if not logged:
            return None
        return min(logged) if metric.goal == "minimize" else max(logged)

    def write_trial(self, trial: fmt.TrialData) -> None:
        write_json_atomic(self.path / fmt.SWEEP_TRIALS_DIR / fmt.trial_file_name(trial["index"]), dict(trial))

    def finish_trial(self, trial: fmt.TrialData, run_dir: Path | None, status: str) -> fmt.TrialData:
        """Record how a trial ended: its run, its status and the sweep's metric read from the run."""
        done = fmt.TrialData(**trial)
        done["status"] = status
        done["ended_at"] = time.time()
        if run_dir is not None:
            done["run_id"] = run_dir.name
            try:
                done["run_path"] = run_dir.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                done["run_path"] = None
            metric = self.config.metric
            done["metric"] = read_metric(run_dir, metric.name) if metric else None
        self.write_trial(done)
        return done

    def _locked(self) -> AbstractContextManager[None]:
        return FileLock(self.path / fmt.SWEEP_LOCK_FILE).held()


def read_metric(run_dir: Path, name: str) -> float | None:
    """The value of metric ``name`` a run ended with: its summary.json's, else the last value it
    logged in events.jsonl; None when it has neither (or not a finite number). Files that lead out
    of the run folder are not read."""
    summary = read_run_json(run_dir, fmt.SUMMARY_FILE) or {}
    value = summary.get(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    logged = MetricHistory(run_dir, name).read()
    return logged[-1] if logged else None


def best_trial(trials: list[fmt.TrialData], metric: Metric | None) -> fmt.TrialData | None:
    """The finished trial with the best metric (the earliest on a tie)."""
    if metric is None:
        return None
    best: fmt.TrialData | None = None
    for t in trials:
        value = t.get("metric")
        if not isinstance(value, (int, float)) or value != value:
            continue
        if best is None or metric.better(float(value), float(best["metric"] or 0)):
            best = t
    return best
