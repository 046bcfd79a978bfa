"""Run every bench in this folder, one after the other, and say which ones failed.

    python bench/run_all.py            full sizes (the figures the docs quote; tens of minutes)
    python bench/run_all.py --quick    small sizes, to check the benches still work (a few minutes)
    python bench/run_all.py viewer web only the benches whose names are given

Each bench prints its own figures as ratios against a floor measured in the same run; this script
only runs them with the same Python and adds a header and a summary. Run it on a quiet machine:
other work on the cores shows up in every figure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# bench name -> (script, extra arguments for --quick)
BENCHES: dict[str, tuple[str, list[str]]] = {
    "log": ("log_bench.py", ["--calls", "5000", "--images", "3"]),
    "log_tail": ("log_tail_bench.py", ["--lines", "10"]),
    "viewer": ("viewer_bench.py", ["--runs", "500", "--steps", "50000"]),
    "wide": ("wide_bench.py", ["--runs", "150", "--metrics", "300"]),
    "jsonl_cold": ("jsonl_cold_bench.py", ["--steps", "100000"]),
    "text_values": ("text_values_bench.py", ["--steps", "100000"]),
    "web": ("web_bench.py", ["--steps", "100000", "--repeat", "2"]),
    "wide_page": ("wide_page_bench.py", ["--repeat", "2"]),
    "mirror": ("mirror_bench.py", ["--runs", "100", "--cycles", "3", "--lag-samples", "2"]),
    "archive": ("archive_bench.py", ["--runs", "20", "--steps", "1000"]),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"benches to run: {', '.join(BENCHES)} (default: all)")
    ap.add_argument("--quick", action="store_true", help="small sizes: checks the benches, not the figures")
    args = ap.parse_args()
    names = args.names or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        ap.error(f"no bench named {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    failed: list[str] = []
    for name in names:
        script, quick_args = BENCHES[name]
        cmd = [sys.executable, str(HERE / script), *(quick_args if args.quick else [])]
        shown = " ".join([Path(cmd[0]).name, script, *cmd[2:]])
        print(f"\n=== {name}: {shown}", flush=True)
        started = time.monotonic()
        rc = subprocess.call(cmd)
        verdict = "ok" if rc == 0 else f"FAILED (exit {rc})"
        print(f"=== {name}: {verdict} in {time.monotonic() - started:.0f} s", flush=True)
        if rc != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nall {len(names)} benches ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
