"""``/api/sweeps`` and ``/api/sweeps/{id}``: the sweeps under the storage root (docs/api.md#sweeps)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from runicorn import format as fmt
from runicorn.errors import ConfigError, RunNotFound
from runicorn.store import StoreReader
from runicorn.sweep import Sweep, best_trial, list_sweeps, open_sweep


def _summary(sweep: Sweep, trials: list[fmt.TrialData]) -> dict[str, Any]:
    metric = sweep.config.metric
    best = best_trial(trials, metric)
    counts = {status: sum(1 for t in trials if t.get("status") == status) for status in fmt.TRIAL_STATUSES}
    return {
        "id": sweep.id,
        "name": sweep.config.name,
        "project": sweep.project,
        "method": sweep.config.method,
        "metric": {"name": metric.name, "goal": metric.goal} if metric else None,
        "created_at": sweep.data.get("created_at"),
        "trial_count": len(trials),
        "trials_by_status": counts,
        "best_metric": best.get("metric") if best else None,
        "best_trial": best["index"] if best else None,
    }


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["sweeps"])

    def run_key(trial: fmt.TrialData) -> str | None:
        run_id = trial.get("run_id")
        if not run_id:
            return None
        info = reader.find_run(run_id)
        if info is not None and trial.get("run_path") not in (None, info.relpath):
            for candidate in reader.all_runs():
                if candidate.relpath == trial.get("run_path"):
                    return candidate.key
        return info.key if info is not None else run_id

    @api.get("/sweeps")
    def sweeps() -> dict[str, Any]:
        """Every sweep, newest first, with its method, metric, trial counts and best value."""
        return {"sweeps": [_summary(s, s.trials()) for s in list_sweeps(reader.root)]}

    @api.get("/sweeps/{sweep_id}")
    def sweep_detail(sweep_id: str) -> dict[str, Any]:
        """One sweep: its configuration as given, its parameters and every trial (run key,
        parameters, status, metric), and the best trial."""
        try:
            sweep = open_sweep(reader.root, sweep_id)
        except ConfigError as exc:
            raise RunNotFound(
                f"no sweep {sweep_id!r} under the storage root", "list them with GET /api/sweeps"
            ) from exc
        trials = sweep.trials()
        out = _summary(sweep, trials)
        out["config"] = sweep.config.raw
        out["parameters"] = [
            {
                "name": p.name,
                "distribution": p.distribution,
                "values": list(p.values) if p.is_discrete else None,
            }
            for p in sweep.config.parameters
        ]
        out["trials"] = [
            {
                "index": t["index"],
                "params": t.get("params", {}),
                "status": t.get("status"),
                "metric": t.get("metric"),
                "run_id": t.get("run_id"),
                "run_key": run_key(t),
                "started_at": t.get("started_at"),
                "ended_at": t.get("ended_at"),
            }
            for t in trials
        ]
        return out

    return api
