"""What ``rn.log`` of 4 scalars costs a training process, measured as a user's process pays it.

Each figure comes from its own fresh process (nothing warmed up by another), the median of
``--repeats`` processes:
  floor      orjson.dumps of the same record + a buffered file write, per call
  runicorn   ``run.log`` (console capture and system sampler off, as in a tight loop)
For both: the caller's µs per call (wall time of the loop), and the whole process's CPU µs per
call (``time.process_time`` from before ``init`` to after ``finish``: the writer thread and the
framing of ``events.columns`` included). Bars: caller ≤ 3× floor, process CPU ≤ 5× floor.
Also: what ``log_image`` of a 1024×1024×3 uint8 array, and of a float64 one, costs the caller
(ms; converting and encoding happen in the writer thread), against a plain ``arr.copy()`` of the
same array in the same process (bars: uint8 < 1 ms, float64 < 5 ms); and, with --pypi, the PyPI
Runicorn 0.7.2 ``run.log`` (a side venv).

    python bench/log_bench.py [--calls 300000] [--repeats 3] [--pypi]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
SIDE_VENV = HERE.parent / ".side-venv"
CALLER_BAR = 3.0
PROCESS_BAR = 5.0


def child_floor(calls: int, folder: Path) -> dict[str, float]:
    cpu = time.process_time()
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    with open(folder / "floor.jsonl", "wb") as f:
        start = time.perf_counter()
        for i in range(calls):
            now = time.time()
            record = {"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5, "global_step": i, "time": now}
            f.write(dumps({"ts": now, "type": "metrics", "data": record}, option=newline))
        loop_s = time.perf_counter() - start
    return {"caller_us": loop_s / calls * 1e6, "process_us": (time.process_time() - cpu) / calls * 1e6}


def child_runicorn(calls: int, folder: Path) -> dict[str, float]:
    sys.path.insert(0, str(HERE.parent))
    import runicorn as rn

    cpu = time.process_time()
    run = rn.init(project="bench", name="log", storage=folder, capture_console=False, system_metrics=False)
    log = run.log
    start = time.perf_counter()
    for _ in range(calls):
        log({"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5})
    loop_s = time.perf_counter() - start
    start = time.perf_counter()
    run.finish()
    finish_s = time.perf_counter() - start
    process_s = time.process_time() - cpu
    with open(run.dir / "events.jsonl", "rb") as f:
        lines = sum(1 for _ in f)
    assert lines == calls, f"expected {calls} lines, found {lines}"
    return {
        "caller_us": loop_s / calls * 1e6,
        "process_us": process_s / calls * 1e6,
        "finish_s": finish_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_image(count: int, folder: Path, dtype: str = "uint8") -> dict[str, float]:
    """log_image of a 1024×1024×3 array of ``dtype`` every 0.25 s of 'training' (the writer
    encodes each one, ~0.1 s, before the next: the copy reuses a written image's buffer), then
    every 50 ms (the writer is behind: copies go into fresh memory and pay its page faults).
    The floor: a plain ``arr.copy()`` of the same array, timed in the same process."""
    sys.path.insert(0, str(HERE.parent))
    import numpy as np

    import runicorn as rn

    values = np.random.default_rng(0).random((1024, 1024, 3))
    image = (values * 255).astype(np.uint8) if dtype == "uint8" else values.astype(dtype)
    copies = []
    for _ in range(count):
        start = time.perf_counter()
        image.copy()
        copies.append(time.perf_counter() - start)
    figures = {"copy_ms": statistics.median(copies) * 1e3}
    run = rn.init(project="bench", name="image", storage=folder, capture_console=False, system_metrics=False)
    for label, pause_s in (("caller_ms", 0.25), ("behind_caller_ms", 0.05)):
        costs = []
        for _ in range(count):
            start = time.perf_counter()
            run.log_image("sample", image)
            costs.append(time.perf_counter() - start)
            time.sleep(pause_s)
        run.flush()
        figures[label] = statistics.median(costs) * 1e3
    run.finish()
    return figures


def child_image_float(count: int, folder: Path) -> dict[str, float]:
    return child_image(count, folder, "float64")


CHILDREN = {
    "floor": child_floor,
    "runicorn": child_runicorn,
    "image": child_image,
    "image_float": child_image_float,
}
IMAGE_BARS_MS = {"image": 1.0, "image_float": 5.0}  # what log_image may cost the caller


def fresh_process(kind: str, calls: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--calls", str(calls), "--folder", tmp],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"the {kind} process failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_of(kind: str, calls: int, repeats: int) -> dict[str, float]:
    runs = [fresh_process(kind, calls) for _ in range(repeats)]
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


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


def verdict(ratio: float, bar: float) -> str:
    return f"{ratio:5.2f}× floor  (bar ≤ {bar:.0f}×: {'pass' if ratio <= bar else 'FAIL'})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--images", type=int, default=20, help="log_image calls in the image process")
    parser.add_argument("--pypi", action="store_true", help="also measure PyPI Runicorn 0.7.2 (side venv)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        count = args.images if args.child.startswith("image") else args.calls
        print(json.dumps(CHILDREN[args.child](count, args.folder)))
        return
    floor = median_of("floor", args.calls, args.repeats)
    ours = median_of("runicorn", args.calls, args.repeats)
    images = {kind: median_of(kind, args.images, 1) for kind in IMAGE_BARS_MS}
    pypi = bench_pypi(min(args.calls, 5000)) if args.pypi else None
    print(f"rn.log of 4 scalars, {args.calls} calls, median of {args.repeats} fresh processes each")
    print("                          caller µs/call   process CPU µs/call")
    print(f"  floor (orjson + write)  {floor['caller_us']:8.2f}         {floor['process_us']:8.2f}")
    print(f"  runicorn                {ours['caller_us']:8.2f}         {ours['process_us']:8.2f}")
    print(f"  caller       {verdict(ours['caller_us'] / floor['caller_us'], CALLER_BAR)}")
    print(f"  process CPU  {verdict(ours['process_us'] / floor['process_us'], PROCESS_BAR)}")
    print(f"  finish() took {ours['finish_s']:.3f} s; peak RSS {ours['peak_rss_mb']:.0f} MB")
    for kind, bar_ms in IMAGE_BARS_MS.items():
        image = images[kind]
        print(
            f"log_image of a 1024×1024×3 {'uint8' if kind == 'image' else 'float64'} array: "
            f"{image['caller_ms']:.2f} ms for the caller "
            f"(floor arr.copy() {image['copy_ms']:.2f} ms; bar < {bar_ms:.0f} ms: "
            f"{'pass' if image['caller_ms'] < bar_ms else 'FAIL'}); "
            f"{image['behind_caller_ms']:.2f} ms when logged faster than the writer encodes"
        )
    if pypi is not None:
        print(f"  runicorn 0.7.2 (PyPI)  {pypi:8.2f} µs   we are {pypi / ours['caller_us']:6.0f}× faster")
    if args.json:
        figures = {
            "floor": floor,
            "runicorn": ours,
            "image_caller_ms": images["image"]["caller_ms"],
            "image_behind_caller_ms": images["image"]["behind_caller_ms"],
            "images": images,
            "pypi_0_7_2_us": pypi,
        }
        args.json.write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
