"""The owner's token files (docs/agent.md#security-model): made once at 0600 whatever the umask,
the same token at every start, and refused (never repaired) when they are not the owner's alone."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from runicorn.errors import ConfigError
from runicorn.gate.owner_token import agent_token_path, owner_token, read_token, viewer_token_path


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o000, 0o002, 0o022, 0o277])
def test_a_new_token_file_is_0600_whatever_the_umask(tmp_path: Path, umask: None, mask: int) -> None:
    os.umask(mask)
    path = tmp_path / "agent.token"
    token = owner_token(path)
    assert _mode(path) == 0o600 and len(token) >= 40
    assert [p.name for p in path.parent.iterdir()] == ["agent.token"]  # nothing staged is left


def test_a_config_folder_it_makes_is_its_owners_only(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "cfg" / "viewer.token"
    owner_token(path)
    assert _mode(path.parent) == 0o700


def test_the_token_is_kept_across_starts_and_both_files_live_beside_the_user_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(tmp_path / "cfg" / "config.json"))
    agent, viewer = owner_token(agent_token_path()), owner_token(viewer_token_path())
    assert agent != viewer
    assert agent_token_path().parent == viewer_token_path().parent == tmp_path / "cfg"
    assert owner_token(agent_token_path()) == agent and read_token(viewer_token_path()) == viewer


def test_processes_making_it_at_once_end_with_one_token(tmp_path: Path) -> None:
    path = tmp_path / "agent.token"
    start = threading.Barrier(8)
    got: list[str] = []

    def make() -> None:
        start.wait()
        got.append(owner_token(path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and set(got) == {path.read_text().strip()}


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_token_file_open_to_others_is_refused_and_left_as_it_is(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "agent.token"
    path.write_text("a-token-others-may-have-read\n")
    path.chmod(mode)
    with pytest.raises(ConfigError) as err:
        owner_token(path)
    assert str(path) in err.value.message and f"mode {mode:04o}" in err.value.message
    assert "delete" in (err.value.hint or "")
    assert _mode(path) == mode and path.read_text() == "a-token-others-may-have-read\n"


def test_a_token_file_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    path = tmp_path / "agent.token"
    path.write_text("planted-by-someone-else\n")
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    with pytest.raises(ConfigError) as err:
        owner_token(path)
    assert "belongs to uid 65534" in err.value.message


@pytest.mark.parametrize("kind", ["link", "folder", "empty"])
def test_a_token_file_that_is_no_token_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "agent.token"
    if kind == "link":
        target = tmp_path / "elsewhere"
        target.write_text("some-token-elsewhere\n")
        target.chmod(0o600)
        path.symlink_to(target)
    elif kind == "folder":
        path.mkdir(mode=0o700)
    else:
        path.touch(mode=0o600)
    with pytest.raises(ConfigError) as err:
        owner_token(path)
    assert str(path) in err.value.message and err.value.hint
