"""``wandb.init`` and the process's current W&B run (``wandb.run``).

``init`` maps W&B's arguments onto :func:`runicorn.init`: ``project`` and ``name`` name the run's
folders (characters a folder cannot hold become ``-``; the name as given stays the run's display
name), ``dir`` picks the storage root (the rule is in storage_root.py: it never moves runs away
from a configured root), ``id`` the run id (an existing one is resumed), ``tags`` and ``notes`` go
to meta.json, with ``group`` and ``job_type``. Arguments that only mean something to
W&B's servers are accepted and ignored, with one notice naming them.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import runicorn
from runicorn import format as fmt
from runicorn import settings as rn_settings
from runicorn.sdk.disabled import DisabledRun
from runicorn.sdk.run_like import RunLike
from runicorn.wandb import quiet
from runicorn.wandb.config import config_defaults, config_file, parse_config
from runicorn.wandb.env import read_env
from runicorn.wandb.errors import Error, UsageError
from runicorn.wandb.run import Run
from runicorn.wandb.settings import Settings
from runicorn.wandb.storage_root import storage_root_for
from runicorn.wandb.sweeps import current_trial

log = logging.getLogger("runicorn")

MODES = ("online", "offline", "disabled", "shared", "dryrun", "run")
RESUME_CHOICES = ("allow", "must", "never", "auto")

REINIT_CHOICES = ("default", "return_previous", "finish_previous", "create_new")
_BAD_PROJECT_CHARACTERS = frozenset("/\\#?%:")
MAX_PROJECT_CHARS = 128

current: Run | None = None  # wandb.run
active: list[Run] = []  # the runs started and not finished yet, oldest first
silent = False


def forget(run: Run) -> None:
    """``run`` finished: it is no longer active, and ``wandb.run`` is None again if it was it."""
    global current
    if current is run:
        current = None
    if run in active:
        active.remove(run)


def teardown() -> None:
    """Finish every active run and forget ``wandb.setup``'s settings (W&B's ``wandb.teardown``)."""
    for run in list(reversed(active)):
        run.finish()
    quiet.setup_settings = None


def notice(message: str) -> None:
    """One line for the user (``wandb: ...`` in W&B), unless ``WANDB_SILENT`` is set."""
    if not silent:
        log.warning("runicorn.wandb: %s", message)


def init(
    project: str | None = None,
    name: str | None = None,
    config: Any = None,
    tags: Any = None,
    notes: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    dir: Any = None,  # noqa: A002 - W&B's argument name
    id: str | None = None,  # noqa: A002 - W&B's argument name
    resume: Any = None,
    mode: str | None = None,
    reinit: Any = None,
    config_exclude_keys: list[str] | None = None,
    config_include_keys: list[str] | None = None,
    settings: Any = None,
    entity: str | None = None,
    allow_val_change: bool | None = None,
    **kwargs: Any,
) -> Run:
    """Start a W&B run that logs into a Runicorn run (docs/wandb.md#init)."""
    global current, silent
    env = read_env()
    # a copy: the run's settings get its mode, id and folders; the object given stays as it was
    settings = Settings(**(vars(settings) if isinstance(settings, Settings) else dict(settings or {})))
    silent = env.silent or bool(settings.silent)
    mode = str(mode or settings.mode or env.mode or "online").lower()
    if mode not in MODES:
        raise UsageError(f"wandb.init(mode={mode!r}): use 'online', 'offline' or 'disabled'")
    reinit = _reinit_choice(reinit if reinit is not None else settings.reinit)
    # entity only spells run.path here (entity/project/id): no team, no server to send it to
    ignored = sorted([k for k, v in kwargs.items() if v is not None] + (["entity"] if entity else []))
    if ignored:
        notice(f"wandb.init ignores {', '.join(ignored)} (they only mean something to W&B's servers)")
    if active:
        if reinit == "finish_previous":
            teardown()
        elif reinit != "create_new":
            if resume == "must":
                raise Error(
                    "Cannot resume a run while another run is active. You must either finish it "
                    "using run.finish(), or use reinit='create_new' when calling wandb.init()."
                )
            notice(
                f"wandb.init() called while a run is active and reinit is set to {reinit!r}, so "
                "returning the previous run (pass reinit='finish_previous' or 'create_new' for a new one)"
            )
            return active[-1]  # W&B's default in a script: the active run is returned
    if id is not None and any(run.id == str(id) for run in active):
        raise UsageError(
            f"wandb.init(id={id!r}): run ID {id} is in use by an active run",
            "finish that run first, or pass another id",
        )
    trial = current_trial()  # inside a sweep's agent, or a command `runicorn sweep run` started
    project = project or settings.project or env.project or (trial.project if trial else None)
    project = project or ("dummy" if mode == "disabled" else "uncategorized")
    _check_project(project)
    display_name = name or env.name or (trial.name if trial else None)
    run_id = id or settings.run_id or env.id
    resume = _resume_choice(resume if resume is not None else env.resume)
    tags = list(tags) if tags is not None else (list(env.tags) if env.tags else None)
    if isinstance(config, (str, os.PathLike)):  # W&B: a path to a YAML file of the config
        config = config_file(config)
    config_values = {**config_defaults(), **parse_config(config)}
    if trial is not None:  # the sweep's values win over the program's own, as in W&B
        config_values = {**config_values, **trial.config}
        tags = [*(tags or []), *(t for t in trial.tags if t not in (tags or []))]
    if config_include_keys:
        config_values = {k: v for k, v in config_values.items() if k in config_include_keys}
    if config_exclude_keys:
        config_values = {k: v for k, v in config_values.items() if k not in config_exclude_keys}
    storage = storage_root_for(dir or env.dir, notice)
    folder_project = fmt.folder_name(project, "uncategorized")
    folder_run = fmt.folder_name(display_name, fmt.DEFAULT_NAME) if display_name else fmt.DEFAULT_NAME
    if run_id is not None and not fmt.is_safe_id(str(run_id)):
        raise UsageError(
            f"wandb.init(id={run_id!r}): a run id may hold letters, digits, '_', '-' and '.' only",
            "pass another id, or none for a fresh one",
        )
    resolved = rn_settings.resolve(storage=storage)
    resumed = False
    if run_id is not None and mode != "disabled":
        existing = [p for p in fmt.run_dirs_with_id(resolved.storage, str(run_id)) if fmt.is_run_dir(p)]
        if existing and resume == "never":
            raise UsageError(
                f"wandb.init(id={run_id!r}, resume='never'): a run with this id exists ({existing[0]})",
                "pass resume='allow' to continue it, or another id",
            )
        if not existing and resume == "must":
            raise UsageError(
                f"wandb.init(id={run_id!r}, resume='must'): no run with this id under {resolved.storage}",
                "check the id and the storage root (dir= / WANDB_DIR / RUNICORN_DIR)",
            )
        if existing:
            resumed = True
            folder_project, folder_run = _project_and_name_of(
                existing[0], resolved.storage, folder_project, folder_run
            )
    if mode == "disabled":
        sdk_run: RunLike = DisabledRun(folder_project, folder_run, config_values)
    else:
        sdk_run = runicorn.init(
            project=folder_project,
            name=folder_run,
            storage=storage,
            tags=tags,
            notes=notes or env.notes,
            run_id=str(run_id) if run_id is not None else None,
            capture_console=str(settings.console or env.console or "auto") != "off",
            system_metrics=not (settings.x_disable_stats or settings._disable_stats or env.disable_stats),
        )
    settings.update(
        mode=mode,
        run_id=sdk_run.id,
        project=project,
        root_dir=str(resolved.storage),
        files_dir=None if sdk_run.dir is None else str(sdk_run.dir / fmt.FILES_DIR),
        sync_dir=None if sdk_run.dir is None else str(sdk_run.dir),
    )
    run = Run(
        sdk_run,
        settings=settings,
        display_name=display_name or folder_run,
        group=group or env.group,
        job_type=job_type or env.job_type,
        entity=entity or settings.entity or ("dummy" if mode == "disabled" else None),
        viewer_url=resolved.viewer_url,
        disabled=mode == "disabled" or sdk_run.dir is None,
        resumed=resumed,
        mode=mode,
        sweep_id=trial.sweep_id if trial is not None else None,
        on_end=forget,
    )
    if config_values:
        run.config.update(config_values, allow_val_change=True if resumed else allow_val_change)
    if trial is not None:
        trial.attach(run, lambda succeeded: run.finish(exit_code=0 if succeeded else 1))
    active.append(run)
    if reinit != "create_new":
        current = run
    return run


def _reinit_choice(reinit: Any) -> str:
    """W&B's ``reinit``: ``True`` is ``"finish_previous"``, ``False`` and None ``"default"``
    (which, outside a notebook, returns the active run)."""
    if reinit is True:
        return "finish_previous"
    if reinit is None or reinit is False:
        return "default"
    if reinit not in REINIT_CHOICES:
        raise UsageError(
            f"wandb.init(reinit={reinit!r}): use one of {', '.join(REINIT_CHOICES)}, True or False"
        )
    return str(reinit)


def _check_project(project: str) -> None:
    if len(project) > MAX_PROJECT_CHARS or _BAD_PROJECT_CHARACTERS & set(project):
        raise UsageError(
            f'Invalid project name "{project}": at most {MAX_PROJECT_CHARS} characters, none of /\\#?%:',
            "pass another project name",
        )


def _resume_choice(resume: Any) -> str:
    if resume is None or resume is False:
        return "allow"
    if resume is True:
        return "allow"
    choice = str(resume).lower()
    if choice not in RESUME_CHOICES:
        raise UsageError(f"wandb.init(resume={resume!r}): use one of {', '.join(RESUME_CHOICES)}")
    return "allow" if choice == "auto" else choice


def _project_and_name_of(path: Any, root: Any, project: str, name: str) -> tuple[str, str]:
    """The project and name a resumed run's folder sits under (``<project>/<name>/runs/<id>``)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return project, name
    if len(parts) == 4 and parts[2] == fmt.RUNS_DIR:
        return parts[0], parts[1]
    return project, name


def require_run(call: str) -> Run:
    """The current run, or W&B's error for ``wandb.<call>`` made before ``wandb.init``."""
    if current is None:
        raise Error(f"You must call wandb.init() before wandb.{call}()")
    return current
