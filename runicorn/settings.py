"""One table of settings (name, default, env var, help), resolved once into a frozen object.

Precedence for every setting: an explicit argument > its environment variable > a
``.runicorn.toml`` in the working directory > the user config file (``runicorn config
--set-user-root`` / ``--set KEY VALUE``) > the default. Nothing reads the environment at import
time; :func:`resolve` is called by ``init()``, the CLI and ``create_app``.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from runicorn.errors import ConfigError
from runicorn.format import write_bytes_atomic

USER_CONFIG_ENV = "RUNICORN_CONFIG_FILE"
PROJECT_CONFIG_NAME = ".runicorn.toml"


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
    Setting("viewer_url", "", "RUNICORN_VIEWER_URL", "the viewer's address, for links in notifications"),
    Setting(
        "agent_url",
        "",
        "RUNICORN_AGENT_URL",
        "the job agent's address for submit/jobs/cancel/resume (empty: http://127.0.0.1:8100) "
        "and, when set, for the viewer's Jobs buttons",
    ),
    Setting("agent_token", "", "RUNICORN_AGENT_TOKEN", "the job agent's token (secret)"),
    Setting(
        "sync_url",
        "",
        "RUNICORN_SYNC_URL",
        "s3://BUCKET/PREFIX that `runicorn run` syncs its run to while it runs (empty: none)",
    ),
    Setting(
        "sync_endpoint_url",
        "",
        "RUNICORN_SYNC_ENDPOINT_URL",
        "endpoint of a non-AWS object store for s3:// URLs (default: AWS_ENDPOINT_URL, else AWS)",
    ),
    *(
        Setting(f"notify_{key}", default, f"RUNICORN_NOTIFY_{key.upper()}", help)
        for key, default, help in (
            (
                "events",
                "finish,failure,timeout,alert",
                "events notified: start,finish,failure,timeout,retry,interrupted,alert",
            ),
            (
                "channels",
                "",
                "channels used, comma-separated (empty: every configured one; none: no notification); "
                "`runicorn run --notify` overrides it",
            ),
            ("dingtalk_webhook", "", "DingTalk robot webhook URL (secret)"),
            ("dingtalk_secret", "", "DingTalk robot signing secret, SEC... (secret)"),
            ("dingtalk_keyword", "", "DingTalk robot security keyword, put into every message"),
            ("dingtalk_events", "", "events sent to DingTalk (default: notify_events)"),
            ("feishu_webhook", "", "Feishu/Lark bot webhook URL (secret)"),
            ("feishu_secret", "", "Feishu/Lark bot signing secret (secret)"),
            ("feishu_events", "", "events sent to Feishu/Lark (default: notify_events)"),
            ("slack_webhook", "", "Slack incoming webhook URL (secret)"),
            ("slack_events", "", "events sent to Slack (default: notify_events)"),
            ("webhook_url", "", "generic JSON webhook URL (secret)"),
            ("webhook_secret", "", "key of the webhook's X-Runicorn-Signature HMAC header (secret)"),
            ("webhook_events", "", "events sent to the webhook (default: notify_events)"),
            ("smtp_host", "", "SMTP server for e-mail notifications"),
            ("smtp_port", 0, "SMTP port (0: 587 for starttls, 465 for ssl, 25 for plain)"),
            ("smtp_security", "starttls", "starttls, ssl or plain"),
            ("smtp_user", "", "SMTP login user (none: no login)"),
            ("smtp_password", "", "SMTP login password (secret)"),
            ("smtp_from", "", "From address of notification e-mails"),
            ("smtp_to", "", "recipients, comma-separated"),
            ("smtp_events", "", "events sent by e-mail (default: notify_events)"),
        )
    ),
)

# Settings whose values are credentials: shown redacted, never written into a run or a log.
SECRET_SETTINGS = frozenset(
    f"notify_{key}"
    for key in (
        "dingtalk_webhook",
        "dingtalk_secret",
        "feishu_webhook",
        "feishu_secret",
        "slack_webhook",
        "webhook_url",
        "webhook_secret",
        "smtp_password",
    )
) | {"agent_token"}


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
    run_timeout: str = "0"
    run_grace_s: float = 10.0
    viewer_url: str = ""
    agent_url: str = ""
    agent_token: str = ""
    sync_url: str = ""
    sync_endpoint_url: str = ""
    notify_events: str = "finish,failure,timeout,alert"
    notify_channels: str = ""
    notify_dingtalk_webhook: str = ""
    notify_dingtalk_secret: str = ""
    notify_dingtalk_keyword: str = ""
    notify_dingtalk_events: str = ""
    notify_feishu_webhook: str = ""
    notify_feishu_secret: str = ""
    notify_feishu_events: str = ""
    notify_slack_webhook: str = ""
    notify_slack_events: str = ""
    notify_webhook_url: str = ""
    notify_webhook_secret: str = ""
    notify_webhook_events: str = ""
    notify_smtp_host: str = ""
    notify_smtp_port: int = 0
    notify_smtp_security: str = "starttls"
    notify_smtp_user: str = ""
    notify_smtp_password: str = ""
    notify_smtp_from: str = ""
    notify_smtp_to: str = ""
    notify_smtp_events: str = ""


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
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: its owner's only
    current = read_user_config()
    current.update(values)
    # 0600: it may hold secrets (webhooks, passwords, the agent's token)
    write_bytes_atomic(path, orjson.dumps(current, option=orjson.OPT_INDENT_2), private=True)
    return path


def setting_name(key: str) -> str:
    """The table name of ``key``, written as in the table (``notify_slack_webhook``), dotted
    (``notify.slack.webhook``) or as its env var; ConfigError for a key no setting has."""
    by_env = {s.env: s.name for s in SETTINGS_TABLE}
    name = by_env.get(key) or key.replace(".", "_").replace("-", "_").lower()
    if name not in {s.name for s in SETTINGS_TABLE}:
        raise ConfigError(
            f"no setting is called {key!r}", "`runicorn config --show` lists every setting and its env var"
        )
    return name


def read_project_config(folder: Path | None = None) -> dict[str, Any]:
    """The settings of ``.runicorn.toml`` in ``folder`` (default: the working directory), by
    setting name: tables join their keys with ``_`` (``[notify.dingtalk] webhook`` is
    ``notify_dingtalk_webhook``)."""
    path = (folder or Path.cwd()) / PROJECT_CONFIG_NAME
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", f"fix or delete {path}") from exc
    values: dict[str, Any] = {}

    def flatten(table: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, dict):
                flatten(value, f"{prefix}{key}_")
                continue
            try:
                values[setting_name(prefix + key)] = value
            except ConfigError as exc:
                raise ConfigError(f"{path}: {exc.message}", exc.hint) from None

    flatten(document, "")
    return values


def resolve(**explicit: Any) -> Settings:
    """Settings from explicit values (None = not given), env vars, ``.runicorn.toml``, the user
    config, defaults."""
    user = read_user_config()
    user_keys = {"storage": user.get("user_root")}
    project = read_project_config()
    values: dict[str, Any] = {}
    for s in SETTINGS_TABLE:
        value = explicit.get(s.name)
        if value is None:
            value = os.environ.get(s.env)
        if value is None or value == "":
            value = project.get(s.name, user.get(s.name, user_keys.get(s.name)))
        if value is None or value == "":
            value = s.default
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
