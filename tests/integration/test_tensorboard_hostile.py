"""``runicorn import`` of crafted TensorBoard event files, run as a user runs it (a real process):
every one ends in an ``error:`` line naming the file or a ``note:`` about its damaged end, never a
traceback, and nothing is ever expanded past its bound
(docs/archives.md#event-files-that-are-not-trusted)."""

from __future__ import annotations

import os
import random
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runicorn import format as fmt

pytest.importorskip("tensorboard")

from tensorboard.compat.proto.event_pb2 import Event  # noqa: E402
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata  # noqa: E402
from tensorboard.compat.proto.tensor_pb2 import TensorProto  # noqa: E402
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto  # noqa: E402
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c  # noqa: E402

WALL = 1_795_000_000.0
FILE = "events.out.tfevents.1795000000.host"


def frame(data: bytes, length: int | None = None, good_crc: bool = True) -> bytes:
    header = struct.pack("<Q", len(data) if length is None else length)
    crc = masked_crc32c(data) if good_crc else masked_crc32c(data) ^ 1
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", crc)


def event(*values: Any, wall_time: float = WALL, step: int = 1) -> bytes:
    return Event(wall_time=wall_time, step=step, summary=Summary(value=list(values))).SerializeToString()


def scalar(tag: str, value: float) -> Any:
    return Summary.Value(tag=tag, simple_value=value)


def tensor_value(plugin: str, dims: list[int], dtype: int = 1, **fields: Any) -> Any:
    shape = TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in dims])
    return Summary.Value(
        tag=f"{plugin}/crafted",
        metadata=SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=plugin)),
        tensor=TensorProto(dtype=dtype, tensor_shape=shape, **fields),
    )


GOOD = frame(event(scalar("loss", 0.5))) + frame(event(scalar("loss", 0.25), step=2))

# name -> (bytes of the events file, what the import says about it: "error" or "note")
CASES: dict[str, tuple[bytes, str]] = {
    "truncated": (GOOD + frame(event(scalar("loss", 0.1)))[:-7], "note"),
    "bad-data-crc": (GOOD + frame(event(scalar("loss", 0.1)), good_crc=False), "note"),
    "bad-header-crc": (GOOD[:8] + b"\0\0\0\0" + GOOD[12:], "note"),
    "length-past-the-end": (GOOD + frame(b"x" * 10, length=50_000_000)[:20], "note"),
    "absurd-length": (GOOD + frame(b"", length=2**63)[:12] + b"\0" * 64, "error"),
    "huge-length": (GOOD + frame(b"", length=1 << 40)[:12] + b"\0" * 64, "error"),
    "not-an-event": (GOOD + frame(b"\xff\xfe garbage that is no protobuf \x00" * 3), "note"),
    "random-bytes": (random.Random(7).randbytes(5000), "note"),
    "shape-1e9-by-1e9": (
        GOOD + frame(event(tensor_value("scalars", [10**9, 10**9], float_val=[1.0]))),
        "error",
    ),
    "histogram-1e9-rows": (
        GOOD + frame(event(tensor_value("histograms", [10**9, 3], dtype=2, double_val=[1.0]))),
        "error",
    ),
    "negative-dims": (GOOD + frame(event(tensor_value("scalars", [-1, 4], float_val=[1.0]))), "error"),
    "string-dtype": (GOOD + frame(event(tensor_value("scalars", [], dtype=7, string_val=[b"x"]))), "error"),
    "unknown-dtype": (GOOD + frame(event(tensor_value("scalars", [], dtype=999))), "error"),
    "short-content": (
        GOOD + frame(event(tensor_value("histograms", [1000, 3], dtype=2, tensor_content=b"\0" * 80))),
        "error",
    ),
    "few-values": (GOOD + frame(event(tensor_value("scalars", [4], float_val=[1.0, 2.0]))), "error"),
    "empty-scalar": (GOOD + frame(event(tensor_value("scalars", [0]))), "error"),
    "out-of-range-ints": (GOOD + frame(event(tensor_value("scalars", [], dtype=4, int_val=[300]))), "error"),
    "histogram-not-rows": (
        GOOD + frame(event(tensor_value("histograms", [6], dtype=2, double_val=[1.0] * 6))),
        "error",
    ),
    "nan-wall-time": (GOOD + frame(event(scalar("loss", 0.1), wall_time=float("nan"))), "error"),
    "far-wall-time": (frame(event(scalar("loss", 0.1), wall_time=1e300)), "error"),
    "hparams-garbage": (
        GOOD
        + frame(
            event(
                Summary.Value(
                    tag="_hparams_/session_start_info",
                    metadata=SummaryMetadata(
                        plugin_data=SummaryMetadata.PluginData(plugin_name="hparams", content=b"\xff\xff\xff")
                    ),
                    tensor=TensorProto(dtype=7, string_val=[b""]),
                )
            )
        ),
        "error",
    ),
}


def mutants(count: int) -> dict[str, bytes]:
    """Events whose protobuf bytes have a few random bytes changed, framed with good CRCs: what
    gets past the CRC check to the parser."""
    rng = random.Random(20261123)
    seeds = [
        event(scalar("loss", 0.5)),
        event(tensor_value("scalars", [], float_val=[0.5])),
        event(tensor_value("histograms", [2, 3], dtype=2, double_val=[0, 1, 2, 1, 2, 3])),
        event(tensor_value("images", [3], dtype=7, string_val=[b"1", b"1", b"\x89PNG"])),
        event(tensor_value("text", [], dtype=7, string_val=[b"hello"])),
    ]
    out = {}
    for i in range(count):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        out[f"mutant-{i}"] = GOOD + frame(bytes(data))
    return out


def run_import(tmp_path: Path, sources: list[Path]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("RUNICORN_DIR", None)
    env["RUNICORN_CONFIG_FILE"] = str(tmp_path / "no-config.json")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "runicorn.cli",
            "import",
            "--storage",
            str(tmp_path / "storage"),
            *map(str, sources),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=50,
    )


def write_logdirs(tmp_path: Path, files: dict[str, bytes]) -> dict[str, Path]:
    paths = {}
    for name, data in files.items():
        folder = tmp_path / "logs" / name
        folder.mkdir(parents=True)
        (folder / FILE).write_bytes(data)
        paths[name] = folder
    return paths


def test_crafted_event_files_end_in_an_error_or_a_note_never_a_traceback(tmp_path: Path) -> None:
    paths = write_logdirs(tmp_path, {"good": GOOD, **{k: v for k, (v, _) in CASES.items()}})
    result = run_import(tmp_path, list(paths.values()))
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    for name, (_, outcome) in CASES.items():
        file = paths[name] / FILE
        if outcome == "error":
            (line,) = [e for e in errors if f"cannot import {file}:" in e]
            assert "the record at byte" in line, line
        else:  # imported, with a note on the damaged end
            assert f"into {name}/{name} (" in result.stdout, name
            assert (tmp_path / "storage" / name).exists() and not [e for e in errors if str(file) in e]
    assert sum(1 for _, o in CASES.values() if o == "error") == len(errors)
    assert len([line for line in result.stdout.splitlines() if line.startswith("  note: ")]) >= 6
    # the good log directory, and the readable start of the damaged ones, were imported
    good = next((tmp_path / "storage" / "good").rglob(fmt.EVENTS_FILE))
    assert len(good.read_bytes().splitlines()) == 2
    for name in (n for n, (_, o) in CASES.items() if o == "error"):
        assert not (tmp_path / "storage" / name).exists(), name  # nothing of a refused run lands


def test_refusals_name_the_bound_that_was_passed(tmp_path: Path) -> None:
    picks = ["absurd-length", "shape-1e9-by-1e9", "negative-dims", "short-content", "string-dtype"]
    paths = write_logdirs(tmp_path, {name: CASES[name][0] for name in picks})
    result = run_import(tmp_path, list(paths.values()))
    err: Callable[[str], str] = lambda name: next(  # noqa: E731
        line for line in result.stderr.splitlines() if str(paths[name]) in line
    )
    assert f"says it holds {2**63} bytes, more than the" in err("absurd-length")
    shape = "a tensor whose shape [1000000000, 1000000000] asks for 1000000000000000000 values"
    assert f"{shape}, more than 10000000" in err("shape-1e9-by-1e9")
    assert "a negative dimension" in err("negative-dims")
    assert "80 bytes are not 3000 values of 8 bytes" in err("short-content")
    assert "not a number type" in err("string-dtype")
    assert result.stderr.count("hint: ") == len(picks)


def test_mutated_events_import_or_are_refused_by_name(tmp_path: Path) -> None:
    files = mutants(40)
    paths = write_logdirs(tmp_path, files)
    result = run_import(tmp_path, list(paths.values()))
    output = result.stdout + result.stderr
    assert "Traceback" not in output and result.returncode in (0, 1), output
    for name, path in paths.items():
        said = [line for line in output.splitlines() if str(path) in line or f"/{name}/" in line]
        imported = (tmp_path / "storage" / name).exists()
        assert imported or any(line.startswith("error: cannot import") for line in said), (name, output)
