"""Hyperband early stopping of a sweep's trials (``early_terminate: {type: hyperband, ...}``).

A trial is compared with the sweep's ended trials at a few iteration counts, the brackets: an
iteration is one value logged under the sweep's metric, and a trial at bracket ``b`` is judged by
its ``b``-th value. At each bracket it reaches, the trial goes on only while its value is among the
best ``ceil(n / eta)`` of the ``n`` values there (its own and those of the ended trials that got
that far); otherwise ``runicorn sweep run`` stops it (SIGTERM, then SIGKILL after the grace) and
records the trial as stopped. The first trial, having no one to be compared with, always runs to
its end. Brackets: ``min_iter``, ``min_iter * eta``, ``min_iter * eta**2`` ... up to ``max_iter``
when given; with ``max_iter`` and ``s``, the ``s`` counts ``max_iter / eta**s`` ...
``max_iter / eta``. A value that is not a finite number counts as the worst.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path

from runicorn import format as fmt
from runicorn.files import open_run_file
from runicorn.sweep.config import Hyperband, Metric, SweepConfig

MAX_BRACKETS = 64
CHECK_EVERY_S = 0.5
READ_CHUNK_BYTES = 1 << 20


def brackets(rule: Hyperband) -> list[int]:
    """The iteration counts at which a trial is judged, smallest first."""
    if rule.max_iter is not None and rule.s is not None:
        return sorted({max(1, round(rule.max_iter / rule.eta**k)) for k in range(rule.s, 0, -1)})
    out: list[int] = []
    at = float(rule.min_iter)
    while len(out) < MAX_BRACKETS and (rule.max_iter is None or at <= rule.max_iter):
        if not out or round(at) > out[-1]:
            out.append(round(at))
        at *= rule.eta
    return out


def stop_reason(
    history: list[float], others: list[list[float]], rule: Hyperband, metric: Metric
) -> str | None:
    """Why the trial whose metric values so far are ``history`` should stop, given the values of
    the ended trials (``others``); None while it should go on."""
    for at in brackets(rule):
        if len(history) < at:
            return None
        peers = [values[at - 1] for values in others if len(values) >= at]
        if not peers:
            continue
        mine = _comparable(history[at - 1], metric)
        ranked = sorted([_comparable(v, metric) for v in peers] + [mine], reverse=metric.goal == "maximize")
        keep = max(1, math.ceil(len(ranked) / rule.eta))
        cut = ranked[keep - 1]
        if metric.better(cut, mine):
            return (
                f"{metric.name} {history[at - 1]:g} at iteration {at} is not among the best {keep} "
                f"of the {len(ranked)} trials that got there (the cut is {cut:g})"
            )
    return None


def _comparable(value: float, metric: Metric) -> float:
    if math.isfinite(value):
        return value
    return math.inf if metric.goal == "minimize" else -math.inf


class MetricHistory:
    """The values one run logged under one metric name, in order, read from its events.jsonl as
    it grows (whole lines only)."""

    def __init__(self, run_dir: Path, name: str) -> None:
        self.run_dir = run_dir
        self.name = name
        self.values: list[float] = []
        self._offset = 0

    def read(self) -> list[float]:
        try:
            with open_run_file(self.run_dir, fmt.EVENTS_FILE) as f:  # no link out of the run
                f.seek(self._offset)
                while chunk := f.read(READ_CHUNK_BYTES):
                    whole = chunk.rfind(b"\n") + 1
                    if not whole:
                        break  # a line still being written, or one longer than a chunk: later
                    self._take(chunk[:whole])
                    self._offset += whole
                    f.seek(self._offset)
        except OSError:
            pass
        return self.values

    def _take(self, lines: bytes) -> None:
        for line in lines.splitlines():
            record = fmt.decode_event(line)
            if record is None or record.get("type") != fmt.METRICS:
                continue
            value = fmt.metric_items(record).get(self.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.values.append(float(value))


class EarlyStop:
    """The check ``runicorn sweep run`` gives the launcher of one trial: reads the trial's metric as
    it is logged (at most every CHECK_EVERY_S) and says why it should stop, if it should."""

    def __init__(self, config: SweepConfig, others: list[Path], run_dir: Callable[[], Path | None]) -> None:
        assert config.early_terminate is not None and config.metric is not None
        self.rule = config.early_terminate
        self.metric = config.metric
        self.others = [MetricHistory(p, self.metric.name).read() for p in others if os.path.isdir(p)]
        self.run_dir = run_dir
        self._history: MetricHistory | None = None
        self._checked_at = 0.0

    def __call__(self) -> str | None:
        now = time.monotonic()
        if now - self._checked_at < CHECK_EVERY_S or not self.others:
            return None
        self._checked_at = now
        if self._history is None:
            run_dir = self.run_dir()
            if run_dir is None:
                return None
            self._history = MetricHistory(run_dir, self.metric.name)
        return stop_reason(self._history.read(), self.others, self.rule, self.metric)
