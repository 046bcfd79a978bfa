"""`runicorn sweep`: create a sweep, or run its trials."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from runicorn.cli.options import add_storage
from runicorn.errors import ConfigError

if TYPE_CHECKING:
    from runicorn.settings import Settings


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    """``runicorn sweep CONFIG`` / ``runicorn sweep run ID -- CMD`` (runicorn.sweep)."""
    p = sub.add_parser(
        "sweep",
        help="create a hyper-parameter sweep from a YAML/JSON file, or run its trials: sweep run ID CMD",
        usage="runicorn sweep CONFIG.yaml [--project P]\n"
        "       runicorn sweep run SWEEP_ID [--count N] [--] CMD [ARGS...]",
    )
    p.add_argument(
        "--project", metavar="P", help="project of the sweep's runs (default: the file's, else 'default')"
    )
    p.add_argument("--count", type=int, metavar="N", help="with run: run at most N trials here")
    add_storage(p)
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="CONFIG | run ID [--] CMD")
    p.set_defaults(handler=_run_sweep)


_LATE_OPTIONS = ("--project", "--count", "--storage")


def _split_words(words: list[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """(options, positionals, command) of ``runicorn sweep``'s words. The options may come after
    CONFIG or ``run ID`` (argparse leaves them among the words); for ``run``, the first other
    word after the sweep id starts the command, with or without ``--`` before it, as for
    ``runicorn run``."""
    options: dict[str, str] = {}
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            return options, positional, words[i + 1 :]
        name, eq, value = word.partition("=")
        if positional[:1] == ["run"] and len(positional) == 2 and name not in _LATE_OPTIONS:
            return options, positional, words[i:]
        if name in _LATE_OPTIONS:
            if not eq and i + 1 >= len(words):
                raise ConfigError(f"{name} needs a value", "runicorn sweep --help shows every option")
            options[name] = value if eq else words[i + 1]
            i += 1 if eq else 2
            continue
        positional.append(word)
        i += 1
    return options, positional, []


def _run_sweep(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings

    options, head, command = _split_words(list(args.words))
    for option, value in options.items():
        name = option[2:]
        if name == "count":
            try:
                args.count = int(value)
            except ValueError:
                raise ConfigError(
                    f"--count {value!r} is not a number", "give a whole number of trials"
                ) from None
        else:
            setattr(args, name, value)
    resolved = settings.resolve(storage=args.storage)
    if head[:1] == ["run"]:
        if len(head) != 2:
            raise ConfigError(
                "runicorn sweep run needs one sweep id", "runicorn sweep run SWEEP_ID [--] CMD [ARGS...]"
            )
        if not command:
            raise ConfigError(
                "no command to run", "give it after the sweep id: runicorn sweep run SWEEP_ID python train.py"
            )
        if args.count is not None and args.count < 1:
            raise ConfigError(f"--count {args.count} is below 1", "give 1 or more, or leave it out")
        return _run_trials(resolved, head[1], command, args.count)
    if len(head) != 1 or command:
        raise ConfigError(
            "runicorn sweep takes one configuration file",
            "runicorn sweep CONFIG.yaml [--project P], or runicorn sweep run SWEEP_ID CMD",
        )
    from runicorn.files.storage_root import make_storage_root
    from runicorn.sweep import create_sweep, parse_sweep_config
    from runicorn.sweep.config_file import read_config_file

    config = parse_sweep_config(read_config_file(Path(head[0])))
    project = args.project or config.raw.get("project") or "default"
    make_storage_root(resolved.storage, resolved.storage_is_fallback)
    sweep = create_sweep(resolved.storage, config, str(project))
    print(sweep.id)
    return 0


def _run_trials(resolved: Settings, sweep_id: str, command: list[str], count: int | None) -> int:
    from runicorn.sweep import open_sweep
    from runicorn.sweep.command import run_trials
    from runicorn.sweep.store import best_trial

    sweep = open_sweep(resolved.storage, sweep_id)
    ran = run_trials(resolved, sweep, command, count=count, grace_s=resolved.run_grace_s)
    print(f"ran {ran} trial{'s' if ran != 1 else ''} of sweep {sweep.id}")
    metric = sweep.config.metric
    if metric is None:
        return 0
    best = best_trial(sweep.trials(), metric)
    if best is None:
        print(f"no trial of sweep {sweep.id} reported {metric.name} yet")
    else:
        print(
            f"best trial: {best['index']} ({metric.name}={best['metric']:g}, {metric.goal}) "
            f"{best['params']} in {best.get('run_path')}"
        )
    return 0
