"""The run an integration records into: started on first use, resumed after it was finished.

Frameworks call an adapter's hooks in an order the adapter does not choose: Lightning finishes its
loggers after ``fit`` and then logs ``test`` metrics through the same logger, a Hugging Face
``Trainer`` may ``evaluate`` after training ended, and a logger may be pickled into a spawned
worker. :class:`RunHandle` keeps what ``rn.init`` needs to start the run, and its id once known, so
that whichever of these comes next finds the same run: a finished run is resumed with
``rn.init(run_id=...)`` (which keeps its config, summary and last step), and pickling drops the
live run and keeps the id, for the copy to resume it where it is unpickled.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import runicorn as rn
from runicorn.format import new_run_id

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

# Lightning's and the Hugging Face Trainer's names for how training ended, as our final statuses.
_STATUSES = {
    "success": "finished",
    "finished": "finished",
    "failed": "failed",
    "interrupted": "interrupted",
    "aborted": "interrupted",
    "killed": "interrupted",
}


def final_status(framework_status: str) -> str:
    """A framework's word for how training ended as a run status (unknown words: ``finished``)."""
    return _STATUSES.get(str(framework_status).lower(), "finished")


class RunHandle:
    """Starts (or resumes) the run with ``rn.init`` when it is first needed.

    ``run=`` an existing run (one the user started with ``rn.init``) is used as it is and never
    finished by the adapter: :attr:`owned` is False then."""

    def __init__(
        self,
        project: str,
        name: str,
        storage: str | os.PathLike[str] | None = None,
        tags: list[str] | None = None,
        config: Any = None,
        init_kwargs: dict[str, Any] | None = None,
        run: RunLike | None = None,
    ) -> None:
        self.project, self.name = project, name
        self.storage = None if storage is None else os.fspath(storage)
        self.tags = tags
        self.init_kwargs = dict(init_kwargs or {})
        self.run_id: str | None = self.init_kwargs.pop("run_id", None)
        self._config = config  # given to the first rn.init only; a resumed run keeps its own
        self._run = run
        self.owned = run is None
        if run is not None:
            self.run_id = run.id

    @property
    def last(self) -> RunLike | None:
        """The run last used, finished or not (None before the first use)."""
        return self._run

    @property
    def started(self) -> bool:
        return self._run is not None and not self._run.finished

    def get(self) -> RunLike:
        """The live run: the one already open, else a fresh one, else the finished one resumed."""
        run = self._run
        if run is not None and (not run.finished or not self.owned):
            return run
        run = rn.init(
            project=self.project,
            name=self.name,
            storage=self.storage,
            config=self._config,
            tags=self.tags,
            run_id=self.run_id,
            **self.init_kwargs,
        )
        self._config = None
        self._run = run
        if run.id is not None:
            self.run_id = run.id
        return run

    def finish(self, status: str = "finished") -> None:
        """Finish the run if this handle started it (a run passed in is left to its owner)."""
        if self.owned and self._run is not None and not self._run.finished:
            self._run.finish(status)

    def reserve_id(self) -> str:
        """The run's id, drawn now if no run was started yet, so every copy of the adapter
        (a pickled logger in a spawned worker) records into the same run."""
        if self.run_id is None:
            self.run_id = new_run_id()
        return self.run_id

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for another process: the run stays behind. A run open here is finished (written
        out and unlocked) so that the copy can resume it; the copy re-attaches on first use."""
        self.reserve_id()
        if self.owned and self.started:
            self.finish("finished")
        state = self.__dict__.copy()
        state["_run"] = None  # a copy owns what it resumes (a run passed in belongs to this process)
        state["owned"] = True
        return state
