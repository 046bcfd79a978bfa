"""`runicorn trust`: vouch for a `.runicorn.toml`, list the trusted ones, take trust back
(runicorn/trust.py; docs/cli.md#trust)."""

from __future__ import annotations

import argparse
from pathlib import Path

from runicorn.errors import ConfigError


def _add_trust(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trust",
        help="let a .runicorn.toml send data and credentials where it says (after you read it)",
        description="Record a .runicorn.toml as trusted, as it is now: its resolved path and a hash of "
        "its content go into the user config. Until then, its settings that send data or credentials "
        "somewhere are ignored; a changed file needs trusting again.",
    )
    p.add_argument(
        "path", nargs="?", metavar="PATH", help="the .runicorn.toml, or the folder holding it (default: here)"
    )
    either = p.add_mutually_exclusive_group()
    either.add_argument("--list", action="store_true", help="list the trusted files and whether they changed")
    either.add_argument(
        "--revoke", metavar="PATH", help="no longer trust this .runicorn.toml (or its folder's)"
    )
    p.set_defaults(handler=_run_trust)


def _run_trust(args: argparse.Namespace) -> int:
    from runicorn import settings, trust

    if args.list or args.revoke:
        if args.path:
            raise ConfigError("PATH cannot be given with --list or --revoke", "give one of them")
        return _list() if args.list else _revoke(Path(args.revoke).absolute())
    given = Path(args.path or ".").absolute()
    path = _file_of(given)
    file, values = settings.read_project_file(path)
    if file is None:
        where = f"in {given}" if given.is_dir() else f"at {given}"
        raise ConfigError(
            f"no {settings.PROJECT_CONFIG_NAME} {where}",
            "give the folder holding it, or the file itself: runicorn trust PATH",
        )
    record = trust.with_trusted(settings.read_user_config(), file)
    saved = settings.write_user_config({trust.TRUSTED_KEY: record})
    keys = settings.needing_trust(values, path.parent)
    used = f"it may now set {', '.join(keys)}" if keys else "it sets nothing that needs trust"
    print(f"trusted {file.path} as it is now ({file.digest[:19]}...): {used} (saved in {saved})")
    return 0


def _file_of(path: Path) -> Path:
    from runicorn.settings import PROJECT_CONFIG_NAME

    path = path.absolute()
    return path / PROJECT_CONFIG_NAME if path.is_dir() else path


def _list() -> int:
    from runicorn import settings, trust

    record = trust.trusted_files(settings.read_user_config())
    if not record:
        print(f"no {settings.PROJECT_CONFIG_NAME} is trusted")
    for path, digest in sorted(record.items()):
        try:
            now = trust.ProjectFile.read(Path(path))
            state = "trusted" if now.digest == digest else "changed since: not trusted until trusted again"
        except FileNotFoundError:
            state = "gone"
        except OSError as exc:
            state = f"unreadable: {exc.strerror or exc}"
        print(f"{path}  {state}")
    return 0


def _revoke(given: Path) -> int:
    """Forget ``given``: the file, or the one in that folder (which may be gone by now)."""
    from runicorn import settings, trust

    user = settings.read_user_config()
    for path in (given, given / settings.PROJECT_CONFIG_NAME):
        kept = trust.without(user, path)
        if kept is not None:
            saved = settings.write_user_config({trust.TRUSTED_KEY: kept})
            print(f"no longer trusted: {path} (saved in {saved})")
            return 0
    raise ConfigError(f"{given} is not trusted", "runicorn trust --list shows the trusted files")
