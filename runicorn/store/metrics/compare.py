"""One metric of several runs side by side, for overlays ("all runs of this experiment").

Each run's series is downsampled on its own with the same ``max_points``; x is the step, the unix
time, or ``elapsed`` (seconds since the run's first metrics row), so runs started at different
times line up. Runs without the metric are answered with empty series, not an error.
"""

from __future__ import annotations

from typing import Any

from runicorn.store.metrics.series import RunSeries


def compare_runs(
    runs: dict[str, RunSeries], key: str, x: str = "step", max_points: int = 2000
) -> dict[str, Any]:
    """``{"key", "x", "runs": [{"run", "x", "y", "count", "downsampled", "stages"}]}`` in the given
    order."""
    out = [{"run": run_key, **run_answer(series, key, x, max_points)} for run_key, series in runs.items()]
    return {"key": key, "x": x, "runs": out}


def run_answer(series: RunSeries, key: str, x: str = "step", max_points: int = 2000) -> dict[str, Any]:
    """One run's part of :func:`compare_runs` but its key: ``{"x", "y", "count", "downsampled",
    "stages"}``. The series may hold only ``key`` (and ``x`` when it is a metric): a
    :class:`~runicorn.store.metrics.key_series.KeySeries`."""
    answer = series.metrics([key], x=x, max_points=max_points)
    return {**answer["series"][key], "stages": answer["stages"]}
