"""One table of settings (name, default, env var, help), resolved once into a frozen object.

Precedence for every setting: an explicit argument > its environment variable > a
``.runicorn.toml`` in the working directory > the user config file (``runicorn config
--set-user-root`` / ``--set KEY VALUE``) > the default. Nothing reads the environment at import
time; :func:`resolve` is called by ``init()``, the CLI and ``create_app``.

A ``.runicorn.toml`` may come with a cloned repository, so each setting says how far it reaches
(:data:`LOCAL`, :data:`SENDS`, :data:`FOLDER`): the keys that send data or credentials somewhere
count only from a file the user trusted (``runicorn trust``, runicorn/trust.py).
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from runicorn.errors import ConfigError, print_notice
from runicorn.files import write_bytes_atomic
from runicorn.trust import ProjectFile, is_trusted

USER_CONFIG_ENV = "RUNICORN_CONFIG_FILE"
PROJECT_CONFIG_NAME = ".runicorn.toml"
# Marks of the untrusted project files already warned about, passed on to the processes started
# afterwards (the command under `runicorn run`), so that the warning is one line, not one each.
UNTRUSTED_WARNED_ENV = "RUNICORN_UNTRUSTED_WARNED"

# How far a setting reaches, which decides whether an untrusted .runicorn.toml may set it:
LOCAL = "local"  # changes only what happens on this machine, for this user: always honoured
SENDS = "sends"  # says where data or credentials go, or which ones: only from a trusted file
FOLDER = "folder"  # where runs are written: from an untrusted file only inside the file's folder


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str
    help: str
    positive: bool = False  # a number that must be finite and above 0
    reach: str = ""  # LOCAL, SENDS or FOLDER; a setting left without one is treated as SENDS


# Which rule chose the storage root (``Settings.storage_rule``), as `runicorn config` says it.
STORAGE_RULES = {
    "explicit": "given: --storage / storage=",
    "env": "RUNICORN_DIR",
    "project": f"./{PROJECT_CONFIG_NAME}",
    "user": "the user-level root (runicorn config --set-user-root)",
    "fallback": "nothing set: ./.runicorn in the working directory",
}

SETTINGS_TABLE = (
    Setting(
        "storage", ".runicorn", "RUNICORN_DIR", "storage root holding all projects and runs", reach=FOLDER
    ),
    Setting("mode", "online", "RUNICORN_MODE", "'disabled' turns every SDK call into a no-op", reach=LOCAL),
    Setting(
        "flush_interval_s",
        0.5,
        "RUNICORN_FLUSH_INTERVAL_S",
        "seconds between writes of buffered events",
        positive=True,
        reach=LOCAL,
    ),
    Setting(
        "system_interval_s",
        10.0,
        "RUNICORN_SYSTEM_INTERVAL_S",
        "seconds between system-metric samples",
        positive=True,
        reach=LOCAL,
    ),
    Setting(
        "max_pending_bytes",
        256 * 1024 * 1024,
        "RUNICORN_MAX_PENDING_BYTES",
        "events kept in memory while the disk refuses writes; past this they are counted as lost",
        positive=True,
        reach=LOCAL,
    ),
    Setting(
        "max_archive_entries",
        200_000,
        "RUNICORN_MAX_ARCHIVE_ENTRIES",
        "an archive with more entries than this is refused by import",
        reach=LOCAL,
    ),
    Setting(
        "max_archive_bytes",
        10 * 1024**3,
        "RUNICORN_MAX_ARCHIVE_BYTES",
        "an archive that unpacks to more bytes than this is refused by import",
        reach=LOCAL,
    ),
    Setting(
        "max_archive_ratio",
        200.0,
        "RUNICORN_MAX_ARCHIVE_RATIO",
        "an archive unpacking to more than this many times its own size is refused (zip bomb)",
        reach=LOCAL,
    ),
    Setting(
        "max_upload_bytes",
        2 * 1024**3,
        "RUNICORN_MAX_UPLOAD_BYTES",
        "largest archive the viewer accepts through POST /api/import",
        reach=LOCAL,
    ),
    Setting(
        "run_timeout",
        "0",
        "RUNICORN_RUN_TIMEOUT",
        "default --timeout of `runicorn run` (0: none; SECONDS, 90s, 5m, 5h, 2d)",
        reach=LOCAL,
    ),
    Setting(
        "run_grace_s",
        10.0,
        "RUNICORN_RUN_GRACE_S",
        "seconds `runicorn run` waits after SIGTERM before SIGKILL (timeout, Ctrl-C)",
        reach=LOCAL,
    ),
    Setting(
        "viewer_url",
        "",
        "RUNICORN_VIEWER_URL",
        "the viewer's address, for links in notifications",
        reach=SENDS,
    ),
    Setting(
        "agent_url",
        "",
        "RUNICORN_AGENT_URL",
        "the job agent's address for submit/jobs/cancel/resume (empty: http://127.0.0.1:8100) "
        "and, when set, for the viewer's Jobs buttons",
        reach=SENDS,
    ),
    Setting("agent_token", "", "RUNICORN_AGENT_TOKEN", "the job agent's token (secret)", reach=SENDS),
    Setting(
        "sync_url",
        "",
        "RUNICORN_SYNC_URL",
        "s3://BUCKET/PREFIX that `runicorn run` syncs its run to while it runs (empty: none)",
        reach=SENDS,
    ),
    Setting(
        "sync_endpoint_url",
        "",
        "RUNICORN_SYNC_ENDPOINT_URL",
        "endpoint of a non-AWS object store for s3:// URLs (default: AWS_ENDPOINT_URL, else AWS)",
        reach=SENDS,
    ),
    *(
        Setting(f"notify_{key}", default, f"RUNICORN_NOTIFY_{key.upper()}", help, reach=reach)
        for key, default, help, reach in (
            (
                "events",
                "finish,failure,timeout,alert",
                "events notified: start,finish,failure,timeout,retry,interrupted,alert",
                LOCAL,
            ),
            (
                "channels",
                "",
                "channels used, comma-separated (empty: every configured one; none: no notification); "
                "`runicorn run --notify` overrides it",
                LOCAL,
            ),
            ("dingtalk_webhook", "", "DingTalk robot webhook URL (secret)", SENDS),
            ("dingtalk_secret", "", "DingTalk robot signing secret, SEC... (secret)", SENDS),
            ("dingtalk_keyword", "", "DingTalk robot security keyword, put into every message", LOCAL),
            ("dingtalk_events", "", "events sent to DingTalk (default: notify_events)", LOCAL),
            ("feishu_webhook", "", "Feishu/Lark bot webhook URL (secret)", SENDS),
            ("feishu_secret", "", "Feishu/Lark bot signing secret (secret)", SENDS),
            ("feishu_events", "", "events sent to Feishu/Lark (default: notify_events)", LOCAL),
            ("slack_webhook", "", "Slack incoming webhook URL (secret)", SENDS),
            ("slack_events", "", "events sent to Slack (default: notify_events)", LOCAL),
            ("webhook_url", "", "generic JSON webhook URL (secret)", SENDS),
            ("webhook_secret", "", "key of the webhook's X-Runicorn-Signature HMAC header (secret)", SENDS),
            ("webhook_events", "", "events sent to the webhook (default: notify_events)", LOCAL),
            ("smtp_host", "", "SMTP server for e-mail notifications", SENDS),
            ("smtp_port", 0, "SMTP port (0: 587 for starttls, 465 for ssl, 25 for plain)", SENDS),
            ("smtp_security", "starttls", "starttls, ssl or plain", SENDS),
            ("smtp_user", "", "SMTP login user (none: no login)", SENDS),
            ("smtp_password", "", "SMTP login password (secret)", SENDS),
            ("smtp_from", "", "From address of notification e-mails", SENDS),
            ("smtp_to", "", "recipients, comma-separated", SENDS),
            ("smtp_events", "", "events sent by e-mail (default: notify_events)", LOCAL),
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
    storage_rule: str = STORAGE_RULES["explicit"]  # which rule chose ``storage`` (STORAGE_RULES)

    @property
    def storage_is_fallback(self) -> bool:
        """Whether nothing named the storage root (``./.runicorn`` is used)."""
        return self.storage_rule == STORAGE_RULES["fallback"]


def user_config_path() -> Path:
    explicit = os.environ.get(USER_CONFIG_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "runicorn" / "config.json"


def read_user_config() -> dict[str, Any]:
    path = user_config_path()
    try:
        with open(path, "rb") as f:
            _keep_private(path, f.fileno())
            value = orjson.loads(f.read())
    except FileNotFoundError:
        return {}
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read the user config {path}: {exc}",
            f"fix or delete {path}, or set it again with `runicorn config --set-user-root PATH`",
        ) from exc
    return value if isinstance(value, dict) else {}


def _keep_private(path: Path, fd: int) -> None:
    """A user config of ours that other users may read (one written by an earlier version, which
    followed the umask) is made 0600 on the spot, once, with a line saying so: it holds secrets."""
    info = os.fstat(fd)
    if info.st_mode & 0o077 and info.st_uid == os.geteuid() and hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
        print(
            f"warning: {path} was readable by other users (mode {info.st_mode & 0o777:04o}); "
            "it is 0600 now\nhint: it may hold passwords and tokens: change any that others could have read",
            file=sys.stderr,
        )


def write_user_config(values: dict[str, Any]) -> Path:
    """Merge ``values`` into the user config file. It holds credentials and the trust record, so
    it is written readable and writable by the user only (0600) whatever the umask, and a new
    folder for it is made 0700."""
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
    ``notify_dingtalk_webhook``). Every key, trusted or not: :func:`resolve` drops the ones an
    untrusted file may not set."""
    return read_project_file((folder or Path.cwd()) / PROJECT_CONFIG_NAME)[1]


