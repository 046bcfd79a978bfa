"""What a W&B ``Run`` says about itself: id, names, folders, urls, settings, and its pickling.

W&B's attributes, answered from the Runicorn run underneath: ``dir`` is the run's ``files/``
folder (W&B's files folder, where ``wandb.save`` puts copies), ``sync_dir`` the run's own folder,
``url`` its page in the viewer when ``viewer_url`` is configured (None otherwise, like the
project's and the sweep's urls). A disabled run (``mode="disabled"``) answers every attribute
without a folder: its ``dir`` is a path under the temp folder that nothing is written to.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from runicorn import format as fmt
from runicorn.wandb.errors import UsageError


class ConfigStatic:
    """``run.config_static``: the config's values as attributes, read once."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]


class RunIdentity:
    """The attributes of :class:`runicorn.wandb.run.Run` (set up by its ``__init__``)."""

    _sdk: Any
    _display_name: str
    _finished: bool
    _disabled: bool
    _mode: str
    _settings: Any
    _viewer_url: str
    _entity: str
    _group: str
    _job_type: str
    _resumed: bool
    _start_time: float
    _starting_step: int
    _sweep_id: str | None
    _tags: tuple[str, ...]
    _notes: str | None
    config: Any

    def _check_usable(self, what: str) -> None:
        """W&B's rule: a finished run refuses changes (``UsageError``)."""
        if self._finished and not self._disabled:
            raise UsageError(f"Run ({self.id}) is finished. The call to `{what}` will be ignored.")

    # --- identity -------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._sdk.id or self._settings.run_id or ""

    @property
    def name(self) -> str:
        return self._display_name

    @name.setter
    def name(self, value: str) -> None:
        self._check_usable("run.name")
        self._display_name = str(value)
        self._update_meta(fmt.WandbMetaData(display_name=self._display_name))

    @property
    def project(self) -> str:
        return str(self._sdk.project)

    def project_name(self) -> str:
        return self.project

    @property
    def entity(self) -> str:
        return self._entity

    @property
    def group(self) -> str:
        return self._group

    @property
    def job_type(self) -> str:
        return self._job_type

    @property
    def path(self) -> str:
        """``entity/project/id`` as W&B spells it (the entity is empty unless given to init)."""
        return "/".join(part for part in (self.entity, self.project, self.id) if part)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self._read_meta().get("tags") or self._tags)

    @tags.setter
    def tags(self, value: Any) -> None:
        self._check_usable("run.tags")
        tags = [value] if isinstance(value, str) else [str(t) for t in value or ()]
        self._tags = tuple(tags)
        self._update_meta(fmt.WandbMetaData(tags=tags))

    @property
    def notes(self) -> str | None:
        return self._read_meta().get("notes", self._notes)

    @notes.setter
    def notes(self, value: str | None) -> None:
        self._check_usable("run.notes")
        self._notes = None if value is None else str(value)
        self._update_meta(fmt.WandbMetaData(notes=self._notes))

    # --- state ----------------------------------------------------------------------------------
    @property
    def disabled(self) -> bool:
        return self._disabled

    @property
    def offline(self) -> bool:
        return self._mode == "offline"

    @property
    def resumed(self) -> bool:
        return self._resumed

    @property
    def settings(self) -> Any:
        return self._settings

    @property
    def start_time(self) -> float:
        return self._start_time

    @property
    def starting_step(self) -> int:
        return self._starting_step

    @property
    def sweep_id(self) -> str | None:
        return self._sweep_id

    @property
    def config_static(self) -> ConfigStatic:
        return ConfigStatic(dict(self.config.items()))

    # --- folders --------------------------------------------------------------------------------
    @property
    def dir(self) -> str:
        """W&B's files folder: the run's ``files/`` (made when asked for)."""
        if self._sdk.dir is None:
            return os.path.join(tempfile.gettempdir(), "wandb-disabled", "files")
        files = self._sdk.dir / fmt.FILES_DIR
        try:
            files.mkdir(exist_ok=True)
        except OSError:
            pass
        return str(files)

    @property
    def sync_dir(self) -> str:
        """The run's own folder (where its events, config and summary are)."""
        return str(self._sdk.dir) if self._sdk.dir is not None else os.path.dirname(self.dir)

    # --- urls: pages of the viewer when its url is configured -----------------------------------
    @property
    def url(self) -> str | None:
        if not self._viewer_url or not self.id or self._disabled:
            return None
        return f"{self._viewer_url.rstrip('/')}/runs/{self.id}"

    def get_url(self) -> str | None:
        return self.url

    @property
    def project_url(self) -> str | None:
        if not self._viewer_url or self._disabled:
            return None
        return f"{self._viewer_url.rstrip('/')}/?project={self.project}"

    def get_project_url(self) -> str | None:
        return self.project_url

    @property
    def sweep_url(self) -> str | None:
        return None

    def get_sweep_url(self) -> str | None:
        return self.sweep_url

    # --- pickling: a run is not moved to another process ---------------------------------------
    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _attach, (self.id, os.getpid())

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return self

    # --- internals ------------------------------------------------------------------------------
    def _read_meta(self) -> dict[str, Any]:
        if self._sdk.dir is None:
            return {}
        return fmt.read_json(self._sdk.dir / fmt.META_FILE) or {}

    def _update_meta(self, values: Any) -> None:
        raise NotImplementedError


def _attach(run_id: str, pid: int) -> Any:
    if pid == os.getpid():
        raise RuntimeError("attach in the same process is not supported")
    raise RuntimeError(
        f"runicorn.wandb cannot attach to run {run_id} from another process; "
        "hint: call wandb.init(id=..., resume='allow') in that process to log into the same run"
    )
