"""How much one ``rn.log`` of 4 scalars costs the training loop.

Prints the median cost per call (µs) of:
  floor      orjson.dumps of the same record + a buffered file write (measured in this run)
  runicorn   our ``run.log`` (console capture and system sampler off, as in a tight loop)
  pypi-0.7.2 the PyPI Runicorn 0.7.2 ``run.log``, when it installs in a side venv (--pypi)
and the ratios the issue sets bars on: runicorn ≤ 3× floor, and ≥ 100× faster than 0.7.2.

    python bench/log_bench.py [--calls 20000] [--repeats 3] [--pypi]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
SIDE_VENV = HERE.parent / ".side-venv"


def bench_floor(calls: int, folder: Path) -> float:
    with open(folder / "floor.jsonl", "wb") as f:
        start = time.perf_counter()
        for i in range(calls):
            now = time.time()
            record = {"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5, "global_step": i, "time": now}
            f.write(
                orjson.dumps({"ts": now, "type": "metrics", "data": record}, option=orjson.OPT_APPEND_NEWLINE)
            )
        return (time.perf_counter() - start) / calls * 1e6


def bench_runicorn(calls: int, folder: Path) -> tuple[float, float]:
    """µs per call in the loop, and seconds ``finish()`` then takes (writing what is buffered
    and framing into events.columns what the loop outran)."""
    sys.path.insert(0, str(HERE.parent))
    import runicorn as rn

    run = rn.init(project="bench", name="log", storage=folder, capture_console=False, system_metrics=False)
    log = run.log
    start = time.perf_counter()
    for _ in range(calls):
        log({"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5})
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    run.finish()
    finish_s = time.perf_counter() - start
    lines = (run.dir / "events.jsonl").read_bytes().count(b"\n")
    assert lines == calls, f"expected {calls} lines, found {lines}"
    return elapsed / calls * 1e6, finish_s


PYPI_SCRIPT = """
import sys, time, tempfile
import runicorn as rn
calls = int(sys.argv[1])
run = rn.init(path="bench/log", storage=tempfile.mkdtemp())
start = time.perf_counter()
for _ in range(calls):
    run.log({"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5})
print((time.perf_counter() - start) / calls * 1e6)
run.finish()
"""


def bench_pypi(calls: int) -> float | None:
    python = SIDE_VENV / "bin" / "python"
    if not python.exists():
        print(f"installing runicorn==0.7.2 into {SIDE_VENV} ...", flush=True)
        made = subprocess.run([sys.executable, "-m", "venv", str(SIDE_VENV)], check=False).returncode == 0
        if (
            not made
            or subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "runicorn==0.7.2"], check=False
            ).returncode
            != 0
        ):
            print("  runicorn 0.7.2 could not be installed; skipping it")
            return None
    with tempfile.TemporaryDirectory() as cwd:  # not our checkout: `import runicorn` must find 0.7.2
        done = subprocess.run(
            [str(python), "-c", PYPI_SCRIPT, str(calls)], capture_output=True, text=True, check=False, cwd=cwd
        )
    if done.returncode != 0:
        print("  runicorn 0.7.2 failed:", done.stderr.strip().splitlines()[-1:])
        return None
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pypi", action="store_true", help="also measure PyPI Runicorn 0.7.2 (side venv)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor = statistics.median(bench_floor(args.calls, folder) for _ in range(args.repeats))
        runs = [bench_runicorn(args.calls, folder) for _ in range(args.repeats)]
        ours = statistics.median(per_call for per_call, _ in runs)
        finish_s = statistics.median(finish for _, finish in runs)
    pypi = bench_pypi(min(args.calls, 5000)) if args.pypi else None
    print(f"rn.log of 4 scalars, median of {args.repeats} × {args.calls} calls")
    print(f"  floor (orjson + buffered write) {floor:8.2f} µs")
    print(f"  runicorn                        {ours:8.2f} µs   {ours / floor:5.2f}× floor   (bar ≤ 3×)")
    print(f"  then finish()                   {finish_s:8.3f} s    (the rest written, the backlog framed)")
    if pypi is not None:
        speedup = pypi / ours
        print(f"  runicorn 0.7.2 (PyPI)  {pypi:8.2f} µs   we are {speedup:6.0f}× faster (bar ≥ 100×)")
    if args.json:
        figures = {"floor_us": floor, "runicorn_us": ours, "finish_s": finish_s, "pypi_0_7_2_us": pypi}
        args.json.write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
