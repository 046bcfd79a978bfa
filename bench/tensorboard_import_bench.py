"""TensorBoard import speed: scalar steps per second of `runicorn import LOGDIR`, measured here.

Writes a log directory with `torch.utils.tensorboard.SummaryWriter` (--steps steps of --tags
scalar tags in one run, every step of every tag one scalar point; not timed), then times
`runicorn import LOGDIR` in a fresh process (Python start and imports included), then its
re-import (every run skipped as already imported). Prints points per second and the
bytes of the event files and of the run written.

    python bench/tensorboard_import_bench.py [--steps 250000] [--tags 4] [--logdir DIR]

--logdir keeps the written log directory there and reuses it on the next call.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_REPO))

from runicorn import format as fmt  # noqa: E402


def write_logdir(logdir: Path, steps: int, tags: int) -> None:
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(logdir / "run"))
    names = [f"train/metric{t}" for t in range(tags)]
    for step in range(steps):
        for t, name in enumerate(names):
            writer.add_scalar(name, math.sin(step / 1000 + t), step, walltime=1795432430.0 + step * 0.01)
    writer.close()


def cli(*args: str) -> float:
    env = dict(os.environ)
    env.pop("RUNICORN_DIR", None)
    start = time.perf_counter()
    command = [sys.executable, "-m", "runicorn.cli", *args]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=250_000)
    parser.add_argument("--tags", type=int, default=4)
    parser.add_argument("--logdir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        logdir = args.logdir or Path(tmp, "logs")
        if not (logdir / "run").is_dir():
            start = time.perf_counter()
            write_logdir(logdir, args.steps, args.tags)
            print(f"wrote the log directory with SummaryWriter in {time.perf_counter() - start:.1f} s")
        storage = Path(tmp, "storage")
        points = args.steps * args.tags
        seconds = cli("import", "--storage", str(storage), str(logdir))
        again = cli("import", "--storage", str(storage), str(logdir))
        (run,) = storage.rglob(fmt.META_FILE)
        print(f"{args.steps:,} steps x {args.tags} tags = {points:,} scalar points")
        print(f"event files: {size_of(logdir) / 1e6:.1f} MB; run written: {size_of(run.parent) / 1e6:.1f} MB")
        print(f"import (fresh process): {seconds:.2f} s = {points / seconds:,.0f} steps/s")
        print(f"re-import (skipped):    {again:.2f} s")


if __name__ == "__main__":
    main()
