"""What ``wandb.log`` of 4 scalars (runicorn.wandb) costs next to ``run.log`` of the Runicorn SDK.

Same method as bench/log_bench.py: each figure from its own fresh process, the median of
``--repeats`` processes, ``--calls`` sustained calls each, console capture and the system sampler
off. Reported: the caller's µs per call and the whole process's CPU µs per call. Bar: wandb.log
≤ 2× run.log for the caller.

    python bench/wandb_bench.py [--calls 300000] [--repeats 3]
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

HERE = Path(__file__).resolve().parent
BAR = 2.0


def child_runicorn(calls: int, folder: Path) -> dict[str, float]:
    sys.path.insert(0, str(HERE.parent))
    import runicorn as rn

    cpu = time.process_time()
    run = rn.init(project="bench", name="sdk", storage=folder, capture_console=False, system_metrics=False)
    log = run.log
    start = time.perf_counter()
    for _ in range(calls):
        log({"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5})
    loop_s = time.perf_counter() - start
    run.finish()
    return {"caller_us": loop_s / calls * 1e6, "process_us": (time.process_time() - cpu) / calls * 1e6}


def child_wandb(calls: int, folder: Path) -> dict[str, float]:
    sys.path.insert(0, str(HERE.parent))
    import runicorn.wandb as wandb

    cpu = time.process_time()
    wandb.init(
        project="bench",
        name="wandb",
        dir=folder,
        settings=wandb.Settings(console="off", x_disable_stats=True),
    )
    log = wandb.log
    start = time.perf_counter()
    for _ in range(calls):
        log({"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5})
    loop_s = time.perf_counter() - start
    run_dir = Path(wandb.run.sync_dir)
    wandb.finish()
    with open(run_dir / "events.jsonl", "rb") as f:
        lines = sum(1 for _ in f)
    assert lines == calls, f"expected {calls} lines, found {lines}"
    return {"caller_us": loop_s / calls * 1e6, "process_us": (time.process_time() - cpu) / calls * 1e6}


CHILDREN = {"runicorn": child_runicorn, "wandb": child_wandb}


def measure(kind: str, calls: int, repeats: int) -> dict[str, float]:
    results = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                [sys.executable, __file__, "--child", kind, "--calls", str(calls), "--folder", tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {name: statistics.median(r[name] for r in results) for name in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(CHILDREN[opts.child](opts.calls, Path(opts.folder))))
        return
    sdk = measure("runicorn", opts.calls, opts.repeats)
    wb = measure("wandb", opts.calls, opts.repeats)
    ratio = wb["caller_us"] / sdk["caller_us"]
    print(f"{opts.calls} calls of 4 scalars, median of {opts.repeats} fresh processes")
    print(f"  run.log    caller {sdk['caller_us']:.2f} µs/call   process CPU {sdk['process_us']:.2f} µs/call")
    print(f"  wandb.log  caller {wb['caller_us']:.2f} µs/call   process CPU {wb['process_us']:.2f} µs/call")
    print(f"  wandb.log / run.log (caller): {ratio:.2f}x (bar {BAR:.1f}x) {'ok' if ratio <= BAR else 'OVER'}")
    if ratio > BAR:
        sys.exit(1)


if __name__ == "__main__":
    main()
