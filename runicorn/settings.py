"""One table of settings (name, default, env var, help), resolved once into a frozen object.

Precedence for every setting: an explicit argument > its environment variable > the user config
file (``runicorn config --set-user-root``) > the default. Nothing reads the environment at import
time; :func:`resolve` is called by ``init()``, the CLI and ``create_app``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from runicorn.errors import ConfigError
from runicorn.format import write_bytes_atomic

USER_CONFIG_ENV = "RUNICORN_CONFIG_FILE"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str
    help: str
    positive: bool = False  # a number that must be finite and above 0


SETTINGS_TABLE = (
    Setting("storage", ".runicorn", "RUNICORN_DIR", "storage root holding all projects and runs"),
    Setting("mode", "online", "RUNICORN_MODE", "'disabled' turns every SDK call into a no-op"),
    Setting(
        "flush_interval_s",
        0.5,
        "RUNICORN_FLUSH_INTERVAL_S",
        "seconds between writes of buffered events",
        positive=True,
    ),
    Setting(
        "system_interval_s",
        10.0,
        "RUNICORN_SYSTEM_INTERVAL_S",
        "seconds between system-metric samples",
        positive=True,
    ),
    Setting(
        "max_pending_bytes",
        256 * 1024 * 1024,
        "RUNICORN_MAX_PENDING_BYTES",
        "events kept in memory while the disk refuses writes; past this they are counted as lost",
        positive=True,
    ),
    Setting(
        "max_archive_entries",
        200_000,
        "RUNICORN_MAX_ARCHIVE_ENTRIES",
        "an archive with more entries than this is refused by import",
    ),
    Setting(
        "max_archive_bytes",
        10 * 1024**3,
        "RUNICORN_MAX_ARCHIVE_BYTES",
        "an archive that unpacks to more bytes than this is refused by import",
    ),
    Setting(
        "max_archive_ratio",
        200.0,
        "RUNICORN_MAX_ARCHIVE_RATIO",
        "an archive unpacking to more than this many times its own size is refused (zip bomb)",
    ),
    Setting(
        "max_upload_bytes",
        2 * 1024**3,
        "RUNICORN_MAX_UPLOAD_BYTES",
        "largest archive the viewer accepts through POST /api/import",
    ),
    Setting(
        "run_timeout",
        "0",
        "RUNICORN_RUN_TIMEOUT",
        "default --timeout of `runicorn run` (0: none; SECONDS, 90s, 5m, 5h, 2d)",
    ),
    Setting(
        "run_grace_s",
        10.0,
        "RUNICORN_RUN_GRACE_S",
        "seconds `runicorn run` waits after SIGTERM before SIGKILL (timeout, Ctrl-C)",
    ),
)


@dataclass(frozen=True)
class Settings:
    storage: Path
    mode: str
    flush_interval_s: float
    system_interval_s: float
    max_pending_bytes: int
    max_archive_entries: int
    max_archive_bytes: int
    max_archive_ratio: float
    max_upload_bytes: int
    run_timeout: str
    run_grace_s: float


def user_config_path() -> Path:
    explicit = os.environ.get(USER_CONFIG_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "runicorn" / "config.json"


def read_user_config() -> dict[str, Any]:
    path = user_config_path()
    try:
        value = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read the user config {path}: {exc}",
            f"fix or delete {path}, or set it again with `runicorn config --set-user-root PATH`",
        ) from exc
    return value if isinstance(value, dict) else {}


def write_user_config(values: dict[str, Any]) -> Path:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    current = read_user_config()
    current.update(values)
    write_bytes_atomic(path, orjson.dumps(current, option=orjson.OPT_INDENT_2))
    return path


def resolve(**explicit: Any) -> Settings:
    """Settings from explicit values (None = not given), env vars, the user config, defaults."""
    user = read_user_config()
    user_keys = {"storage": user.get("user_root")}
    values: dict[str, Any] = {}
    for s in SETTINGS_TABLE:
        value = explicit.get(s.name)
        if value is None:
            value = os.environ.get(s.env) or user_keys.get(s.name) or s.default
        values[s.name] = _coerce(s, value)
    return Settings(**values)


def _coerce(setting: Setting, value: Any) -> Any:
    target = {f.name: f.type for f in fields(Settings)}[setting.name]
    try:
        if target == "Path":
            return Path(os.path.expanduser(str(value))).absolute()
        if target == "float":
            number: float = float(value)
        elif target == "int":
            number = int(value)
        else:
            return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"setting {setting.name}={value!r} is not a valid {target}",
            f"check {setting.env} or the argument you passed",
        ) from exc
    if setting.positive and not (math.isfinite(number) and number > 0):
        raise ConfigError(
            f"setting {setting.name}={value!r} must be a number above 0",
            f"check {setting.env} or the argument you passed (default: {setting.default})",
        )
    return number
