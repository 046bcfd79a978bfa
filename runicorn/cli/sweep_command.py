"""`runicorn sweep`: create a sweep, or run its trials."""

from __future__ import annotations

import argparse

from runicorn.cli.options import add_storage
from runicorn.errors import ConfigError


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    """``runicorn sweep CONFIG`` / ``runicorn sweep run ID -- CMD`` (runicorn.sweep)."""
    p = sub.add_parser(
        "sweep",
        help="create a hyper-parameter sweep from a YAML/JSON file, or run its trials: sweep run ID -- CMD",
        usage="runicorn sweep CONFIG.yaml [--project P]\n"
        "       runicorn sweep run SWEEP_ID [--count N] -- CMD [ARGS...]",
    )
    p.add_argument(
        "--project", metavar="P", help="project of the sweep's runs (default: the file's, else 'default')"
    )
    p.add_argument("--count", type=int, metavar="N", help="with run: run at most N trials here")
    add_storage(p)
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="CONFIG | run ID -- CMD")
    p.set_defaults(handler=_run_sweep)


def _run_sweep(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings

    words = list(args.words)
    head = words[: words.index("--")] if "--" in words else words
    tail = words[len(head) :]
    # the options may also come after CONFIG or `run ID` (argparse leaves them in `words`)
    late = argparse.ArgumentParser(prog="runicorn sweep", add_help=False)
    late.add_argument("--project")
    late.add_argument("--count", type=int)
    late.add_argument("--storage")
    late.add_argument("positional", nargs="*")
    found = late.parse_args(head)
    for name in ("project", "count", "storage"):
        if getattr(found, name) is not None:
            setattr(args, name, getattr(found, name))
    head = found.positional
    resolved = settings.resolve(storage=args.storage)
    if head[:1] == ["run"]:
        from runicorn.sweep import open_sweep
        from runicorn.sweep.command import run_trials

        if len(head) != 2:
            raise ConfigError(
                "runicorn sweep run needs one sweep id", "runicorn sweep run SWEEP_ID -- CMD [ARGS...]"
            )
        command = tail[1:] if tail[:1] == ["--"] else tail
        if not command:
            raise ConfigError(
                "no command to run", "give it after --: runicorn sweep run SWEEP_ID -- python train.py"
            )
        if args.count is not None and args.count < 1:
            raise ConfigError(f"--count {args.count} is below 1", "give 1 or more, or leave it out")
        sweep = open_sweep(resolved.storage, head[1])
        ran = run_trials(resolved, sweep, command, count=args.count, grace_s=resolved.run_grace_s)
        print(f"ran {ran} trial{'s' if ran != 1 else ''} of sweep {sweep.id}")
        return 0
    if len(head) != 1 or tail:
        raise ConfigError(
            "runicorn sweep takes one configuration file",
            "runicorn sweep CONFIG.yaml [--project P], or runicorn sweep run SWEEP_ID -- CMD",
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
