"""What the Docker executor may do on its owner's behalf (docs/agent.md#executors-docker): mount a
job's workdir into a new container only from the folders the owner allowed, and exec jobs only in
the containers the owner allowed. Checked when a job is submitted (a 400) and again when its
attempt starts. Pure: the executor asks the engine for a container's labels.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence

from runicorn.errors import RunicornError

# ``runicorn.agent=<uid>``: a container the agent of that user may exec jobs in (its own carry it)
AGENT_LABEL = "runicorn.agent"


def inside(path: str, folder: str) -> bool:
    return os.path.commonpath([os.path.abspath(path), os.path.abspath(folder)]) == os.path.abspath(folder)


def workdir_source(workdir: str, allowed: Sequence[str], storage: str) -> str:
    """``workdir`` with its links resolved, which is what gets mounted, when that lies in one of
    the ``allowed`` folders or the storage root (their links resolved too); else RunicornError."""
    real = os.path.realpath(workdir)
    if any(inside(real, os.path.realpath(root)) for root in (*allowed, storage)):
        return real
    raise RunicornError(
        f"workdir {workdir} lies outside the folders a container may mount "
        f"({', '.join(allowed)}, and the storage root {storage})",
        "pick a workdir under one of them, or start the agent with --allow-workdir FOLDER",
    )


def check_container(
    names: Collection[str], labels: Mapping[str, str], asked: str, allowed: Collection[str]
) -> None:
    """RunicornError unless the container (known by ``names``: its id, its name, the one asked
    for) is ``allowed`` or labelled ``runicorn.agent=<our uid>``."""
    if set(names) & set(allowed) or labels.get(AGENT_LABEL) == str(os.getuid()):
        return
    raise RunicornError(
        f"container {asked} is not one this agent may exec jobs in",
        f"label it when you start it (docker run --label {AGENT_LABEL}={os.getuid()} ...), "
        f"or start the agent with --allow-container {asked}",
    )
