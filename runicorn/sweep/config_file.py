"""A sweep configuration file: YAML (``.yaml``/``.yml``, W&B's usual form) or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from runicorn.errors import ConfigError


def read_config_file(path: Path) -> Any:
    """The configuration in ``path``; ConfigError naming the file when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the sweep configuration {path}: {exc.strerror or exc}", "check the path"
        ) from exc
    if path.suffix.lower() == ".json":
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ConfigError(
                f"{path} is not valid JSON: {exc}", "fix the file, or write it as YAML"
            ) from exc
    import yaml

    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{path}{line} is not valid YAML", str(getattr(exc, "problem", exc))) from exc
