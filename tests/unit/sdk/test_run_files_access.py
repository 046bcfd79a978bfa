"""A run's JSON files can be read by whoever can read its events: another user on a shared disk,
the login an SSH mirror uses. They take the umask like any new file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import runicorn as rn
from runicorn import format as fmt


@pytest.fixture(params=[0o022, 0o002])
def umask(request: pytest.FixtureRequest):
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def test_json_files_get_the_permissions_of_any_new_file(storage_root: Path, umask: int) -> None:
    run = rn.init(storage=storage_root, config={"lr": 0.1}, capture_console=False, system_metrics=False)
    run.log({"a": 1.0})
    run.log_text("a line")
    run.summary({"best": 1.0})
    run.finish()
    for name in (*fmt.REWRITTEN_FILES, *fmt.APPEND_ONLY_FILES):  # the same bits for every file
        mode = stat.S_IMODE((run.dir / name).stat().st_mode)
        assert mode == 0o666 & ~umask, (name, oct(mode))
