"""The ``runicorn`` command line as a shell meets it: output piped into a reader that stops early."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `runicorn config --show | head -1`: a storage path of 100 KB makes the output larger than a
    # pipe holds, so the command is still writing when the reader goes away.
    monkeypatch.setenv("RUNICORN_DIR", str(tmp_path / ("deep/" * 20_000)))
    with subprocess.Popen(
        [sys.executable, "-m", "runicorn.cli", "config", "--show"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as command:
        assert command.stdout is not None and command.stderr is not None
        assert command.stdout.readline().startswith(b"config file : ")
        command.stdout.close()

        stderr = command.stderr.read().decode()
        assert command.wait(timeout=50) == 0
    assert stderr == ""
