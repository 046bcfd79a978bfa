"""What the Docker executor may mount and exec in for its owner (docs/agent.md#executors-docker)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runicorn.agent.executors.docker_rules import AGENT_LABEL, check_container, workdir_source
from runicorn.errors import RunicornError


def test_a_workdir_is_mounted_from_where_its_links_lead_and_only_from_an_allowed_folder(
    tmp_path: Path,
) -> None:
    allowed, outside, storage = tmp_path / "home", tmp_path / "outside", tmp_path / "runs"
    for folder in (allowed / "code", outside, storage / "demo"):
        folder.mkdir(parents=True)
    (allowed / "escape").symlink_to(outside)
    (outside / "back").symlink_to(allowed / "code")

    assert workdir_source(str(allowed / "code"), [str(allowed)], str(storage)) == str(allowed / "code")
    assert workdir_source(str(storage / "demo"), [str(allowed)], str(storage)) == str(storage / "demo")
    assert workdir_source(str(outside / "back"), [str(allowed)], str(storage)) == str(allowed / "code")
    for refused in (outside, allowed / "escape", allowed / ".." / "outside", tmp_path / "homework"):
        with pytest.raises(RunicornError, match="lies outside the folders a container may mount") as err:
            workdir_source(str(refused), [str(allowed)], str(storage))
        assert "--allow-workdir" in (err.value.hint or "")


def test_exec_only_in_a_listed_or_labelled_container() -> None:
    mine = {AGENT_LABEL: str(os.getuid())}
    check_container({"abc123", "trainbox"}, {}, "trainbox", {"trainbox"})
    check_container({"abc123", "trainbox"}, {}, "abc123", {"trainbox"})  # by id, listed by name
    check_container({"abc123", "trainbox"}, mine, "trainbox", set())
    for labels in ({}, {AGENT_LABEL: str(os.getuid() + 1)}, {"runicorn.job": "x"}):
        with pytest.raises(RunicornError, match="not one this agent may exec jobs in"):
            check_container({"abc123", "trainbox"}, labels, "trainbox", {"other"})
