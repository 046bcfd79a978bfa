"""The owner's tokens: one secret per service (the job agent's, the viewer's), made on first use
and kept in the user's config folder, readable by its owner only (docs/agent.md#security-model,
docs/viewer.md#security-model).

A token file is made atomically at mode 0600 whatever the umask: the token is written under a
temporary name opened with ``O_EXCL`` at 0600 (and ``fchmod``), then linked to its name, so no
reader ever sees it half-written or open to others, and two processes making it at once end with
the same token. An existing file is used only when it is a plain file of this user that no one
else may read or write; anything else is refused with an error naming it, and never repaired in
place: a token others could read may already be copied, so only a new one helps (delete the file
and the next start makes one).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

from runicorn.errors import ConfigError
from runicorn.settings import user_config_path

AGENT_TOKEN_FILE = "agent.token"
VIEWER_TOKEN_FILE = "viewer.token"
MIN_TOKEN_CHARS = 8
TOKEN_BYTES = 32  # 256 random bits, 43 URL-safe characters
_MAX_FILE_BYTES = 4096


def agent_token_path() -> Path:
    """The agent's token file, in the folder of the user config file."""
    return user_config_path().parent / AGENT_TOKEN_FILE


def viewer_token_path() -> Path:
    """The viewer's token file, beside the agent's."""
    return user_config_path().parent / VIEWER_TOKEN_FILE


def owner_token(path: Path) -> str:
    """The token kept in ``path``, made first when there is none."""
    existing = read_token(path)
    return existing if existing is not None else _make(path)


def read_token(path: Path) -> str | None:
    """The token kept in ``path``; None when there is no such file; ConfigError when the file is
    a link, not yours, or open to other users."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(
                f"the token file {path} is a link",
                f"delete it: a new token is made in {path} at the next start",
            ) from None
        raise ConfigError(
            f"cannot read the token file {path}: {exc.strerror or exc}",
            "check the permissions of the file and its folder (they must be yours)",
        ) from None
    try:
        _check_private(path, os.fstat(fd))
        data = os.read(fd, _MAX_FILE_BYTES)
    finally:
        os.close(fd)
    token = data.decode("utf-8", "replace").strip()
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() for c in token):
        raise ConfigError(
            f"the token file {path} holds no usable token",
            "delete it: a new token is made at the next start",
        )
    return token


def _check_private(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"the token file {path} is not a plain file", "delete it, or move it away")
    if info.st_uid != os.geteuid():
        raise ConfigError(
            f"the token file {path} belongs to uid {info.st_uid}, not to you (uid {os.geteuid()})",
            "whoever made it knows its token: delete it, and a new one is made at the next start",
        )
    open_to_others = stat.S_IMODE(info.st_mode) & 0o077
    if open_to_others:
        raise ConfigError(
            f"the token file {path} is open to other users (mode {stat.S_IMODE(info.st_mode):04o})",
            "its token may have been read: delete the file, and a new token is made at the next start "
            f"(or `chmod 600 {path}` if no one else could have read it)",
        )


def _make(path: Path) -> str:
    folder = path.parent
    token = secrets.token_urlsafe(TOKEN_BYTES)
    staged = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = (
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        )
        fd = os.open(staged, flags, 0o600)
        try:
            os.fchmod(fd, 0o600)  # exactly 0600 whatever the umask
            os.write(fd, (token + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(staged, path)  # never replaces: a token made meanwhile by another process wins
        except FileExistsError:
            theirs = read_token(path)
            if theirs is None:  # made and deleted again meanwhile
                raise ConfigError(
                    f"the token file {path} vanished while it was made", "start again"
                ) from None
            return theirs
    except OSError as exc:
        raise ConfigError(
            f"cannot write the token file {path}: {exc.strerror or exc}",
            f"make {folder} a folder you can write, or give a token with --token",
        ) from None
    finally:
        staged.unlink(missing_ok=True)
    return token
