"""What a job's command starts with, and what its recorder gets besides (docs/agent.md#job-environment).

A job's command never inherits the agent's environment, which holds the agent's own secrets
(cloud keys, an SMTP password, tokens). It starts with the job's own ``env``, what the agent
sets for it (``CUDA_VISIBLE_DEVICES``, ``RUNICORN_AGENT_JOB``, ...) and, from the agent's
machine, the short list :data:`MACHINE_NAMES` (plus ``LC_*``): where programs are, whose home,
which language. In a container the image decides those (its own ``PATH`` and ``HOME``).

The recorder (``runicorn run``, wrapping the command) needs the agent's settings and credentials
for its own work (syncing the run, notifications): :func:`hand_to_recorder` writes them into a
0600 file that the recorder reads and deletes before it starts the command
(runicorn/launch/recorder_env.py). The agent's token is not among them: the recorder never
talks to the agent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from runicorn import format as fmt
from runicorn.launch.recorder_env import RECORDER_ENV, write_recorder_env
from runicorn.settings import SETTINGS_TABLE

# Taken from the agent's environment into every job on this machine (and on a Slurm node).
MACHINE_NAMES = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR")
MACHINE_PREFIXES = ("LC_",)
# How the agent's Python found Runicorn: given to the recorder to start, not to the command.
RECORDER_START_NAMES = ("PYTHONPATH", "PYTHONHOME")
# Never handed on, not even to the recorder.
AGENT_ONLY_NAMES = frozenset({next(s.env for s in SETTINGS_TABLE if s.name == "agent_token"), RECORDER_ENV})
# What a job's env may name (refused at submit otherwise; never written into a script unchecked).
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A job's env may not set these: the agent does.
AGENT_SET_NAMES = frozenset({RECORDER_ENV, fmt.AGENT_JOB_ENV})


def machine_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The documented list, as the agent's environment has it."""
    return {
        name: value
        for name, value in environ.items()
        if name in MACHINE_NAMES or name.startswith(MACHINE_PREFIXES)
    }


def recorder_start_env(environ: Mapping[str, str], job_env: Mapping[str, str]) -> dict[str, str]:
    """What the recorder, the agent's own Python, needs to start on this machine (the agent's
    ``PYTHONPATH``), unless the job sets it itself."""
    return {name: environ[name] for name in RECORDER_START_NAMES if name in environ and name not in job_env}


def recorder_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The agent's environment as the recorder gets it: everything but :data:`AGENT_ONLY_NAMES`."""
    return {name: value for name, value in environ.items() if name not in AGENT_ONLY_NAMES}


def hand_to_recorder(
    path: Path, settings: Mapping[str, str], recorder_only: Iterable[str] = ()
) -> dict[str, str]:
    """Writes ``settings`` into the recorder's file at ``path`` (0600; one left by an earlier try
    of the same attempt is replaced) and returns the variable that names it, for the recorder's
    environment."""
    path.unlink(missing_ok=True)
    write_recorder_env(path, settings, recorder_only)
    return {RECORDER_ENV: str(path)}


def forget_recorder_file(path: str | None) -> None:
    """Deletes an attempt's recorder file, when the recorder did not (it never started)."""
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass
