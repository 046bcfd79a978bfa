"""W&B import speed: history steps per second of `runicorn import` of one long offline run,
against floors measured in the same call.

Writes one offline run with the REAL wandb package in the side venv `.venv-wandb` (made by
scripts/test_setup.sh): --steps `wandb.log` calls of --keys numbers each (not timed; kept under
bench/out/ and reused). Then times, on the same file:

- floor: reading its bytes and walking its chunks with their CRC-32 checks (Runicorn's
  `WandbLog`, no protobuf decoded): what any reader of the file pays;
- W&B's own decoding: the same framing plus W&B's `Record.ParseFromString` (protobuf's C
  parser) of every record, in the side venv;
- `runicorn import` in a fresh process (Python start and imports included), then its re-import
  (the run skipped as already imported).

    python bench/wandb_import_bench.py [--steps 100000] [--keys 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_REPO))
sys.path.insert(0, str(_REPO / "tests"))

from runicorn.archive.wandb_records import WandbLog  # noqa: E402

SIDE_PYTHON = _REPO / ".venv-wandb" / "bin" / "python"
# Run in the side venv: frame the file as W&B does and parse every record with W&B's protobuf.
_WANDB_DECODE = r"""
import struct, sys, time, zlib
from wandb.proto import wandb_internal_pb2 as pb
t = time.perf_counter()
data = open(sys.argv[1], "rb").read()
pos, parts, count = 7, [], 0
while pos + 7 <= len(data):
    left = 32768 - pos % 32768
    if left < 7:
        pos += left
        continue
    crc, n, kind = struct.unpack_from("<IHB", data, pos)
    chunk = data[pos + 7 : pos + 7 + n]
    assert zlib.crc32(chunk, zlib.crc32(bytes([kind]))) == crc
    pos += 7 + n
    parts.append(chunk)
    if kind in (1, 4):
        pb.Record.FromString(b"".join(parts))
        parts, count = [], count + 1
print(count, time.perf_counter() - t)
"""


def write_run(out: Path, steps: int, keys: int) -> Path:
    from wandb_side_venv import SCRIPT, wandb_env

    folder = out / f"wandb_{steps}x{keys}"
    if not list(folder.glob("wandb/offline-run-*/*.wandb")):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"writing {steps} steps x {keys} keys with wandb (not timed) ...", flush=True)
        cmd = [str(SIDE_PYTHON), str(SCRIPT), "long", str(steps), str(keys)]
        subprocess.run(cmd, cwd=folder, env=wandb_env(folder), check=True, timeout=3600)
    (run,) = (folder / "wandb").glob("offline-run-*")
    return run


def _timed(cmd: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(_REPO))
    env.pop("RUNICORN_DIR", None)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=10)
    args = parser.parse_args()
    if not SIDE_PYTHON.exists():
        sys.exit("no .venv-wandb with the wandb package: run scripts/test_setup.sh")
    run = write_run(_REPO / "bench" / "out", args.steps, args.keys)
    (log,) = run.glob("*.wandb")
    size_mb = log.stat().st_size / 1e6

    t = time.perf_counter()
    records = sum(1 for _ in WandbLog(log).records())
    floor_s = time.perf_counter() - t
    side = subprocess.run(
        [str(SIDE_PYTHON), "-c", _WANDB_DECODE, str(log)], capture_output=True, text=True, check=True
    )
    wandb_s = float(side.stdout.split()[1])

    with tempfile.TemporaryDirectory() as storage:
        cli = [sys.executable, "-m", "runicorn.cli", "import", "--storage", storage, str(run)]
        import_s = _timed(cli)
        again_s = _timed(cli)

    print(f"{args.steps} steps x {args.keys} keys: {records} records, {size_mb:.1f} MB .wandb file")
    print(f"floor (bytes + chunks + CRC-32, Runicorn's WandbLog): {floor_s:.2f} s")
    print(f"W&B's own protobuf decoding of every record:         {wandb_s:.2f} s")
    print(
        f"runicorn import (fresh process):                      {import_s:.2f} s, "
        f"{args.steps / import_s:,.0f} steps/s, {import_s / floor_s:.0f}x the floor"
    )
    print(f"runicorn import again (skipped):                      {again_s:.2f} s")


if __name__ == "__main__":
    main()