def read_project_file(path: Path) -> tuple[ProjectFile | None, dict[str, Any]]:
    """The project file at ``path`` as read (None when there is none) and its settings."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        file = ProjectFile.read(path)
        document = tomllib.loads(file.data.decode("utf-8"))
    except FileNotFoundError:
        return None, {}
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
    return file, values


def needing_trust(values: dict[str, Any], folder: Path) -> list[str]:
    """The settings among ``values`` (of the ``.runicorn.toml`` in ``folder``) that count only
    once that file is trusted, in the table's order: every one that sends data or credentials
    somewhere, and a storage root outside ``folder`` (a repository could otherwise point your
    runs into a folder another user reads). An empty value sets nothing and needs no trust."""
    return [
        s.name
        for s in SETTINGS_TABLE
        if values.get(s.name) not in (None, "") and not _honoured_untrusted(s, values[s.name], folder)
    ]


def _honoured_untrusted(setting: Setting, value: Any, folder: Path) -> bool:
    if setting.reach == LOCAL:
        return True
    if setting.reach == FOLDER:
        base = os.path.realpath(folder)
        target = os.path.realpath(os.path.join(base, os.path.expanduser(str(value))))
        return target == base or target.startswith(base.rstrip(os.sep) + os.sep)
    return False


def resolve(**explicit: Any) -> Settings:
    """Settings from explicit values (None = not given), env vars, ``.runicorn.toml``, the user
    config, defaults. The keys of an untrusted ``.runicorn.toml`` that need trust are left out,
    with one warning line on stderr."""
    user = read_user_config()
    user_keys = {"storage": user.get("user_root")}
    project = _project_settings(user, Path.cwd())
    values: dict[str, Any] = {}
    rules: dict[str, str] = {}
    for s in SETTINGS_TABLE:
        candidates = (
            ("explicit", explicit.get(s.name)),
            ("env", os.environ.get(s.env)),
            ("project", project.get(s.name)),
            ("user", user.get(s.name, user_keys.get(s.name))),
        )
        rule, value = next(
            ((r, v) for r, v in candidates if v is not None and v != ""), ("fallback", s.default)
        )
        rules[s.name] = rule
        values[s.name] = coerce_setting(s, value)
    return Settings(**values, storage_rule=STORAGE_RULES[rules["storage"]])


def _project_settings(user: dict[str, Any], folder: Path) -> dict[str, Any]:
    file, values = read_project_file(folder / PROJECT_CONFIG_NAME)
    ignored = needing_trust(values, folder)
    if file is None or not ignored or is_trusted(user, file):
        return values
    _warn_untrusted(file, ignored)
    return {name: value for name, value in values.items() if name not in ignored}


def _warn_untrusted(file: ProjectFile, ignored: list[str]) -> None:
    """One line on stderr per untrusted file and content, in this process and the ones it starts
    afterwards (the command under ``runicorn run`` resolves its settings again)."""
    mark = hashlib.sha256(f"{file.path}\0{file.digest}".encode()).hexdigest()[:16]
    warned = [m for m in os.environ.get(UNTRUSTED_WARNED_ENV, "").split(",") if m]
    if mark in warned:
        return
    os.environ[UNTRUSTED_WARNED_ENV] = ",".join([*warned, mark])
    print_notice(
        f"warning: ignoring {', '.join(ignored)} from ./{PROJECT_CONFIG_NAME} (not trusted)",
        "review it, then run: runicorn trust",
    )


def coerce_setting(setting: Setting, value: Any) -> Any:
    """``value`` as the setting's type (a number checked finite and above 0 where it must be)."""
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
