"""Where ``runicorn run`` records a command when not told: the project is the git repository's
folder name (or the current folder's), the name is the script's (``python train.py`` -> ``train``,
``bash x.sh`` -> ``x``, ``./a.out`` -> ``a.out``)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from runicorn import format as fmt
from runicorn.sdk.gitinfo import toplevel

# Programs whose first non-option argument is the script that names the run.
_INTERPRETERS = re.compile(
    r"^(python[0-9.]*|pypy[0-9.]*|bash|sh|zsh|dash|ksh|fish|node|deno|ruby|perl|Rscript|julia|"
    r"torchrun|accelerate|deepspeed|uv|poetry|pipenv|conda|mpirun|srun|env|nohup|time)$"
)
# Words between a launcher and the script: `accelerate launch x.py`, `uv run x.py`.
_SUBCOMMANDS = frozenset({"launch", "run", "exec"})
_SCRIPT_SUFFIXES = (".py", ".sh", ".bash", ".zsh", ".js", ".mjs", ".ts", ".rb", ".pl", ".R", ".jl")


def default_project(cwd: Path) -> str:
    top = toplevel(cwd)
    return fmt.folder_name((top or cwd).name, fmt.DEFAULT_PROJECT)


def script_of(argv: Sequence[str]) -> str:
    """The word of ``argv`` that names what runs: the script after an interpreter, the module
    of ``python -m``, else the program itself."""
    words = list(argv)
    if words and _INTERPRETERS.match(os.path.basename(words[0])):
        for word in words[1:]:  # `accelerate launch --num_processes 2 fit.py`: a script file wins
            if word.endswith(_SCRIPT_SUFFIXES) and not word.startswith("-"):
                return os.path.basename(word)
    i = 0
    while i < len(words) and _INTERPRETERS.match(os.path.basename(words[i])):
        j = i + 1
        while j < len(words) and (words[j].startswith("-") or "=" in words[j]):
            if words[j] == "-m" and j + 1 < len(words):
                return words[j + 1].rsplit(".", 1)[-1]
            if words[j] == "-c":
                return os.path.basename(words[i])
            j += 1
        while j < len(words) and words[j] in _SUBCOMMANDS:
            j += 1
        if j >= len(words):
            return os.path.basename(words[i])
        i = j
    return os.path.basename(words[i]) if i < len(words) else ""


def default_name(argv: Sequence[str]) -> str:
    script = script_of(argv)
    for suffix in _SCRIPT_SUFFIXES:
        if script.endswith(suffix) and len(script) > len(suffix):
            script = script[: -len(suffix)]
            break
    return fmt.folder_name(script, fmt.DEFAULT_NAME)
