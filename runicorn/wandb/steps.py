"""W&B's step rules for ``wandb.log``, as a pure object: calls in, committed rows out.

A W&B run has a current step and a pending row (the values logged at that step so far):

- ``log(d)``: ``d`` joins the pending row, the row is committed at the current step, and the
  step moves on by one.
- ``log(d, commit=False)``: ``d`` joins the pending row; nothing is committed.
- ``log(d, step=s)`` with ``s`` equal to the current step: ``d`` joins the pending row, which
  stays pending (W&B commits it when a later call moves past it), unless ``commit=True``.
- ``log(d, step=s)`` with ``s`` above the current step: the pending row (if any) is committed
  first, the step becomes ``s`` and ``d`` starts the new pending row (committed at once with
  ``commit=True``).
- ``log(d, step=s)`` with ``s`` below the current step: ``d`` is dropped, with a warning (W&B
  warns once; so do we).
- A value for a key already in the pending row replaces it (the later call wins).

:meth:`StepRules.flush` commits what is pending (``finish`` calls it).
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("runicorn")

Row = tuple[int, dict[str, Any]]  # (step, values)


class StepRules:
    """The current step and the pending row of one W&B run."""

    __slots__ = ("step", "pending", "dropped", "_warned")

    def __init__(self, step: int = 0) -> None:
        self.step = step  # the step the pending row (or the next one) belongs to
        self.pending: dict[str, Any] = {}
        self.dropped = 0  # calls dropped for a step below the current one
        self._warned = False

    def feed(self, data: dict[str, Any], step: int | None = None, commit: bool | None = None) -> list[Row]:
        """Apply one ``log`` call; the rows it commits, in order (often one, sometimes none or two)."""
        if step is None:
            if commit is False:
                self.pending.update(data)
                return []
            pending = self.pending
            if pending:
                pending.update(data)
                data = pending
                self.pending = {}
            row = (self.step, data)
            self.step += 1
            return [row]
        step = int(step)
        rows: list[Row] = []
        if step < self.step:
            self.dropped += 1
            if not self._warned:
                self._warned = True
                log.warning(
                    "runicorn.wandb: tried to log to step %d, below the current step %d; steps only "
                    "increase, so these values were dropped (warned once; see docs/wandb.md#steps)",
                    step,
                    self.step,
                )
            return rows
        if step > self.step:
            if self.pending:
                rows.append((self.step, self.pending))
                self.pending = {}
            self.step = step
        self.pending.update(data)
        if commit:
            rows.append(self.commit())
        return rows

    def commit(self) -> Row:
        """Commit the pending row at the current step (it may be empty) and move to the next step."""
        row = (self.step, self.pending)
        self.pending = {}
        self.step += 1
        return row

    def flush(self) -> list[Row]:
        """Commit the pending row, if there is one (at the end of the run)."""
        return [self.commit()] if self.pending else []
